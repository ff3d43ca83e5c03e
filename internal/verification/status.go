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
	// Gig names the connectors of gig platforms (rideshare, delivery). It
	// is no verification data source: gig items are offered beside the
	// payroll items of a payroll session's link, and a gig account is
	// aggregated without taking part in the verification's report.
	Gig = "gig"
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

// Event is something that happens to a verification and may change its
// status; its text is the reason recorded in the status history.
type Event string

// The events of a verification's life.
const (
	// EventSessionStarted: the user opened the verification's link.
	EventSessionStarted Event = "session started"
	// EventAuthenticated: the user connected an account through the link.
	EventAuthenticated Event = "authenticated"
	// EventConnectionReused: a refresh stands an existing connection in for a session.
	EventConnectionReused Event = "connection reused"
	// EventMoreDataRequired: the connected data does not cover what the report needs.
	EventMoreDataRequired Event = "more data required"
	// EventDocumentsReceived: documents were uploaded for a documents verification.
	EventDocumentsReceived Event = "documents received"
	// EventMoreDocumentsRequired: the uploaded documents do not cover the employments.
	EventMoreDocumentsRequired Event = "more documents required"
	// EventDocumentsComplete: the uploaded documents cover the employments.
	EventDocumentsComplete Event = "documents complete"
	// EventReportGenerated: the report exists and the verification is complete.
	EventReportGenerated Event = "report generated"
	// EventReportWithErrors: the report exists and says why the income is not verified.
	EventReportWithErrors Event = "report generated with errors"
	// EventUpdated: the partner changed the loan or billing (PATCH).
	EventUpdated Event = "updated"
	// EventEmploymentsUpdated: the partner changed a PAUSED documents verification's employments (PATCH).
	EventEmploymentsUpdated Event = "employments updated"
	// EventCancelled: the partner cancelled a PAUSED verification.
	EventCancelled Event = "cancelled"
)

// Events lists every event, for tests and documentation.
var Events = []Event{EventSessionStarted, EventAuthenticated, EventConnectionReused, EventMoreDataRequired, EventDocumentsReceived,
	EventMoreDocumentsRequired, EventDocumentsComplete, EventReportGenerated, EventReportWithErrors, EventUpdated,
	EventEmploymentsUpdated, EventCancelled}

// reason is the status-history reason an event records.
func (e Event) reason() string {
	switch e {
	case EventReportWithErrors:
		return string(EventReportGenerated)
	case EventEmploymentsUpdated:
		return string(EventUpdated)
	}
	return string(e)
}

// rule is where an event takes a verification, and from which statuses.
type rule struct {
	to   Status
	from []Status
}

var (
	pending            = Status{StatePending, CodePending}
	processingPending  = Status{StateProcessing, CodePending}
	sessionStarted     = Status{StateProcessing, CodeUserSessionStarted}
	authenticated      = Status{StateProcessing, CodeAuthenticated}
	pausedMoreData     = Status{StatePaused, CodeMoreDataRequired}
	documentsProcessed = Status{StateProcessing, CodeDocumentsProcessing}
	reportGenerating   = Status{StateProcessing, CodeReportGenerating}
	completed          = Status{StateCompleted, CodeCompleted}
	completedWithErrs  = Status{StateCompleted, CodeCompletedWithErrors}
	cancelledByClient  = Status{StateCancelled, CodeCancelledByClient}
)

// connectionRules are the payroll and banking flows: a user connects
// through a session link (or a refresh reuses the connection), the data is
// aggregated and the report completes the verification.
var connectionRules = map[Event]rule{
	EventSessionStarted:   {sessionStarted, []Status{pending, processingPending, pausedMoreData}},
	EventAuthenticated:    {authenticated, []Status{pending, sessionStarted}},
	EventConnectionReused: {authenticated, []Status{pending, sessionStarted}},
	EventMoreDataRequired: {pausedMoreData, []Status{authenticated}},
	EventReportGenerated:  {completed, []Status{authenticated}},
	EventCancelled:        {cancelledByClient, []Status{pausedMoreData}},
}

// documentsRules is the documents flow: uploads are evaluated against the
// employments until they cover them, then the report completes it.
var documentsRules = map[Event]rule{
	EventDocumentsReceived:     {documentsProcessed, []Status{pending, pausedMoreData}},
	EventMoreDocumentsRequired: {pausedMoreData, []Status{documentsProcessed}},
	EventDocumentsComplete:     {reportGenerating, []Status{documentsProcessed}},
	EventReportGenerated:       {completed, []Status{reportGenerating}},
	EventReportWithErrors:      {completedWithErrs, []Status{reportGenerating}},
	EventEmploymentsUpdated:    {documentsProcessed, []Status{pausedMoreData}},
	EventCancelled:             {cancelledByClient, []Status{pausedMoreData}},
}

var rules = map[string]map[Event]rule{Payroll: connectionRules, Banking: connectionRules, Documents: documentsRules}

// Next returns the status an event moves a verification of dataSource to
// from its current status, and whether the event is allowed there.
// EventUpdated (a PATCH) moves every status that is not terminal to
// PROCESSING: documents verifications to documents_processing, the
// others keeping their code.
func Next(dataSource string, from Status, e Event) (Status, bool) {
	if e == EventUpdated {
		if from.Terminal() || rules[dataSource] == nil {
			return Status{}, false
		}
		if dataSource == Documents {
			return documentsProcessed, true
		}
		return Status{StateProcessing, from.Code}, true
	}
	r, ok := rules[dataSource][e]
	if !ok {
		return Status{}, false
	}
	for _, f := range r.from {
		if f == from {
			return r.to, true
		}
	}
	return Status{}, false
}

// refusal explains why an event is not allowed from a status.
func refusal(dataSource string, from Status, e Event) error {
	switch {
	case (e == EventUpdated || e == EventEmploymentsUpdated) && from.Terminal():
		return stateErrorf(from, "The verification is %s and can no longer be updated.", from.State)
	case e == EventEmploymentsUpdated:
		return stateErrorf(from, "Employments can only be updated while the verification is PAUSED; it is %s.", from.State)
	case e == EventCancelled:
		return stateErrorf(from, "Only PAUSED verifications can be cancelled; this one is %s.", from.State)
	}
	if r, ok := rules[dataSource][e]; ok {
		return stateErrorf(from, "A %s verification cannot move from %s to %s.", dataSource, from, r.to)
	}
	return stateErrorf(from, "A %s verification has no %q step.", dataSource, e)
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
