// Package verificationtest moves verifications through their status
// machine in tests, by the events that lead to the statuses a test names.
package verificationtest

import (
	"context"
	"testing"

	"verigate/internal/store"
	"verigate/internal/verification"
)

// Advance moves a verification to each status in turn, applying the event
// that leads there from its current status; it fails the test when none does.
func Advance(t testing.TB, s *verification.Service, sc store.Scope, id string, steps ...verification.Status) {
	t.Helper()
	ctx := context.Background()
	for _, to := range steps {
		rec, err := s.Store.Verification(ctx, sc, id)
		if err != nil {
			t.Fatalf("advance %s: %v", id, err)
		}
		from := verification.Status{State: rec.State, Code: rec.Code}
		event, ok := EventTo(rec.DataSource, from, to)
		if !ok {
			t.Fatalf("advance %s: no event moves a %s verification from %s to %s", id, rec.DataSource, from, to)
		}
		if _, err := s.Transition(ctx, sc, id, verification.Change{Event: event}); err != nil {
			t.Fatalf("advance %s to %s: %v", id, to, err)
		}
	}
}

// EventTo returns the event that moves a verification of dataSource from one status to another.
func EventTo(dataSource string, from, to verification.Status) (verification.Event, bool) {
	for _, e := range verification.Events {
		if next, ok := verification.Next(dataSource, from, e); ok && next == to && e != verification.EventUpdated {
			return e, true
		}
	}
	return "", false
}
