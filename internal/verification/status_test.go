package verification

import (
	"errors"
	"fmt"
	"testing"
)

// TestTransitionTable enumerates every (data source, status, event) triple
// and checks it against the flows written out by hand: every pair not
// listed is refused with a *StateError.
func TestTransitionTable(t *testing.T) {
	st := func(state, code string) Status { return Status{state, code} }
	type key struct {
		ds    string
		from  Status
		event Event
	}
	allowed := map[key]Status{}
	for _, ds := range []string{Payroll, Banking} {
		allowed[key{ds, st("PENDING", "pending"), EventSessionStarted}] = st("PROCESSING", "user_session_started")
		allowed[key{ds, st("PROCESSING", "pending"), EventSessionStarted}] = st("PROCESSING", "user_session_started")
		allowed[key{ds, st("PAUSED", "more_data_required"), EventSessionStarted}] = st("PROCESSING", "user_session_started")
		allowed[key{ds, st("PENDING", "pending"), EventAuthenticated}] = st("PROCESSING", "authenticated")
		allowed[key{ds, st("PROCESSING", "user_session_started"), EventAuthenticated}] = st("PROCESSING", "authenticated")
		allowed[key{ds, st("PENDING", "pending"), EventConnectionReused}] = st("PROCESSING", "authenticated")
		allowed[key{ds, st("PROCESSING", "user_session_started"), EventConnectionReused}] = st("PROCESSING", "authenticated")
		allowed[key{ds, st("PROCESSING", "authenticated"), EventMoreDataRequired}] = st("PAUSED", "more_data_required")
		allowed[key{ds, st("PROCESSING", "authenticated"), EventReportGenerated}] = st("COMPLETED", "completed")
		allowed[key{ds, st("PAUSED", "more_data_required"), EventCancelled}] = st("CANCELLED", "cancelled_by_client")
	}
	allowed[key{Documents, st("PENDING", "pending"), EventDocumentsReceived}] = st("PROCESSING", "documents_processing")
	allowed[key{Documents, st("PAUSED", "more_data_required"), EventDocumentsReceived}] = st("PROCESSING", "documents_processing")
	allowed[key{Documents, st("PROCESSING", "documents_processing"), EventMoreDocumentsRequired}] = st("PAUSED", "more_data_required")
	allowed[key{Documents, st("PROCESSING", "documents_processing"), EventDocumentsComplete}] = st("PROCESSING", "report_generating")
	allowed[key{Documents, st("PROCESSING", "report_generating"), EventReportGenerated}] = st("COMPLETED", "completed")
	allowed[key{Documents, st("PROCESSING", "report_generating"), EventReportWithErrors}] = st("COMPLETED", "completed_with_errors")
	allowed[key{Documents, st("PAUSED", "more_data_required"), EventEmploymentsUpdated}] = st("PROCESSING", "documents_processing")
	allowed[key{Documents, st("PAUSED", "more_data_required"), EventCancelled}] = st("CANCELLED", "cancelled_by_client")

	checked, refused := 0, 0
	for _, ds := range []string{Payroll, Banking, Documents, "unknown"} {
		for _, state := range States {
			for _, code := range Codes {
				from := st(state, code)
				for _, e := range Events {
					checked++
					got, ok := Next(ds, from, e)
					want, wantOK := allowed[key{ds, from, e}]
					if e == EventUpdated && ds != "unknown" {
						// A PATCH moves every status that is not terminal to PROCESSING.
						wantOK = state != StateCompleted && state != StateCancelled
						want = st("PROCESSING", code)
						if ds == Documents {
							want = st("PROCESSING", "documents_processing")
						}
					}
					if ok != wantOK || (ok && got != want) {
						t.Errorf("Next(%s, %s, %q) = %s, %v; want %s, %v", ds, from, e, got, ok, want, wantOK)
					}
					if !ok {
						refused++
						var se *StateError
						if err := refusal(ds, from, e); !errors.As(err, &se) || se.Status != from || se.Msg == "" {
							t.Errorf("refusal(%s, %s, %q) = %v", ds, from, e, err)
						}
					}
				}
			}
		}
	}
	if checked != 4*len(States)*len(Codes)*len(Events) || refused == 0 {
		t.Fatalf("checked %d triples, %d refused", checked, refused)
	}
}

// TestRefusalMessages pins what a partner reads when a request is refused.
func TestRefusalMessages(t *testing.T) {
	for _, c := range []struct {
		ds   string
		from Status
		e    Event
		want string
	}{
		{Payroll, completed, EventUpdated, "The verification is COMPLETED and can no longer be updated."},
		{Documents, cancelledByClient, EventEmploymentsUpdated, "The verification is CANCELLED and can no longer be updated."},
		{Documents, documentsProcessed, EventEmploymentsUpdated, "Employments can only be updated while the verification is PAUSED; it is PROCESSING."},
		{Payroll, pending, EventCancelled, "Only PAUSED verifications can be cancelled; this one is PENDING."},
		{Payroll, completed, EventSessionStarted, "A payroll verification cannot move from COMPLETED/completed to PROCESSING/user_session_started."},
		{Payroll, pending, EventDocumentsReceived, fmt.Sprintf("A payroll verification has no %q step.", EventDocumentsReceived)},
	} {
		if got := refusal(c.ds, c.from, c.e).Error(); got != c.want {
			t.Errorf("refusal(%s, %s, %q) = %q, want %q", c.ds, c.from, c.e, got, c.want)
		}
	}
}

// TestEventReasons: the history records the reasons it always has.
func TestEventReasons(t *testing.T) {
	for e, want := range map[Event]string{EventReportWithErrors: "report generated", EventEmploymentsUpdated: "updated",
		EventSessionStarted: "session started", EventCancelled: "cancelled"} {
		if got := e.reason(); got != want {
			t.Errorf("%q.reason() = %q, want %q", e, got, want)
		}
	}
}
