package storetest

// Conformance tests of the connected-data reads: account records listed by
// tenant, with filters and keyset pages.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// recordTests cover account records.
var recordTests = []storeTest{
	{"RecordInScope", testRecordInScope},
	{"RecordRendered", testRecordRendered},
	{"ListRecords", testListRecords},
	{"ListRecordsPaging", testListRecordsPaging},
	{"SummarizeRecords", testSummarizeRecords},
	{"CountAccountRecords", testCountAccountRecords},
}

// rec is a record to store: kind, date and employment.
type rec struct {
	kind, date, employment string
}

// addRecords saves records for a through FinishAggregation, as the
// aggregation worker does, and returns them as the store gives them back.
// Their ids are random (not time-ordered).
func addRecords(t *testing.T, s *sqlstore.Store, a *store.Account, recs []rec) []store.AccountRecord {
	t.Helper()
	var out []store.AccountRecord
	for i, r := range recs {
		id := uuid.NewString()
		out = append(out, store.AccountRecord{
			ID: id, Kind: r.kind, AccountID: a.ID, UserID: a.UserID, PartnerID: a.PartnerID, Environment: a.Environment,
			SourceID: "src-" + id, Employment: r.employment, Date: r.date,
			Data:      json.RawMessage(fmt.Sprintf(`{"n":%d,"date":%q}`, i, r.date)),
			CreatedAt: at(50 + i), UpdatedAt: at(60 + i),
		})
		if r.kind == store.RecordPaystub && i%2 == 0 { // some records keep a rendered view, some don't
			out[i].Rendered = json.RawMessage(fmt.Sprintf(`{"shown":%d}`, i))
		}
	}
	must(t, "FinishAggregation", s.FinishAggregation(ctx(t), *a, out))
	a.Version++
	for i := range out {
		out[i].CreatedAt, out[i].UpdatedAt = stored(out[i].CreatedAt), stored(out[i].UpdatedAt)
	}
	return out
}

// inListOrder sorts records as ListRecords does and returns their ids.
func inListOrder(rs []store.AccountRecord, keep func(store.AccountRecord) bool) []string {
	var kept []store.AccountRecord
	for _, r := range rs {
		if keep == nil || keep(r) {
			kept = append(kept, r)
		}
	}
	slices.SortFunc(kept, func(x, y store.AccountRecord) int {
		return -cmp.Or(cmp.Compare(x.Date, y.Date), cmp.Compare(x.ID, y.ID))
	})
	out := make([]string, len(kept))
	for i, r := range kept {
		out[i] = r.ID
	}
	return out
}

func recordIDs(rs []store.AccountRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func listRecords(t *testing.T, s *sqlstore.Store, sc store.Scope, kind string, f store.RecordFilter, p store.Page) []store.AccountRecord {
	t.Helper()
	out, err := s.ListRecords(ctx(t), sc, kind, f, p)
	must(t, "ListRecords", err)
	return out
}

// paystubDates are dates with ties (several paystubs paid the same day,
// e.g. by two employments) across a year boundary.
var paystubDates = []string{
	"2024-12-13", "2024-12-27", "2024-12-27", "2025-01-10", "2025-01-10", "2025-01-10",
	"2025-01-24", "2025-02-07", "2025-02-07", "2025-02-21", "2025-03-07",
}

// recordFixture stores records for two accounts of one user, one of
// another user, and the same shapes for another partner and environment.
func recordFixture(t *testing.T, s *sqlstore.Store) (sc store.Scope, users [2]store.User, accts [3]store.Account, mine []store.AccountRecord, emps [2]string) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Bank")
	users = [2]store.User{newUser(t, s, a, store.Sandbox), newUser(t, s, a, store.Sandbox)}
	others := []store.User{newUser(t, s, b, store.Sandbox), newUser(t, s, a, store.Production)}
	emps = [2]string{uuid.NewString(), uuid.NewString()}
	shapes := func(emp0, emp1 string) []rec {
		out := []rec{{store.RecordIdentity, "", ""}, {store.RecordEmployment, "2019-05-01", emp0}, {store.RecordEmployment, "2021-09-13", emp1}}
		for i, d := range paystubDates {
			e := emp0
			if i%2 == 1 {
				e = emp1
			}
			out = append(out, rec{store.RecordPaystub, d, e})
		}
		return append(out, rec{store.RecordPayrollDocument, "2025-01-31", emp0}, rec{store.RecordPayrollDocument, "2025-01-31", emp1},
			rec{store.RecordPayrollDocument, "2024-01-31", emp0})
	}
	accts = [3]store.Account{newAccount(t, s, users[0]), newAccount(t, s, users[0]), newAccount(t, s, users[1])}
	mine = append(mine, addRecords(t, s, &accts[0], shapes(emps[0], emps[1]))...)
	mine = append(mine, addRecords(t, s, &accts[1], shapes(uuid.NewString(), uuid.NewString())[:8])...)
	mine = append(mine, addRecords(t, s, &accts[2], shapes(uuid.NewString(), uuid.NewString())[3:])...)
	for _, u := range others {
		oa := newAccount(t, s, u)
		addRecords(t, s, &oa, shapes(emps[0], emps[1]))
	}
	return a.scope(store.Sandbox), users, accts, mine, emps
}

