package storetest

// Conformance tests of what /v2 webhooks and staged data syncs store:
// subscriptions' days_synced, deliveries ordered by their order key, and
// account records saved in batches, read whole and deleted.

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

var syncTests = []storeTest{
	{"SubscriptionDaysSynced", testSubscriptionDaysSynced},
	{"DeliveriesByOrderKey", testDeliveriesByOrderKey},
	{"AggregationBatches", testAggregationBatches},
	{"AccountRecordsInIDOrder", testAccountRecordsInIDOrder},
}

// testAccountRecordsInIDOrder: an account's records come back ordered by
// kind and id, whatever order their source ids (by which the store finds
// them) have.
func testAccountRecordsInIDOrder(t *testing.T, s *sqlstore.Store) {
	u := newUser(t, s, newTenant(t, s, "Acme"), store.Sandbox)
	acct := newAccount(t, s, u)
	var recs []store.AccountRecord
	for i, kind := range []string{store.RecordPaystub, store.RecordIdentity, store.RecordPaystub, store.RecordPaystub, store.RecordIdentity, store.RecordPaystub} {
		// ids ascend with i, source ids descend
		id := fmt.Sprintf("01a00000-0000-7000-8000-%012d", i)
		recs = append(recs, store.AccountRecord{ID: id, Kind: kind, AccountID: acct.ID, UserID: acct.UserID, PartnerID: acct.PartnerID,
			Environment: acct.Environment, SourceID: fmt.Sprintf("src-%d", 9-i), Date: "2025-05-30", Data: json.RawMessage(`{}`),
			CreatedAt: stored(at(50)), UpdatedAt: stored(at(50))})
	}
	must(t, "FinishAggregation", s.FinishAggregation(ctx(t), acct, recs))
	ids := func(rs []store.AccountRecord) (out []string) {
		for _, r := range rs {
			out = append(out, r.Kind+" "+r.ID[len(r.ID)-1:])
		}
		return out
	}
	all, err := s.AllAccountRecords(ctx(t), acct.ID)
	must(t, "AllAccountRecords", err)
	if got, want := fmt.Sprint(ids(all)), "[identity 1 identity 4 paystub 0 paystub 2 paystub 3 paystub 5]"; got != want {
		t.Errorf("AllAccountRecords = %s, want %s", got, want)
	}
	paystubs, err := s.AccountRecords(ctx(t), acct.ID, store.RecordPaystub)
	must(t, "AccountRecords", err)
	if got, want := fmt.Sprint(ids(paystubs)), "[paystub 0 paystub 2 paystub 3 paystub 5]"; got != want {
		t.Errorf("AccountRecords(paystub) = %s, want %s", got, want)
	}
}

func testSubscriptionDaysSynced(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sub := store.Subscription{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, Name: "sync", URL: "https://hooks.example/x",
		Events: []string{"paystubs.partially_synced"}, IncludeResource: true, DaysSynced: 365, CreatedAt: stored(at(10))}
	must(t, "CreateSubscription", s.CreateSubscription(ctx(t), sub))
	got, err := s.Subscription(ctx(t), a.scope(store.Sandbox), sub.ID)
	must(t, "Subscription", err)
	mustEqual(t, "Subscription", sub, got)
	plain := newSubscription(t, s, a, store.Sandbox, "verifications.updated")
	got, err = s.Subscription(ctx(t), a.scope(store.Sandbox), plain.ID)
	must(t, "Subscription", err)
	if got.DaysSynced != 0 {
		t.Fatalf("DaysSynced of a subscription without it = %d", got.DaysSynced)
	}
}

// testDeliveriesByOrderKey: deliveries of events with the same order key
// are claimed one at a time, in order, per subscription; other keys are not
// held up; a verification event keeps ordering by its verification.
func testDeliveriesByOrderKey(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sub := newSubscription(t, s, a, store.Sandbox, "accounts.added", "accounts.connected")
	event := func(name, key string) store.Event {
		e := store.Event{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, Event: name,
			Data: json.RawMessage(`{}`), OrderKey: key, CreatedAt: stored(at(30))}
		must(t, "CreateEvent", s.CreateEvent(ctx(t), e))
		must(t, "QueueDeliveries", s.QueueDeliveries(ctx(t), e, []string{sub.ID}))
		return e
	}
	first := event("accounts.added", "user-1")
	second := event("accounts.connected", "user-1")
	other := event("accounts.added", "user-2")
	now := at(40)
	claim := func() (store.Delivery, bool) {
		d, _, ok, err := s.ClaimDelivery(ctx(t), now, now.Add(time.Minute))
		must(t, "ClaimDelivery", err)
		return d, ok
	}
	d1, ok := claim()
	if !ok || d1.EventID != first.ID {
		t.Fatalf("first claim = %+v, want the first event of user-1", d1)
	}
	d2, ok := claim()
	if !ok || d2.EventID != other.ID {
		t.Fatalf("second claim = %+v, want user-2's event (user-1's second waits)", d2)
	}
	if d, ok := claim(); ok {
		t.Fatalf("claimed %s while the first of its order key is pending", d.EventName)
	}
	d1.State, d1.LeaseUntil = store.DeliveryDelivered, now
	must(t, "FinishDelivery", s.FinishDelivery(ctx(t), d1))
	d3, ok := claim()
	if !ok || d3.EventID != second.ID || d3.Event == nil || d3.Event.Event != "accounts.connected" {
		t.Fatalf("after the first was delivered: %+v", d3)
	}
}

