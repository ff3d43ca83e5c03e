package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// verificationTests cover verifications, their status history and their lists.
var verificationTests = []storeTest{
	{"VerificationRoundTrip", testVerificationRoundTrip},
	{"VerificationNilFields", testVerificationNilFields},
	{"VerificationScope", testVerificationScope},
	{"VerificationHead", testVerificationHead},
	{"VerificationDuplicate", testVerificationDuplicate},
	{"UpdateVerification", testUpdateVerification},
	{"UpdateVerificationStale", testUpdateVerificationStale},
	{"UpdateVerificationConcurrent", testUpdateVerificationConcurrent},
	{"StatusHistory", testStatusHistory},
	{"ListOrder", testListOrder},
	{"ListFilters", testListFilters},
	{"ListScope", testListScope},
	{"ListPaging", testListPaging},
	{"ListPagingWithInserts", testListPagingWithInserts},
	{"VerificationsInStatus", testVerificationsInStatus},
}

func fullVerification(v *store.Verification) {
	v.Channel = "email"
	v.DataSource = "financial_institution"
	v.ReportType = "voa"
	v.State = "completed"
	v.Code = "report_ready"
	v.Errors = json.RawMessage(`[{"code":"x","message":"ünïcode \"q\""}]`)
	v.ReportID = ptr("rep_1")
	v.FileURL = ptr("https://example.com/r.pdf?a=1&b=2")
	v.JSONURL = ptr("https://example.com/r.json")
	v.ReportConfiguration = json.RawMessage(`{"days_requested":90,"include":["assets"]}`)
	v.Employments = json.RawMessage(`[{"employer":"Acme","start":"2020-01-01"}]`)
	v.Loan = json.RawMessage(`{"number":"L-1","amount":100000}`)
	v.Billing = json.RawMessage(`{"cost_center":"cc"}`)
	v.LoanNumber = ptr("L-1")
	v.CreatedAt = at(40)
	v.UpdatedAt = at(41)
}

func testVerificationRoundTrip(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Production)
	v := newVerification(t, s, u, fullVerification)
	got, err := s.Verification(ctx(t), a.scope(store.Production), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification", v, got)
	if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Errorf("times not in UTC: %v %v", got.CreatedAt.Location(), got.UpdatedAt.Location())
	}

	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 1 {
		t.Fatalf("history has %d entries, want 1", len(h))
	}
	if h[0].VerificationID != v.ID || h[0].State != v.State || h[0].Code != v.Code || h[0].Reason != "ordered" ||
		string(h[0].Errors) != `[]` || !h[0].CreatedAt.Equal(v.CreatedAt) || h[0].CreatedAt.Location() != time.UTC || h[0].ID == "" {
		t.Errorf("first history entry = %+v", h[0])
	}
}

func testVerificationNilFields(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification with nil pointers", v, got)
	if got.ReportConfiguration != nil {
		t.Errorf("ReportConfiguration = %q, want nil", got.ReportConfiguration)
	}

	// Empty JSON documents come back as their empty values, never as invalid JSON.
	w := newVerification(t, s, u, func(v *store.Verification) {
		v.Errors, v.Employments, v.Loan, v.Billing = nil, nil, nil, nil
	})
	got, err = s.Verification(ctx(t), a.scope(store.Sandbox), w.ID)
	must(t, "Verification", err)
	if string(got.Errors) != `[]` || string(got.Employments) != `[]` || string(got.Loan) != `{}` || string(got.Billing) != `{}` {
		t.Errorf("empty documents came back as errors=%q employments=%q loan=%q billing=%q", got.Errors, got.Employments, got.Loan, got.Billing)
	}
}

func testVerificationScope(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox))
	_, err := s.Verification(ctx(t), a.scope(store.Production), v.ID)
	mustErr(t, "Verification in other environment", err, store.ErrNotFound)
	_, err = s.Verification(ctx(t), b.scope(store.Sandbox), v.ID)
	mustErr(t, "Verification of other partner", err, store.ErrNotFound)
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification in scope", err)
	mustEqual(t, "Verification", v, got)
}