func testRecordInScope(t *testing.T, s *sqlstore.Store) {
	sc, _, _, mine, _ := recordFixture(t, s)
	for _, r := range mine {
		got, err := s.RecordInScope(ctx(t), sc, r.Kind, r.ID)
		must(t, "RecordInScope", err)
		mustEqual(t, "record "+r.Kind, r, got)
	}
	r := mine[5]
	_, err := s.RecordInScope(ctx(t), sc, store.RecordPayrollDocument, r.ID)
	mustErr(t, "RecordInScope of another kind", err, store.ErrNotFound)
	for name, other := range map[string]store.Scope{
		"other partner":     {PartnerID: store.NewID(), Environment: store.Sandbox},
		"other environment": {PartnerID: sc.PartnerID, Environment: store.Production},
	} {
		_, err := s.RecordInScope(ctx(t), other, r.Kind, r.ID)
		mustErr(t, "RecordInScope from "+name, err, store.ErrNotFound)
	}
}

// testRecordRendered checks that a re-aggregation replaces a record's
// rendered view with the new one, or clears it when the new record has none.
func testRecordRendered(t *testing.T, s *sqlstore.Store) {
	sc, _, accts, mine, _ := recordFixture(t, s)
	var r store.AccountRecord
	for _, m := range mine {
		if m.Kind == store.RecordPaystub && m.Rendered != nil && m.AccountID == accts[0].ID {
			r = m
			break
		}
	}
	if r.ID == "" {
		t.Fatal("the fixture has no rendered paystub")
	}
	a := accts[0]
	for _, rendered := range []json.RawMessage{json.RawMessage(`{"shown":"again"}`), nil} {
		again := r
		again.Rendered, again.UpdatedAt = rendered, stored(at(90))
		must(t, "FinishAggregation", s.FinishAggregation(ctx(t), a, []store.AccountRecord{again}))
		a.Version++
		got, err := s.RecordInScope(ctx(t), sc, r.Kind, r.ID)
		must(t, "RecordInScope", err)
		mustEqual(t, "re-aggregated record", again, got)
	}
}

