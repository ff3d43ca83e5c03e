// Package payroll renders connected payroll data (accounts, paystubs and
// payroll documents) in the shapes of the Partners v2 contract, and the
// files of payroll documents. It knows stored records, not HTTP.
package payroll

import (
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
)

// Account is the contract's Account.
type Account struct {
	ID                  string              `json:"id"`
	User                string              `json:"user"`
	Employers           []string            `json:"employers"`
	Item                string              `json:"item"`
	Source              string              `json:"source"`
	CreatedAt           string              `json:"created_at"`
	UpdatedAt           string              `json:"updated_at"`
	ScannedAt           *string             `json:"scanned_at"`
	Connection          Status              `json:"connection"`
	DirectDepositSwitch Status              `json:"direct_deposit_switch"`
	Availability        Availability        `json:"availability"`
	OngoingRefresh      OngoingRefreshState `json:"ongoing_refresh"`
}

// Status is the contract's connection and direct_deposit_switch objects.
type Status struct {
	Status       string  `json:"status"`
	ErrorCode    *string `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
	UpdatedAt    string  `json:"updated_at"`
}

// Availability is the contract's availability object; data sets verigate
// does not collect are null.
type Availability struct {
	Shifts              *AvailabilityItem `json:"shifts"`
	Gigs                *AvailabilityItem `json:"gigs"`
	Paystubs            *AvailabilityItem `json:"paystubs"`
	PayrollDocuments    *AvailabilityItem `json:"payroll_documents"`
	Identities          *AvailabilityItem `json:"identities"`
	Ratings             *AvailabilityItem `json:"ratings"`
	Vehicles            *AvailabilityItem `json:"vehicles"`
	DepositDestinations *AvailabilityItem `json:"deposit_destinations"`
	UserForms           *AvailabilityItem `json:"user_forms"`
	UserUploads         *AvailabilityItem `json:"user_uploads"`
}

// AvailabilityItem is the contract's AvailabilityItem.
type AvailabilityItem struct {
	Status         string `json:"status"`
	UpdatedAt      string `json:"updated_at"`
	AvailableCount *int   `json:"available_count,omitempty"`
	AvailableFrom  string `json:"available_from,omitempty"`
	AvailableTo    string `json:"available_to,omitempty"`
}

// OngoingRefreshState is the contract's ongoing_refresh object.
type OngoingRefreshState struct {
	Status string `json:"status"`
}

// Availability statuses.
const (
	availInProgress = "in_progress"
	availSynced     = "synced"
	availFailed     = "sync_failed"
)

// connectionMessages words each connection error_code verigate sets; the
// connector's own error text stays in verigate's logs.
var connectionMessages = map[string]string{
	"invalid_credentials":              "The username or password is incorrect.",
	"invalid_mfa":                      "The verification code is incorrect.",
	"account_disabled":                 "The payroll provider has locked or disabled this account.",
	"mfa_timeout":                      "The verification code was not entered in time.",
	"unsupported_mfa_method":           "The account uses a verification method that is not supported.",
	"platform_temporarily_unavailable": "The payroll provider is temporarily unavailable.",
	"auth_required":                    "The user must sign in again to reconnect this account.",
	"service_unavailable":              "The payroll provider did not answer in time.",
	"system_error":                     "The account's data could not be retrieved because of a system error.",
}

func ts(t time.Time) string { return t.UTC().Format(partner.TimeFormat) }

// RenderAccount returns an account as the contract shows it; sums are the
// account's record summaries (store.SummarizeRecords), others are ignored.
//
// connection.updated_at is the time of the last change of the connection's
// status: created_at while connected (accounts are stored when sign-in
// succeeds), updated_at once aggregation has failed for good.
func RenderAccount(a store.Account, sums []store.RecordSummary) Account {
	out := Account{
		ID: a.ID, User: a.UserID, Employers: a.Employers, Item: a.Item, Source: a.Source,
		CreatedAt: ts(a.CreatedAt), UpdatedAt: ts(a.UpdatedAt),
		DirectDepositSwitch: Status{Status: "idle", UpdatedAt: ts(a.CreatedAt)},
		OngoingRefresh:      OngoingRefreshState{Status: store.OngoingRefresh(a)},
	}
	if out.Employers == nil {
		out.Employers = []string{}
	}
	if a.DataSource == "documents" && a.Item == "" {
		// stored before documents accounts had the contract's item and source
		out.Item, out.Source = store.DocumentsItem, store.DocumentsSource
	}
	if a.ScannedAt != nil {
		s := ts(*a.ScannedAt)
		out.ScannedAt = &s
	}
	switch a.ConnectionStatus {
	case "connected", "connecting":
		out.Connection = Status{Status: a.ConnectionStatus, UpdatedAt: ts(a.CreatedAt)}
	default:
		code := a.ErrorCode
		if _, ok := connectionMessages[code]; !ok {
			code = "system_error"
		}
		msg := connectionMessages[code]
		out.Connection = Status{Status: "error", ErrorCode: &code, ErrorMessage: &msg, UpdatedAt: ts(a.UpdatedAt)}
	}
	if a.DataSource != "payroll" {
		return out // no payroll data sets; documents accounts are upload-only
	}
	status := availInProgress
	switch a.Aggregation {
	case store.AggregationDone:
		status = availSynced
	case store.AggregationFailed:
		status = availFailed
	}
	updated := a.UpdatedAt
	if a.ScannedAt != nil {
		updated = *a.ScannedAt
	}
	item := func() *AvailabilityItem { return &AvailabilityItem{Status: status, UpdatedAt: ts(updated)} }
	av := Availability{Paystubs: item(), PayrollDocuments: item(), Identities: item()}
	count := 0
	for _, s := range sums {
		if s.AccountID != a.ID || s.Kind != store.RecordPaystub {
			continue
		}
		count = s.Count
		if s.FirstDate != "" {
			av.Paystubs.AvailableFrom = s.FirstDate + "T00:00:00Z"
			av.Paystubs.AvailableTo = s.LastDate + "T00:00:00Z"
		}
	}
	av.Paystubs.AvailableCount = &count
	out.Availability = av
	return out
}