func testVerificationHead(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	sc := a.scope(store.Production)
	v := newVerification(t, s, newUser(t, s, a, store.Production), fullVerification)
	want := store.VerificationHead{ID: v.ID, PartnerID: v.PartnerID, Environment: v.Environment,
		DataSource: v.DataSource, State: v.State, Code: v.Code}
	h, err := s.VerificationHead(ctx(t), sc, v.ID)
	must(t, "VerificationHead", err)
	mustEqual(t, "VerificationHead", want, h)

	next := v
	next.State, next.Code, next.UpdatedAt = "cancelled", "by_partner", at(900)
	must(t, "UpdateVerification", updateVerification(t, s, next, nil))
	h, err = s.VerificationHead(ctx(t), sc, v.ID)
	must(t, "VerificationHead after update", err)
	want.State, want.Code = "cancelled", "by_partner"
	mustEqual(t, "VerificationHead after update", want, h)

	_, err = s.VerificationHead(ctx(t), a.scope(store.Sandbox), v.ID)
	mustErr(t, "VerificationHead in other environment", err, store.ErrNotFound)
	_, err = s.VerificationHead(ctx(t), b.scope(store.Production), v.ID)
	mustErr(t, "VerificationHead of other partner", err, store.ErrNotFound)
	_, err = s.VerificationHead(ctx(t), sc, store.NewID())
	mustErr(t, "VerificationHead unknown", err, store.ErrNotFound)
}

func testVerificationDuplicate(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	dup := v
	dup.State = "other"
	first := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "other", Reason: "ordered", CreatedAt: at(0)}
	mustErr(t, "CreateVerification duplicate id", createVerification(t, s, dup, first), store.ErrDuplicate)
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification after duplicate create", v, got)
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 1 {
		t.Errorf("history has %d entries after failed duplicate create, want 1", len(h))
	}
}

func testUpdateVerification(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox), func(v *store.Verification) {
		v.ReportConfiguration = json.RawMessage(`{"days_requested":30}`)
	})

	// Update every mutable field, without a history entry.
	next := v
	next.State, next.Code = "processing", "retrieving"
	next.Errors = json.RawMessage(`[{"code":"e1"}]`)
	next.ReportID, next.FileURL, next.JSONURL = ptr("r"), ptr("f"), ptr("j")
	next.ReportConfiguration = nil
	next.Employments = json.RawMessage(`[{"employer":"X"}]`)
	next.Loan = json.RawMessage(`{"number":"N"}`)
	next.Billing = json.RawMessage(`{"b":1}`)
	next.LoanNumber = ptr("N")
	next.UpdatedAt = at(500)
	must(t, "UpdateVerification without change", updateVerification(t, s, next, nil))
	got, err := s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	want := next
	want.UpdatedAt, want.Version = stored(next.UpdatedAt), 2
	mustEqual(t, "updated Verification", want, got)
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 1 {
		t.Fatalf("history has %d entries after update without change, want 1", len(h))
	}

	// Pointers can be cleared again; a change entry is appended.
	next = got
	next.State, next.Code = "completed", "done"
	next.ReportID, next.FileURL, next.JSONURL, next.LoanNumber = nil, nil, nil, nil
	next.ReportConfiguration = json.RawMessage(`{"days_requested":60}`)
	next.UpdatedAt = at(600)
	change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "completed", Code: "done",
		Errors: json.RawMessage(`[{"code":"w"}]`), Reason: "updated", CreatedAt: at(600)}
	must(t, "UpdateVerification with change", updateVerification(t, s, next, &change))
	got, err = s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	want = next
	want.UpdatedAt, want.Version = stored(next.UpdatedAt), 3
	mustEqual(t, "updated Verification", want, got)
	h, err = s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 2 {
		t.Fatalf("history has %d entries, want 2", len(h))
	}
	wantChange := change
	wantChange.CreatedAt = stored(change.CreatedAt)
	mustEqual(t, "appended history entry", wantChange, h[1])
}