func testListRecords(t *testing.T, s *sqlstore.Store) {
	sc, users, accts, mine, emps := recordFixture(t, s)
	for _, kind := range []string{store.RecordPaystub, store.RecordPayrollDocument, store.RecordEmployment, store.RecordIdentity} {
		ofKind := func(r store.AccountRecord) bool { return r.Kind == kind }
		got := listRecords(t, s, sc, kind, store.RecordFilter{}, store.Page{Limit: 200})
		sameIDs(t, "all "+kind, inListOrder(mine, ofKind), recordIDs(got))
		for _, g := range got {
			for _, m := range mine {
				if m.ID == g.ID {
					mustEqual(t, "listed record", m, g)
				}
			}
		}
	}
	paystub := func(keep func(r store.AccountRecord) bool) func(store.AccountRecord) bool {
		return func(r store.AccountRecord) bool { return r.Kind == store.RecordPaystub && keep(r) }
	}
	for _, tc := range []struct {
		name string
		f    store.RecordFilter
		keep func(store.AccountRecord) bool
	}{
		{"user", store.RecordFilter{UserID: users[0].ID}, func(r store.AccountRecord) bool { return r.UserID == users[0].ID }},
		{"account", store.RecordFilter{AccountID: accts[1].ID}, func(r store.AccountRecord) bool { return r.AccountID == accts[1].ID }},
		{"user and other user's account", store.RecordFilter{UserID: users[0].ID, AccountID: accts[2].ID}, func(store.AccountRecord) bool { return false }},
		{"employment", store.RecordFilter{Employment: emps[1]}, func(r store.AccountRecord) bool { return r.Employment == emps[1] }},
		{"from (inclusive)", store.RecordFilter{FromDate: "2025-01-10"}, func(r store.AccountRecord) bool { return r.Date >= "2025-01-10" }},
		{"to (inclusive)", store.RecordFilter{ToDate: "2025-01-10"}, func(r store.AccountRecord) bool { return r.Date <= "2025-01-10" }},
		{"from and to on one day", store.RecordFilter{FromDate: "2024-12-27", ToDate: "2024-12-27"}, func(r store.AccountRecord) bool { return r.Date == "2024-12-27" }},
		{"from after to", store.RecordFilter{FromDate: "2025-02-01", ToDate: "2025-01-01"}, func(store.AccountRecord) bool { return false }},
		{"between dates", store.RecordFilter{FromDate: "2024-12-28", ToDate: "2025-02-06"}, func(r store.AccountRecord) bool {
			return r.Date >= "2024-12-28" && r.Date <= "2025-02-06"
		}},
		{"everything at once", store.RecordFilter{UserID: users[0].ID, AccountID: accts[0].ID, Employment: emps[0], FromDate: "2024-12-27", ToDate: "2025-02-07"},
			func(r store.AccountRecord) bool {
				return r.AccountID == accts[0].ID && r.Employment == emps[0] && r.Date >= "2024-12-27" && r.Date <= "2025-02-07"
			}},
	} {
		want := inListOrder(mine, paystub(tc.keep))
		sameIDs(t, tc.name, want, recordIDs(listRecords(t, s, sc, store.RecordPaystub, tc.f, store.Page{Limit: 200})))
	}
	// The fixture has what the filters need to be meaningful.
	if n := len(inListOrder(mine, paystub(func(r store.AccountRecord) bool { return r.Date == "2025-01-10" }))); n < 4 {
		t.Fatalf("fixture has %d paystubs on 2025-01-10; want ties", n)
	}
	// Another tenant sees none of them.
	if got := listRecords(t, s, store.Scope{PartnerID: sc.PartnerID, Environment: store.Production}, store.RecordPaystub,
		store.RecordFilter{UserID: users[0].ID}, store.Page{Limit: 200}); len(got) != 0 {
		t.Errorf("production scope lists %d of the sandbox user's paystubs", len(got))
	}
	if _, err := s.ListRecords(ctx(t), sc, store.RecordPaystub, store.RecordFilter{}, store.Page{Limit: 5, After: "not a key"}); err == nil {
		t.Error("ListRecords accepted a malformed key")
	}
}

