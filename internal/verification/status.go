// Package verification holds the rules of verifications: ordering, updating,
// cancelling and refreshing them, and the status machine every change goes through.
package verification

import "fmt"

// States of a verification.
const (
	StatePending    = "PENDING"
	StateProcessing = "PROCESSING"
	StatePaused     = "PAUSED"
	StateCancelled  = "CANCELLED"
	StateCompleted  = "COMPLETED"
)

// Status codes of a verification.
const (
	CodePending              = "pending"
	CodeDocumentsProcessing  = "documents_processing"
	CodeMoreDataRequired     = "more_data_required"
	CodeReportAvailable      = "report_available"
	CodeWaitingOnThirdParty  = "waiting_on_third_party"
	CodeReportGenerating     = "report_generating"
	CodeTimeout              = "argyle_timeout"
	CodeCancelledByClient    = "cancelled_by_client"
	CodeCompleted            = "completed"
	CodeCompletedWithErrors  = "completed_with_errors"
	CodeUserSessionStarted   = "user_session_started"
	CodeAuthenticated        = "authenticated"
	dataSourcePayroll        = "payroll"
	dataSourceBanking        = "banking"
	dataSourceDocuments      = "documents"
	reportTypeDocVOIMortgage = "doc-voi-mortgage"
)

// Data sources.
const (
	Payroll   = dataSourcePayroll
	Banking   = dataSourceBanking
	Documents = dataSourceDocuments
)

// States lists every state, for validating filters.
var States = []string{StatePending, StateProcessing, StatePaused, StateCancelled, StateCompleted}

// Codes lists every status code, for validating filters.
var Codes = []string{CodePending, CodeDocumentsProcessing, CodeMoreDataRequired, CodeReportAvailable, CodeWaitingOnThirdParty,
	CodeReportGenerating, CodeTimeout, CodeCancelledByClient, CodeCompleted, CodeCompletedWithErrors, CodeUserSessionStarted, CodeAuthenticated}

// ReportTypes maps each report type to the data source that serves it.
var ReportTypes = map[string]string{
	"voie": Payroll, "voe": Payroll,
	"voa": Banking, "voi": Banking, "voai": Banking, "voe-transactions": Banking,
	reportTypeDocVOIMortgage: Documents,
}

// ReportTypeNames lists report types in the contract's order.
var ReportTypeNames = []string{"voie", "voe", "voa", "voi", "voai", "voe-transactions", reportTypeDocVOIMortgage}

// Status is a verification's (state, code) pair.
type Status struct {
	State string
	Code  string
}

func (s Status) String() string { return s.State + "/" + s.Code }

// Terminal reports whether no further change is possible.
func (s Status) Terminal() bool { return s.State == StateCancelled || s.State == StateCompleted }

// flows lists, per data source, which status may follow which. PATCH is
// handled apart: it moves any non-terminal status to PROCESSING.
var flows = map[string]map[Status][]Status{
	Payroll: connectionFlow,
	Banking: connectionFlow,
	Documents: {
		{StatePending, CodePending}:                {{StateProcessing, CodeDocumentsProcessing}},
		{StateProcessing, CodeDocumentsProcessing}: {{StatePaused, CodeMoreDataRequired}, {StateProcessing, CodeReportAvailable}, {StateProcessing, CodeWaitingOnThirdParty}, {StateProcessing, CodeReportGenerating}},
		{StateProcessing, CodeReportAvailable}:     {{StateProcessing, CodeReportGenerating}},
		{StateProcessing, CodeWaitingOnThirdParty}: {{StateProcessing, CodeReportGenerating}, {StatePaused, CodeMoreDataRequired}},
		{StateProcessing, CodeReportGenerating}:    {{StateCompleted, CodeCompleted}, {StateCompleted, CodeCompletedWithErrors}},
		{StatePaused, CodeMoreDataRequired}:        {{StateProcessing, CodeDocumentsProcessing}, {StateCancelled, CodeCancelledByClient}, {StateCancelled, CodeTimeout}},
	},
}

var connectionFlow = map[Status][]Status{
	// A refresh reuses the existing connection: no session is opened.
	{StatePending, CodePending}:               {{StateProcessing, CodeUserSessionStarted}, {StateProcessing, CodeAuthenticated}},
	{StateProcessing, CodePending}:            {{StateProcessing, CodeUserSessionStarted}},
	{StateProcessing, CodeUserSessionStarted}: {{StateProcessing, CodeAuthenticated}},
	{StateProcessing, CodeAuthenticated}:      {{StateCompleted, CodeCompleted}, {StatePaused, CodeMoreDataRequired}},
	{StatePaused, CodeMoreDataRequired}:       {{StateProcessing, CodeUserSessionStarted}, {StateCancelled, CodeCancelledByClient}, {StateCancelled, CodeTimeout}},
}

// CanMove reports whether a verification of dataSource may go from one status to another.
func CanMove(dataSource string, from, to Status) bool {
	for _, next := range flows[dataSource][from] {
		if next == to {
			return true
		}
	}
	return false
}

// StateError reports a request that the verification's current state forbids.
type StateError struct {
	Status Status
	Msg    string
}

func (e *StateError) Error() string { return e.Msg }

func stateErrorf(s Status, format string, args ...any) error {
	return &StateError{Status: s, Msg: fmt.Sprintf(format, args...)}
}
