package webhook

import (
	"slices"

	"verigate/internal/store"
)

// Account and user event names of the /v2 catalogue.
const (
	EventAccountsAdded     = "accounts.added"
	EventAccountsConnected = "accounts.connected"
	EventAccountsUpdated   = "accounts.updated"
	EventAccountsFailed    = "accounts.failed"
	EventAccountsRemoved   = "accounts.removed"
	EventUsersFullySynced  = "users.fully_synced"
	EventReportsReady      = "reports.ready"
	EventReportsGenerated  = "reports.generated"
)

// The suffixes of record events: "<resource>.<suffix>".
const (
	suffixAdded           = "added"
	suffixUpdated         = "updated"
	suffixRemoved         = "removed"
	suffixPartiallySynced = "partially_synced"
	suffixFullySynced     = "fully_synced"
)

// DefaultDaysSynced is the days_synced of a *.partially_synced subscription
// that gives none.
const DefaultDaysSynced = 30

// RecordEvents says which events a kind of account record raises.
type RecordEvents struct {
	// Resource names the events: "paystubs" for paystubs.added, ...
	Resource string
	// Synced kinds are counted by date: their initial retrieval raises
	// partially_synced and fully_synced, a refresh one added, updated and
	// removed event each with counts and date ranges. Other kinds raise an
	// added, updated or removed event per record, naming it by Field.
	Synced bool
	// Field is the data key naming the record of a per-record event.
	Field string
}

// RecordKinds maps the kinds of account records that raise webhook events
// to their events; kinds not listed (bank accounts and transactions) raise
// none. Another kind is covered by adding its row here: "gig" and "shift"
// are listed for the gig data they name.
var RecordKinds = map[string]RecordEvents{
	store.RecordIdentity:        {Resource: "identities", Field: "identity"},
	store.RecordEmployment:      {Resource: "employments", Field: "employment"},
	store.RecordPayrollDocument: {Resource: "payroll_documents", Field: "payroll_document"},
	store.RecordPaystub:         {Resource: "paystubs", Synced: true},
	"gig":                       {Resource: "gigs", Synced: true},
	"shift":                     {Resource: "shifts", Synced: true},
}

// V2Events lists the event names a /v2 subscription may ask for, sorted:
// the partners events, the account, user and report events, and each
// record kind's events.
var V2Events = func() []string {
	out := append([]string{}, Events...)
	out = append(out, EventAccountsAdded, EventAccountsConnected, EventAccountsUpdated, EventAccountsFailed, EventAccountsRemoved,
		EventUsersFullySynced, EventReportsReady, EventReportsGenerated)
	for _, k := range RecordKinds {
		suffixes := []string{suffixAdded, suffixUpdated, suffixRemoved}
		if k.Synced {
			suffixes = append(suffixes, suffixPartiallySynced, suffixFullySynced)
		}
		for _, s := range suffixes {
			out = append(out, k.Resource+"."+s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}()

// PartiallySynced reports whether event is a *.partially_synced event, the
// only events config.days_synced applies to.
func PartiallySynced(event string) bool {
	for _, k := range RecordKinds {
		if k.Synced && event == k.Resource+"."+suffixPartiallySynced {
			return true
		}
	}
	return false
}