func testAggregationBatches(t *testing.T, s *sqlstore.Store) {
	u := newUser(t, s, newTenant(t, s, "Acme"), store.Sandbox)
	acct := newAccount(t, s, u, func(a *store.Account) { a.Aggregation = store.AggregationRunning })
	other := newAccount(t, s, u)
	mk := func(a store.Account, kind, date string) store.AccountRecord {
		id := uuid.NewString()
		return store.AccountRecord{ID: id, Kind: kind, AccountID: a.ID, UserID: a.UserID, PartnerID: a.PartnerID, Environment: a.Environment,
			SourceID: "src-" + id, Date: date, Data: json.RawMessage(`{"date":"` + date + `"}`), CreatedAt: stored(at(50)), UpdatedAt: stored(at(50))}
	}
	newest := []store.AccountRecord{mk(acct, store.RecordPaystub, "2025-05-30"), mk(acct, store.RecordIdentity, "")}
	older := []store.AccountRecord{mk(acct, store.RecordPaystub, "2024-01-15")}
	must(t, "SaveAggregationBatch", s.SaveAggregationBatch(ctx(t), acct, newest))
	mustErr(t, "SaveAggregationBatch with a stale version", s.SaveAggregationBatch(ctx(t), acct, older), store.ErrConflict)
	acct.Version++
	must(t, "SaveAggregationBatch", s.SaveAggregationBatch(ctx(t), acct, older))
	acct.Version++
	got, err := s.Account(ctx(t), acct.ID)
	must(t, "Account", err)
	if got.Version != acct.Version || got.Aggregation != store.AggregationRunning {
		t.Fatalf("account after two batches: version %d (want %d), aggregation %s", got.Version, acct.Version, got.Aggregation)
	}
	must(t, "FinishAggregation", s.FinishAggregation(ctx(t), other, []store.AccountRecord{mk(other, store.RecordPaystub, "2025-01-01")}))
	all, err := s.AllAccountRecords(ctx(t), acct.ID)
	must(t, "AllAccountRecords", err)
	want := append(append([]store.AccountRecord{}, newest...), older...)
	if len(all) != len(want) {
		t.Fatalf("AllAccountRecords = %d records, want %d", len(all), len(want))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Kind > all[i].Kind || (all[i-1].Kind == all[i].Kind && all[i-1].ID > all[i].ID) {
			t.Fatalf("AllAccountRecords not ordered by kind and id: %s %s, %s %s", all[i-1].Kind, all[i-1].ID, all[i].Kind, all[i].ID)
		}
	}
	byID := map[string]store.AccountRecord{}
	for _, r := range all {
		byID[r.ID] = r
	}
	for _, r := range want {
		mustEqual(t, "record "+r.ID, r, byID[r.ID])
	}
	otherRecs, err := s.AllAccountRecords(ctx(t), other.ID)
	must(t, "AllAccountRecords", err)
	// Deleting ignores ids of other accounts.
	must(t, "DeleteAccountRecords", s.DeleteAccountRecords(ctx(t), acct.ID, []string{older[0].ID, otherRecs[0].ID}))
	must(t, "DeleteAccountRecords of nothing", s.DeleteAccountRecords(ctx(t), acct.ID, nil))
	all, err = s.AllAccountRecords(ctx(t), acct.ID)
	must(t, "AllAccountRecords", err)
	if len(all) != 2 || byID[all[0].ID].ID == "" || all[0].ID == older[0].ID || all[1].ID == older[0].ID {
		t.Fatalf("after deleting the older paystub: %+v", all)
	}
	if rs, _ := s.AllAccountRecords(ctx(t), other.ID); len(rs) != 1 {
		t.Fatalf("the other account's record was deleted: %d left", len(rs))
	}
}
