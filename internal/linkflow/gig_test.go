package linkflow_test

import (
	"context"
	"testing"

	"verigate/internal/datasource"
	"verigate/internal/linkflow"
	"verigate/internal/store"
)

// TestGigItemThroughPayrollLink: a payroll link offers the gig platforms
// beside the payroll items; connecting one stores an account of data source
// gig, which the worker aggregates into gig records, and leaves the
// verification's status to its payroll accounts.
func TestGigItemThroughPayrollLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voie", "")
	st := must(t)(e.app.Flow.Open(ctx, c))
	if st.Session.Stage != linkflow.StageSearch {
		t.Fatalf("stage %s", st.Session.Stage)
	}
	found, err := e.app.Flow.Items(ctx, c, "hopwell", 10)
	if err != nil || len(found) != 1 || found[0].ID != "item_000100001" || found[0].Kind != datasource.KindGig {
		t.Fatalf("search hopwell: %+v %v", found, err)
	}
	// A search matching both catalogs merges them alphabetically.
	mixed, err := e.app.Flow.Items(ctx, c, "c", 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	gigs := 0
	for _, it := range mixed {
		names = append(names, datasource.Fold(it.Name))
		if it.Kind == datasource.KindGig && it.ID >= "item_000100001" {
			gigs++
		}
	}
	if gigs == 0 {
		t.Errorf("search c finds no gig sandbox item: %v", names)
	}
	for i := 1; i < len(mixed); i++ {
		if mixed[i-1].MatchingScore >= "0.50" && mixed[i].MatchingScore >= "0.50" && names[i-1] > names[i] {
			t.Errorf("merged search out of order: %v", names)
		}
	}
	before := e.status(c)
	must(t)(e.app.Flow.Select(ctx, c, "item_000100001"))
	st = must(t)(e.app.Flow.SignIn(ctx, c, datasource.Credentials{Username: "test_1", Password: "passgood"}))
	if st.Session.Stage != linkflow.StageMFA || st.Challenge == nil || st.Challenge.Destination != "***-***-0181" {
		t.Fatalf("after sign-in: %+v", st)
	}
	st = must(t)(e.app.Flow.Verify(ctx, c, "8081"))
	if st.Session.Stage != linkflow.StageConnecting {
		t.Fatalf("after code: stage %s (%s)", st.Session.Stage, st.Session.ErrorCode)
	}
	accts := e.accounts(c)
	if len(accts) != 1 || accts[0].DataSource != "gig" || accts[0].Item != "item_000100001" || accts[0].Source != "sandbox_gig" ||
		accts[0].VerificationID != c.VerificationID {
		t.Fatalf("accounts %+v", accts)
	}
	if got := e.status(c); got != before {
		t.Errorf("connecting a gig account moved the verification from %s to %s", before, got)
	}
	if ok, err := e.app.Aggregator.RunOnce(ctx); !ok || err != nil {
		t.Fatalf("aggregate: %v %v", ok, err)
	}
	st = must(t)(e.app.Flow.Open(ctx, c))
	if st.Session.Stage != linkflow.StageDone {
		t.Errorf("after aggregation: stage %s", st.Session.Stage)
	}
	for _, kind := range []string{store.RecordGig, store.RecordShift, store.RecordRating, store.RecordVehicle} {
		recs, err := e.app.Store.AccountRecords(ctx, accts[0].ID, kind)
		if err != nil || len(recs) == 0 {
			t.Errorf("%d %s records (%v)", len(recs), kind, err)
		}
	}
	if got := e.status(c); got != before {
		t.Errorf("aggregating a gig account moved the verification from %s to %s", before, got)
	}
}

// TestGigItemsOnlyInPayrollLinks: a session may name gig items; a banking
// link does not offer them.
func TestGigItemsOnlyInPayrollLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voie", `{"items": ["item_000100002"]}`)
	st := must(t)(e.app.Flow.Open(ctx, c))
	if st.Session.Stage != linkflow.StageSignIn || st.Item == nil || st.Item.Name != "Forkflight Eats" {
		t.Fatalf("a session of one gig item: %+v", st)
	}
	b := e.session("voa", "")
	must(t)(e.app.Flow.Open(ctx, b))
	items, err := e.app.Flow.Items(ctx, b, "hopwell", 10)
	if err != nil || len(items) != 0 {
		t.Errorf("a banking link offers %+v (%v)", items, err)
	}
	if _, err := e.app.Flow.Select(ctx, b, "item_000100001"); err != linkflow.ErrUnknownItem {
		t.Errorf("select a gig item in a banking link: %v", err)
	}
}
