package verification_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/store/sqlite"
	"verigate/internal/store/sqlstore"
	"verigate/internal/verification"
	"verigate/internal/webhook"
)

// flakyOutbox records through the real outbox unless told to fail.
type flakyOutbox struct {
	webhook.Outbox
	fail bool
}

func (o *flakyOutbox) Record(ctx context.Context, e store.Event) error {
	if o.fail {
		return errors.New("outbox refused")
	}
	return o.Outbox.Record(ctx, e)
}

type fixture struct {
	st     *sqlstore.Store
	svc    *verification.Service
	outbox *flakyOutbox
	p      partner.Principal
	user   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	p := store.Partner{ID: store.NewID(), Name: "p", CreatedAt: now}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "c", CreatedAt: now}
	k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "k", Environment: store.Sandbox, SecretHash: []byte("x"), CreatedAt: now}
	if err := st.CreatePartner(ctx, p, c, k); err != nil {
		t.Fatal(err)
	}
	u := store.User{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, ClientID: c.ID, Profile: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSubscription(ctx, store.Subscription{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, Name: "h",
		URL: "https://hooks.example/x", Events: []string{store.EventVerificationsUpdated}, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	ob := &flakyOutbox{Outbox: webhook.Outbox{Store: st}}
	svc := &verification.Service{Store: st, Outbox: ob, Now: func() time.Time { return now }}
	return &fixture{st: st, svc: svc, outbox: ob, user: u.ID,
		p: partner.Principal{PartnerID: p.ID, ClientID: c.ID, Environment: store.Sandbox}}
}

func (f *fixture) order(t *testing.T, reportType string) verification.View {
	t.Helper()
	var in verification.OrderInput
	body := `{"user": "` + f.user + `", "report": {"type": "` + reportType + `"}}`
	if reportType == "doc-voi-mortgage" {
		body = `{"user": "` + f.user + `", "report": {"type": "` + reportType + `"}, "employments": [{"employer": "Acme", "status": "active", "hire_date": "2020-01-02", "termination_date": null}]}`
	}
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Order(context.Background(), f.p, in)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// written counts a verification's history entries and webhook deliveries.
func (f *fixture) written(t *testing.T, id string) (history, deliveries int) {
	t.Helper()
	h, err := f.st.StatusHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	subs, _ := f.st.Subscriptions(context.Background(), f.p.Scope())
	for _, sub := range subs {
		ds, err := f.st.Deliveries(context.Background(), sub.ID, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.VerificationID == id {
				deliveries++
			}
		}
	}
	return len(h), deliveries
}

func TestTransitionWritesStatusHistoryAndEventTogether(t *testing.T) {
	f := newFixture(t)
	v := f.order(t, "voie")
	if h, d := f.written(t, v.ID); h != 1 || d != 1 {
		t.Fatalf("after ordering: %d history entries, %d deliveries; want 1, 1", h, d)
	}
	rec, err := f.svc.Transition(context.Background(), f.p.Scope(), v.ID, verification.Change{Event: verification.EventSessionStarted})
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != "PROCESSING" || rec.Code != "user_session_started" || rec.Version != 2 {
		t.Fatalf("after session start: %s/%s version %d", rec.State, rec.Code, rec.Version)
	}
	if h, d := f.written(t, v.ID); h != 2 || d != 2 {
		t.Fatalf("after a transition: %d history entries, %d deliveries; want 2, 2", h, d)
	}
}

func TestRefusedTransitionWritesNothing(t *testing.T) {
	f := newFixture(t)
	v := f.order(t, "voie")
	_, err := f.svc.Transition(context.Background(), f.p.Scope(), v.ID, verification.Change{Event: verification.EventReportGenerated})
	var se *verification.StateError
	if !errors.As(err, &se) {
		t.Fatalf("completing a PENDING verification: %v, want a StateError", err)
	}
	if h, d := f.written(t, v.ID); h != 1 || d != 1 {
		t.Fatalf("after a refused transition: %d history entries, %d deliveries; want 1, 1", h, d)
	}
}

func TestFailedOutboxRollsBackTheStatus(t *testing.T) {
	f := newFixture(t)
	v := f.order(t, "voie")
	f.outbox.fail = true
	if _, err := f.svc.Transition(context.Background(), f.p.Scope(), v.ID, verification.Change{Event: verification.EventSessionStarted}); err == nil {
		t.Fatal("a transition whose event could not be recorded succeeded")
	}
	got, err := f.svc.Get(context.Background(), f.p, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.State != "PENDING" {
		t.Fatalf("status saved without its event: %s", got.Status.State)
	}
	if h, d := f.written(t, v.ID); h != 1 || d != 1 {
		t.Fatalf("after a failed outbox: %d history entries, %d deliveries; want 1, 1", h, d)
	}
}

func TestConcurrentTransitionsAreAllApplied(t *testing.T) {
	f := newFixture(t)
	v := f.order(t, "voie")
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			var in verification.UpdateInput
			json.Unmarshal([]byte(`{"loan": {"number": "L1"}}`), &in)
			_, err := f.svc.Update(context.Background(), f.p, v.ID, in)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if h, d := f.written(t, v.ID); h != 1+n || d != 1+n {
		t.Fatalf("after %d concurrent updates: %d history entries, %d deliveries", n, h, d)
	}
}

func TestJoinedTransitionCommitsWithTheCaller(t *testing.T) {
	f := newFixture(t)
	v := f.order(t, "voie")
	boom := errors.New("caller failed later")
	err := f.st.InTx(context.Background(), func(ctx context.Context) error {
		if _, err := f.svc.Transition(ctx, f.p.Scope(), v.ID, verification.Change{Event: verification.EventSessionStarted}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if h, d := f.written(t, v.ID); h != 1 || d != 1 {
		t.Fatalf("after the caller's rollback: %d history entries, %d deliveries; want 1, 1", h, d)
	}
	head, err := f.svc.Head(context.Background(), f.p.Scope(), v.ID)
	if err != nil || head.State != "PENDING" {
		t.Fatalf("head after the caller's rollback: %+v, %v", head, err)
	}
}