func testListRecordsPaging(t *testing.T, s *sqlstore.Store) {
	sc, users, _, mine, _ := recordFixture(t, s)
	ofUser := func(r store.AccountRecord) bool { return r.Kind == store.RecordPaystub && r.UserID == users[0].ID }
	all := inListOrder(mine, ofUser)
	byID := map[string]store.AccountRecord{}
	for _, r := range mine {
		byID[r.ID] = r
	}
	key := func(id string) string { return store.RecordKey(byID[id]) }
	f := store.RecordFilter{UserID: users[0].ID}
	list := func(p store.Page) []string { return recordIDs(listRecords(t, s, sc, store.RecordPaystub, f, p)) }

	// Explicit pages around a tie (three paystubs of accts[0] and two of accts[1] on 2025-01-10 or 2024-12-27).
	sameIDs(t, "after all[3]", all[4:7], list(store.Page{Limit: 3, After: key(all[3])}))
	sameIDs(t, "before all[7]", all[4:7], list(store.Page{Limit: 3, Before: key(all[7])}))
	sameIDs(t, "before first", nil, list(store.Page{Limit: 3, Before: key(all[0])}))
	sameIDs(t, "after last", nil, list(store.Page{Limit: 3, After: key(all[len(all)-1])}))
	sameIDs(t, "before the end of time", all[len(all)-3:], list(store.Page{Limit: 3, Before: "0001-01-01|00000000-0000-0000-0000-000000000000"}))
	// A key need not name a stored record: it is a position.
	sameIDs(t, "after a date", inListOrder(mine, func(r store.AccountRecord) bool { return ofUser(r) && r.Date < "2025-01-10" }),
		list(store.Page{Limit: 200, After: "2025-01-10|00000000-0000-0000-0000-000000000000"}))

	for _, limit := range []int{1, 2, 3, 5, 7, len(all), len(all) + 1} {
		var walked []string
		p := store.Page{Limit: limit}
		for pages := 0; pages <= len(all)+1; pages++ {
			page := list(p)
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			walked = append(walked, page...)
			p = store.Page{Limit: limit, After: key(page[len(page)-1])}
		}
		sameIDs(t, fmt.Sprintf("forward walk, limit %d", limit), all, walked)

		back := list(store.Page{Limit: limit})
		if limit < len(all) {
			back = list(store.Page{Limit: limit, After: key(all[len(all)-1-limit])})
		}
		for pages := 0; pages <= len(all)+1; pages++ {
			page := list(store.Page{Limit: limit, Before: key(back[0])})
			if len(page) > limit {
				t.Fatalf("limit %d: backward page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			back = append(append([]string{}, page...), back...)
		}
		sameIDs(t, fmt.Sprintf("backward walk, limit %d", limit), all, back)
	}
}

func testSummarizeRecords(t *testing.T, s *sqlstore.Store) {
	_, _, accts, mine, _ := recordFixture(t, s)
	got, err := s.SummarizeRecords(ctx(t), []string{accts[0].ID, accts[2].ID, store.NewID()})
	must(t, "SummarizeRecords", err)
	want := map[string]store.RecordSummary{}
	for _, r := range mine {
		if r.AccountID != accts[0].ID && r.AccountID != accts[2].ID {
			continue
		}
		k := r.AccountID + "/" + r.Kind
		sum := want[k]
		sum.AccountID, sum.Kind = r.AccountID, r.Kind
		sum.Count++
		if r.Date != "" && (sum.FirstDate == "" || r.Date < sum.FirstDate) {
			sum.FirstDate = r.Date
		}
		if r.Date > sum.LastDate {
			sum.LastDate = r.Date
		}
		if r.UpdatedAt.After(sum.UpdatedAt) {
			sum.UpdatedAt = r.UpdatedAt
		}
		want[k] = sum
	}
	if len(got) != len(want) {
		t.Fatalf("SummarizeRecords returned %d summaries, want %d: %+v", len(got), len(want), got)
	}
	for _, g := range got {
		mustEqual(t, "summary "+g.Kind, want[g.AccountID+"/"+g.Kind], g)
	}
	if none, err := s.SummarizeRecords(ctx(t), nil); err != nil || len(none) != 0 {
		t.Errorf("SummarizeRecords(nil) = %v, %v", none, err)
	}
	// Many accounts at once.
	var many []string
	for range 40 {
		many = append(many, store.NewID())
	}
	many = append(many, accts[1].ID)
	got, err = s.SummarizeRecords(ctx(t), many)
	must(t, "SummarizeRecords of many", err)
	if len(got) != 3 { // identity, employment, paystub
		t.Errorf("SummarizeRecords of many: %+v", got)
	}
}

func testCountAccountRecords(t *testing.T, s *sqlstore.Store) {
	_, _, accts, mine, _ := recordFixture(t, s)
	for _, a := range accts {
		want := map[string]int{}
		for _, r := range mine {
			if r.AccountID == a.ID {
				want[r.Kind]++
			}
		}
		got, err := s.CountAccountRecords(ctx(t), a.ID)
		must(t, "CountAccountRecords", err)
		mustEqual(t, "counts of "+a.ID, want, got)
	}
	none, err := s.CountAccountRecords(ctx(t), store.NewID())
	if err != nil || len(none) != 0 {
		t.Errorf("CountAccountRecords of no account = %v, %v", none, err)
	}
}
