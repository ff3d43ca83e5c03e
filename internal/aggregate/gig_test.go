package aggregate_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/gigsandbox"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/store"
	"verigate/internal/value"
)

// TestGigRecords: the worker stores a gig account's gigs, shifts, rating
// and vehicle, gigs and shifts dated to the second by their start.
func TestGigRecords(t *testing.T) {
	f := newFixture(t, "test_3")
	ctx := context.Background()
	gig := gigsandbox.New()
	gig.Now = func() time.Time { return f.now }
	const item = "item_000100002"
	res, err := gig.SignIn(ctx, item, datasource.Credentials{Username: "test_3", Password: sandboxdata.PasswordNoMFA})
	if err != nil || res.Connection == nil {
		t.Fatalf("sign in: %v %+v", err, res)
	}
	sealed, err := f.secrets.Seal(*res.Connection)
	if err != nil {
		t.Fatal(err)
	}
	a := f.account
	a.ID, a.DataSource, a.Item, a.Source, a.Connection = store.NewID(), "gig", item, res.Connection.Source, sealed
	if err := f.st.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	w := &aggregate.Worker{Store: f.st, Connectors: datasource.Registry{Sandbox: map[string]datasource.Connector{"gig": gig}}, Secrets: f.secrets,
		Now: func() time.Time { return f.now }}
	for range 2 { // the fixture's payroll account has no connector here and waits
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.st.Account(ctx, a.ID)
	if err != nil || got.Aggregation != store.AggregationDone {
		t.Fatalf("gig account aggregation = %+v, %v", got, err)
	}
	want, err := gigsandbox.DataFor("test_3", item, value.DateOf(f.now))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{store.RecordGig: len(want.Gigs), store.RecordShift: len(want.Shifts), store.RecordRating: 1,
		store.RecordVehicle: 1, store.RecordIdentity: 1, store.RecordPaystub: 0, store.RecordEmployment: 0}
	for kind, n := range counts {
		recs, err := f.st.AccountRecords(ctx, a.ID, kind)
		if err != nil || len(recs) != n {
			t.Errorf("%d %s records, want %d (%v)", len(recs), kind, n, err)
		}
	}
	gigs, _ := f.st.AccountRecords(ctx, a.ID, store.RecordGig)
	bySource := map[string]datasource.Gig{}
	for _, g := range want.Gigs {
		bySource[g.ID] = g
	}
	for _, r := range gigs {
		g, ok := bySource[r.SourceID]
		if !ok || r.ID != aggregate.RecordID(a, store.RecordGig, g.ID) || r.Date != g.Start.Format("2006-01-02T15:04:05Z") {
			t.Fatalf("gig record %+v for %+v", r, g)
		}
		if _, _, ok := store.ParseRecordKey(store.RecordKey(r)); !ok {
			t.Fatalf("record key %q does not parse", store.RecordKey(r))
		}
		var stored datasource.Gig
		if err := json.Unmarshal(r.Data, &stored); err != nil || stored.Income != g.Income || !stored.Start.Equal(g.Start) {
			t.Fatalf("stored gig %+v, want %+v (%v)", stored, g, err)
		}
	}
	vs, _ := f.st.AccountRecords(ctx, a.ID, store.RecordVehicle)
	if len(vs) == 1 && vs[0].Date != want.Vehicles[0].Registered.String() {
		t.Errorf("vehicle dated %q", vs[0].Date)
	}
}
