package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// webhookTests cover subscriptions, events and their deliveries.
var webhookTests = []storeTest{
	{"SubscriptionsInScope", testSubscriptionsInScope},
	{"EventDeliveries", testEventDeliveries},
}

func newSubscription(t *testing.T, s *sqlstore.Store, tn tenant, env store.Environment, events ...string) store.Subscription {
	t.Helper()
	sub := store.Subscription{ID: store.NewID(), PartnerID: tn.Partner.ID, Environment: env, Name: "hook", URL: "https://hooks.example/x",
		Events: events, CreatedAt: stored(at(10))}
	must(t, "CreateSubscription", s.CreateSubscription(ctx(t), sub))
	return sub
}

func testSubscriptionsInScope(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Other")
	first := newSubscription(t, s, a, store.Sandbox, "verifications.updated")
	second := newSubscription(t, s, a, store.Sandbox, "verifications.creation_failed", "verifications.updated")
	newSubscription(t, s, a, store.Production, "verifications.updated")
	newSubscription(t, s, b, store.Sandbox, "verifications.updated")
	subs, err := s.Subscriptions(ctx(t), a.scope(store.Sandbox))
	must(t, "Subscriptions", err)
	if len(subs) != 2 || subs[0].ID != second.ID || subs[1].ID != first.ID {
		t.Fatalf("Subscriptions = %+v, want the tenant's two, newest first", subs)
	}
	mustEqual(t, "Subscription events", []string{"verifications.creation_failed", "verifications.updated"}, subs[0].Events)
	must(t, "DeleteSubscription", s.DeleteSubscription(ctx(t), a.scope(store.Sandbox), first.ID, at(20)))
	subs, err = s.Subscriptions(ctx(t), a.scope(store.Sandbox))
	must(t, "Subscriptions", err)
	if len(subs) != 1 || subs[0].ID != second.ID {
		t.Fatalf("Subscriptions after a delete = %+v", subs)
	}
}

func testEventDeliveries(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	one := newSubscription(t, s, a, store.Sandbox, "verifications.updated")
	two := newSubscription(t, s, a, store.Sandbox, "verifications.updated")
	e := store.Event{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, Event: "verifications.updated",
		VerificationID: v.ID, Data: json.RawMessage(`{"verification":"x"}`), Resource: json.RawMessage(`{"id":"x"}`), CreatedAt: stored(at(30))}
	must(t, "CreateEvent", s.CreateEvent(ctx(t), e))
	must(t, "QueueDeliveries", s.QueueDeliveries(ctx(t), e, []string{one.ID, two.ID}))
	for _, sub := range []store.Subscription{one, two} {
		ds, err := s.Deliveries(ctx(t), sub.ID, store.Page{Limit: 10})
		must(t, "Deliveries", err)
		if len(ds) != 1 || ds[0].EventID != e.ID || ds[0].State != store.DeliveryPending || ds[0].VerificationID != v.ID {
			t.Fatalf("deliveries of %s = %+v", sub.ID, ds)
		}
	}
	d, sub, ok, err := s.ClaimDelivery(ctx(t), at(31), at(31).Add(time.Minute))
	must(t, "ClaimDelivery", err)
	if !ok || d.Event == nil || d.Event.ID != e.ID || string(d.Event.Resource) != `{"id":"x"}` || (sub.ID != one.ID && sub.ID != two.ID) {
		t.Fatalf("ClaimDelivery = %+v, %+v, %v", d, sub, ok)
	}
}