func testUpdateVerificationStale(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox))
	cur := v
	cur.State = "processing"
	cur.UpdatedAt = at(700)
	must(t, "UpdateVerification", updateVerification(t, s, cur, &store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "processing", Reason: "updated", CreatedAt: at(700)}))
	before, err := s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	histBefore, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)

	stale := v // Version 1, now stale
	stale.State = "cancelled"
	stale.UpdatedAt = at(800)
	change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "cancelled", Reason: "cancelled", CreatedAt: at(800)}
	mustErr(t, "UpdateVerification stale with change", updateVerification(t, s, stale, &change), store.ErrConflict)
	mustErr(t, "UpdateVerification stale without change", updateVerification(t, s, stale, nil), store.ErrConflict)

	after, err := s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification after stale update", before, after)
	if after.Version != 2 {
		t.Errorf("version = %d, want 2", after.Version)
	}
	histAfter, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if !reflect.DeepEqual(histBefore, histAfter) {
		t.Errorf("stale update changed the history:\n before %+v\n after  %+v", histBefore, histAfter)
	}

	// Unknown verification.
	ghost := cur
	ghost.ID = store.NewID()
	if err := updateVerification(t, s, ghost, nil); !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateVerification unknown: got %v, want ErrConflict or ErrNotFound", err)
	}
}

func testUpdateVerificationConcurrent(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox))
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := v
			next.Code = fmt.Sprint("c", i)
			change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: v.State, Code: next.Code, Reason: "updated", CreatedAt: at(i)}
			<-start
			errs[i] = updateVerification(t, s, next, &change)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("concurrent UpdateVerification: %v, want nil or ErrConflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent updates of the same version succeeded, want 1", ok, n)
	}
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 2 {
		t.Errorf("history has %d entries, want 2 (first + the one winning update)", len(h))
	}
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	if got.Version != 2 || (len(h) == 2 && h[1].Code != got.Code) {
		t.Errorf("after concurrent updates: version %d, code %q, last history code %q", got.Version, got.Code, h[len(h)-1].Code)
	}
}

func testStatusHistory(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	other := newVerification(t, s, u)
	reasons := []string{"ordered"}
	cur := v
	for i, st := range []string{"processing", "completed", "expired"} {
		// Give later entries earlier timestamps: order is by entry id, not time.
		change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: st, Code: "c" + st,
			Errors: json.RawMessage(fmt.Sprintf(`[{"n":%d}]`, i)), Reason: "r" + st, CreatedAt: at(-i)}
		cur.State = st
		must(t, "UpdateVerification", updateVerification(t, s, cur, &change))
		cur.Version++
		reasons = append(reasons, change.Reason)
	}
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	var got []string
	for i, c := range h {
		got = append(got, c.Reason)
		if c.VerificationID != v.ID {
			t.Errorf("entry %d belongs to %s", i, c.VerificationID)
		}
		if i > 0 && c.ID <= h[i-1].ID {
			t.Errorf("history ids not ascending: %s after %s", c.ID, h[i-1].ID)
		}
	}
	if !reflect.DeepEqual(got, reasons) {
		t.Errorf("history reasons = %v, want %v", got, reasons)
	}
	if len(h) == 4 && (h[3].State != "expired" || h[3].Code != "cexpired" || string(h[3].Errors) != `[{"n":2}]` || !h[3].CreatedAt.Equal(stored(at(-2)))) {
		t.Errorf("last entry = %+v", h[3])
	}
	oh, err := s.StatusHistory(ctx(t), other.ID)
	must(t, "StatusHistory other", err)
	if len(oh) != 1 || oh[0].VerificationID != other.ID {
		t.Errorf("other verification's history = %+v, want its one entry", oh)
	}
}

// ids returns the ids of vs.
func ids(vs []store.Verification) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// newestFirst returns the ids of vs that match keep, sorted by id descending (byte order).
func newestFirst(vs []store.Verification, keep func(store.Verification) bool) []string {
	var out []string
	for _, v := range vs {
		if keep == nil || keep(v) {
			out = append(out, v.ID)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

func list(t *testing.T, s *sqlstore.Store, sc store.Scope, f store.VerificationFilter, p store.Page) []store.Verification {
	t.Helper()
	vs, err := s.ListVerifications(ctx(t), sc, f, p)
	if err != nil {
		t.Fatalf("ListVerifications(%+v, %+v): %v", f, p, err)
	}
	return vs
}

func testListOrder(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	var created []store.Verification
	for i := range 12 {
		// Creation times run backwards: order must follow ids, not times.
		created = append(created, newVerification(t, s, u, func(v *store.Verification) {
			v.CreatedAt, v.UpdatedAt = at(-i), at(-i)
		}))
	}
	got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 100})
	want := newestFirst(created, nil)
	sameIDs(t, "ListVerifications order", want, ids(got))
	// Ids from NewID are time-ordered, so newest first is reverse creation order.
	var rev []string
	for i := len(created) - 1; i >= 0; i-- {
		rev = append(rev, created[i].ID)
	}
	sameIDs(t, "reverse creation order", rev, want)
	// Listed records are complete.
	byID := map[string]store.Verification{}
	for _, v := range created {
		byID[v.ID] = v
	}
	for _, v := range got {
		mustEqual(t, "listed Verification", byID[v.ID], v)
	}
	// Limit is honoured and takes the newest.
	sameIDs(t, "Limit 5", want[:5], ids(list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 5})))
	sameIDs(t, "Limit 1", want[:1], ids(list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 1})))
}

func testListFilters(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u1 := newUser(t, s, a, store.Sandbox)
	u2 := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	states := []string{"pending", "processing", "completed"}
	codes := []string{"a", "b"}
	types := []string{"voie", "voa", "voe"}
	var all []store.Verification
	for i := range 18 {
		u := u1
		if i%2 == 1 {
			u = u2
		}
		all = append(all, newVerification(t, s, u, func(v *store.Verification) {
			v.State = states[i%3]
			v.Code = codes[(i/2)%2]
			v.ReportType = types[(i/3)%3]
			switch i % 4 {
			case 0:
				v.LoanNumber = ptr("L-1")
			case 1:
				v.LoanNumber = ptr("L-2")
			}
		}))
	}
	loan := func(v store.Verification) string {
		if v.LoanNumber == nil {
			return ""
		}
		return *v.LoanNumber
	}
	cases := []struct {
		name string
		f    store.VerificationFilter
		keep func(store.Verification) bool
	}{
		{"none", store.VerificationFilter{}, nil},
		{"user", store.VerificationFilter{UserID: u2.ID}, func(v store.Verification) bool { return v.UserID == u2.ID }},
		{"state", store.VerificationFilter{State: "processing"}, func(v store.Verification) bool { return v.State == "processing" }},
		{"code", store.VerificationFilter{Code: "b"}, func(v store.Verification) bool { return v.Code == "b" }},
		{"report type", store.VerificationFilter{ReportType: "voa"}, func(v store.Verification) bool { return v.ReportType == "voa" }},
		{"loan number", store.VerificationFilter{LoanNumber: "L-2"}, func(v store.Verification) bool { return loan(v) == "L-2" }},
		{"user+state+type", store.VerificationFilter{UserID: u1.ID, State: "pending", ReportType: "voe"}, func(v store.Verification) bool {
			return v.UserID == u1.ID && v.State == "pending" && v.ReportType == "voe"
		}},
		{"all five", store.VerificationFilter{UserID: u1.ID, State: "completed", Code: "a", ReportType: "voe", LoanNumber: "L-1"}, func(v store.Verification) bool {
			return v.UserID == u1.ID && v.State == "completed" && v.Code == "a" && v.ReportType == "voe" && loan(v) == "L-1"
		}},
		{"no match", store.VerificationFilter{State: "nonexistent"}, func(store.Verification) bool { return false }},
		{"unknown user", store.VerificationFilter{UserID: store.NewID()}, func(store.Verification) bool { return false }},
	}
	for _, c := range cases {
		want := newestFirst(all, c.keep)
		if c.keep != nil && c.name != "no match" && c.name != "unknown user" && (len(want) == 0 || len(want) == len(all)) {
			t.Fatalf("filter %s: fixture selects %d of %d; the case would prove nothing", c.name, len(want), len(all))
		}
		sameIDs(t, "filter "+c.name, want, ids(list(t, s, sc, c.f, store.Page{Limit: 100})))
		// Filters combine with paging.
		if len(want) > 2 {
			sameIDs(t, "filter "+c.name+" page 2", want[2:min(4, len(want))], ids(list(t, s, sc, c.f, store.Page{Limit: 2, After: want[1]})))
			sameIDs(t, "filter "+c.name+" before", want[:2], ids(list(t, s, sc, c.f, store.Page{Limit: 2, Before: want[2]})))
		}
	}
}

func testListScope(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	ua := newUser(t, s, a, store.Sandbox)
	uaProd := newUser(t, s, a, store.Production)
	ub := newUser(t, s, b, store.Sandbox)
	var mine []store.Verification
	for i := range 4 {
		mine = append(mine, newVerification(t, s, ua))
		newVerification(t, s, uaProd)
		newVerification(t, s, ub, func(v *store.Verification) { v.LoanNumber = ptr(fmt.Sprint("L", i)) })
	}
	sameIDs(t, "own scope", newestFirst(mine, nil), ids(list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 100})))
	if got := list(t, s, a.scope(store.Production), store.VerificationFilter{}, store.Page{Limit: 100}); len(got) != 4 {
		t.Errorf("production scope lists %d, want 4", len(got))
	}
	for _, v := range list(t, s, a.scope(store.Production), store.VerificationFilter{}, store.Page{Limit: 100}) {
		if v.UserID != uaProd.ID || v.Environment != store.Production {
			t.Errorf("production scope listed %+v", v)
		}
	}
	// Filtering by another tenant's user or loan number finds nothing.
	if got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{UserID: ub.ID}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("filter by other partner's user listed %d", len(got))
	}
	if got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{LoanNumber: "L1"}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("filter by other partner's loan number listed %d", len(got))
	}
	if got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{UserID: uaProd.ID}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("filter by other environment's user listed %d", len(got))
	}
	if got := list(t, s, store.Scope{PartnerID: b.Partner.ID, Environment: store.Production}, store.VerificationFilter{}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("empty scope listed %d", len(got))
	}
	// Paging cursors from another scope do not leak records.
	got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 100, After: store.NewID()})
	sameIDs(t, "After a future id", newestFirst(mine, nil), ids(got))
}

func testListPaging(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	ua, ub := newUser(t, s, a, store.Sandbox), newUser(t, s, b, store.Sandbox)
	sc := a.scope(store.Sandbox)
	var created []store.Verification
	for i := range 11 {
		created = append(created, newVerification(t, s, ua))
		if i%3 == 0 {
			newVerification(t, s, ub) // interleaved ids from another tenant
		}
	}
	all := newestFirst(created, nil)

	// Explicit pages.
	sameIDs(t, "first page", all[:3], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3})))
	sameIDs(t, "After all[2]", all[3:6], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: all[2]})))
	sameIDs(t, "After all[9]", all[10:], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: all[9]})))
	sameIDs(t, "After last", nil, ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: all[10]})))
	sameIDs(t, "Before all[6]", all[3:6], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: all[6]})))
	sameIDs(t, "Before all[2]", all[:2], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: all[2]})))
	sameIDs(t, "Before first", nil, ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: all[0]})))
	sameIDs(t, "Before last, limit 100", all[:10], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 100, Before: all[10]})))

	for _, limit := range []int{1, 2, 3, 4, 10, 11, 12} {
		// Forward walk.
		var walked []string
		p := store.Page{Limit: limit}
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("limit %d: forward walk does not end", limit)
			}
			page := ids(list(t, s, sc, store.VerificationFilter{}, p))
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			walked = append(walked, page...)
			p = store.Page{Limit: limit, After: page[len(page)-1]}
		}
		sameIDs(t, fmt.Sprintf("forward walk, limit %d", limit), all, walked)

		// Backward walk from the oldest record's page.
		oldest := store.Page{Limit: limit}
		if limit < len(all) {
			oldest.After = all[len(all)-1-limit]
		}
		back := ids(list(t, s, sc, store.VerificationFilter{}, oldest))
		sameIDs(t, fmt.Sprintf("oldest page, limit %d", limit), all[max(0, len(all)-limit):], back)
		cursor := back[0]
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("limit %d: backward walk does not end", limit)
			}
			page := ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: limit, Before: cursor}))
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			back = append(append([]string{}, page...), back...)
			cursor = page[0]
		}
		sameIDs(t, fmt.Sprintf("backward walk, limit %d", limit), all, back)
	}
}

func testListPagingWithInserts(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	var created []store.Verification
	for range 10 {
		created = append(created, newVerification(t, s, u))
	}
	original := newestFirst(created, nil)

	// Forward: new records are newer than every page cursor and never appear.
	var walked []string
	p := store.Page{Limit: 3}
	for pages := 0; pages < 20; pages++ {
		page := ids(list(t, s, sc, store.VerificationFilter{}, p))
		if len(page) == 0 {
			break
		}
		walked = append(walked, page...)
		p.After = page[len(page)-1]
		created = append(created, newVerification(t, s, u), newVerification(t, s, u))
	}
	sameIDs(t, "forward walk with inserts", original, walked)

	// Backward from the oldest page: the walk ends at the newest record that
	// exists at the time, with no duplicates or gaps.
	back := ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: original[6]}))
	sameIDs(t, "oldest page", original[7:], back)
	for pages := 0; pages < 40; pages++ {
		page := ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: back[0]}))
		if len(page) == 0 {
			break
		}
		back = append(append([]string{}, page...), back...)
		if pages < 3 {
			created = append(created, newVerification(t, s, u))
		}
	}
	sameIDs(t, "backward walk with inserts", newestFirst(created, nil), back)
}

func testVerificationsInStatus(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "A"), newTenant(t, s, "B")
	var want []string
	for i, tn := range []tenant{a, b, a} {
		u := newUser(t, s, tn, store.Sandbox)
		v := newVerification(t, s, u, func(v *store.Verification) {
			v.DataSource, v.State, v.Code, v.UpdatedAt = "documents", "PROCESSING", "documents_processing", at(100-i)
		})
		want = append([]string{v.ID}, want...) // least recently updated first
	}
	newVerification(t, s, newUser(t, s, a, store.Sandbox), func(v *store.Verification) { v.DataSource = "documents" })
	got, err := s.VerificationsInStatus(ctx(t), "documents", "PROCESSING", "documents_processing", 10)
	must(t, "VerificationsInStatus", err)
	mustEqual(t, "VerificationsInStatus", want, ids(got))
	got, _ = s.VerificationsInStatus(ctx(t), "documents", "PROCESSING", "documents_processing", 2)
	mustEqual(t, "VerificationsInStatus limit 2", want[:2], ids(got))
}
