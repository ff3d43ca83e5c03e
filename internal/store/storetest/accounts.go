package storetest

// Conformance tests of connected accounts: whether a user has one, accounts
// listed by tenant with filters and keyset pages, and queued refreshes.

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// accountTests cover connected accounts, their lists and queued refreshes.
var accountTests = []storeTest{
	{"Accounts", testAccounts},
	{"AccountInScope", testAccountInScope},
	{"ListAccounts", testListAccounts},
	{"ListAccountsPaging", testListAccountsPaging},
	{"QueueRefresh", testQueueRefresh},
	{"DisableOngoingRefresh", testDisableOngoingRefresh},
	{"DeleteAccount", testDeleteAccount},
}

func testAccounts(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u1, u2 := newUser(t, s, a, store.Sandbox), newUser(t, s, a, store.Sandbox)
	has := func(userID, ds string) bool {
		t.Helper()
		ok, err := s.HasConnectedAccount(ctx(t), userID, ds)
		must(t, "HasConnectedAccount", err)
		return ok
	}
	if has(u1.ID, "payroll") {
		t.Fatal("HasConnectedAccount true before any account")
	}
	acct := store.Account{ID: store.NewID(), UserID: u1.ID, DataSource: "payroll", Item: "item_1", Source: "gusto",
		Employers: []string{"Acme"}, ConnectionStatus: "connected", CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, "CreateAccount", s.CreateAccount(ctx(t), acct))
	if !has(u1.ID, "payroll") {
		t.Error("HasConnectedAccount false after a connected payroll account")
	}
	if has(u1.ID, "financial_institution") {
		t.Error("HasConnectedAccount true for another data source")
	}
	if has(u2.ID, "payroll") {
		t.Error("HasConnectedAccount true for another user")
	}
	for _, status := range []string{"pending", "disconnected", "error", "Connected"} {
		must(t, "CreateAccount "+status, s.CreateAccount(ctx(t), store.Account{ID: store.NewID(), UserID: u2.ID,
			DataSource: "financial_institution", Item: "i", Source: "bank", Employers: nil, ConnectionStatus: status, CreatedAt: at(0), UpdatedAt: at(0)}))
	}
	if has(u2.ID, "financial_institution") {
		t.Error("HasConnectedAccount true with only non-connected accounts")
	}
	must(t, "CreateAccount connected", s.CreateAccount(ctx(t), store.Account{ID: store.NewID(), UserID: u2.ID,
		DataSource: "financial_institution", Item: "i2", Source: "bank", ConnectionStatus: "connected", CreatedAt: at(0), UpdatedAt: at(0)}))
	if !has(u2.ID, "financial_institution") {
		t.Error("HasConnectedAccount false after a connected bank account")
	}
	if has(u2.ID, "payroll") {
		t.Error("HasConnectedAccount true for u2 payroll")
	}
	dup := acct
	dup.UserID = u2.ID
	mustErr(t, "CreateAccount duplicate id", s.CreateAccount(ctx(t), dup), store.ErrDuplicate)
	if has(u2.ID, "payroll") {
		t.Error("duplicate CreateAccount was stored")
	}
	if has(store.NewID(), "payroll") {
		t.Error("HasConnectedAccount true for unknown user")
	}
}

func accountIDs(as []store.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// newestAccounts lists the ids of the accounts keep accepts, greatest id first.
func newestAccounts(as []store.Account, keep func(store.Account) bool) []string {
	var out []string
	for _, a := range as {
		if keep == nil || keep(a) {
			out = append(out, a.ID)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

func listAccounts(t *testing.T, s *sqlstore.Store, sc store.Scope, f store.AccountFilter, p store.Page) []store.Account {
	t.Helper()
	out, err := s.ListAccounts(ctx(t), sc, f, p)
	must(t, "ListAccounts", err)
	return out
}

func testAccountInScope(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Bank")
	ua := newUser(t, s, a, store.Sandbox)
	scanned := at(40)
	acct := newAccount(t, s, ua, func(x *store.Account) {
		x.Employers, x.ErrorCode, x.ErrorMessage, x.ScannedAt, x.AggregationAttempts = []string{"Acme", "Acme LLC"}, "system_error", "boom", &scanned, 2
		x.RecordIDs = store.RecordIDsHashed
	})
	got, err := s.AccountInScope(ctx(t), a.scope(store.Sandbox), acct.ID)
	must(t, "AccountInScope", err)
	mustEqual(t, "account", acct, got)
	plain, err := s.Account(ctx(t), acct.ID)
	must(t, "Account", err)
	mustEqual(t, "Account and AccountInScope", plain, got)

	for name, sc := range map[string]store.Scope{
		"other partner":     b.scope(store.Sandbox),
		"other environment": a.scope(store.Production),
	} {
		_, err := s.AccountInScope(ctx(t), sc, acct.ID)
		mustErr(t, "AccountInScope from "+name, err, store.ErrNotFound)
	}
	_, err = s.AccountInScope(ctx(t), a.scope(store.Sandbox), store.NewID())
	mustErr(t, "AccountInScope unknown id", err, store.ErrNotFound)
}

func testListAccounts(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Bank")
	u1, u2 := newUser(t, s, a, store.Sandbox), newUser(t, s, a, store.Sandbox)
	uProd, ub := newUser(t, s, a, store.Production), newUser(t, s, b, store.Sandbox)
	sc := a.scope(store.Sandbox)

	var mine []store.Account
	for i, m := range []func(*store.Account){
		func(x *store.Account) {},
		func(x *store.Account) { x.Item = "item_000000002" },
		func(x *store.Account) { x.ConnectionStatus, x.ErrorCode = "error", "account_disabled" },
		func(x *store.Account) {
			x.DataSource, x.Item, x.Source = "documents", "item_000012271", "doc_upload_item"
		},
		func(x *store.Account) { x.ConnectionStatus = "connecting" },
		func(x *store.Account) { x.DataSource = "banking"; x.ConnectionStatus = "error" },
	} {
		u := u1
		if i%2 == 1 {
			u = u2
		}
		mine = append(mine, newAccount(t, s, u, m))
		// Other tenants' accounts interleave with the same items.
		newAccount(t, s, ub, m)
		newAccount(t, s, uProd, m)
	}

	sameIDs(t, "all", newestAccounts(mine, nil), accountIDs(listAccounts(t, s, sc, store.AccountFilter{}, store.Page{Limit: 100})))
	got := listAccounts(t, s, sc, store.AccountFilter{}, store.Page{Limit: 100})
	for _, g := range got {
		for _, m := range mine {
			if m.ID == g.ID {
				mustEqual(t, "listed account", m, g)
			}
		}
	}
	for _, tc := range []struct {
		name string
		f    store.AccountFilter
		keep func(store.Account) bool
	}{
		{"user", store.AccountFilter{UserID: u1.ID}, func(x store.Account) bool { return x.UserID == u1.ID }},
		{"other user", store.AccountFilter{UserID: u2.ID}, func(x store.Account) bool { return x.UserID == u2.ID }},
		{"item", store.AccountFilter{Item: "item_000000001"}, func(x store.Account) bool { return x.Item == "item_000000001" }},
		{"user and item", store.AccountFilter{UserID: u2.ID, Item: "item_000000002"}, func(x store.Account) bool {
			return x.UserID == u2.ID && x.Item == "item_000000002"
		}},
		{"unknown item", store.AccountFilter{Item: "item_9"}, func(x store.Account) bool { return false }},
		{"other tenant's user", store.AccountFilter{UserID: ub.ID}, func(x store.Account) bool { return false }},
	} {
		sameIDs(t, tc.name, newestAccounts(mine, tc.keep), accountIDs(listAccounts(t, s, sc, tc.f, store.Page{Limit: 100})))
	}
	counts := map[string]int{}
	for _, status := range []string{store.OngoingRefreshEnabled, store.OngoingRefreshDisabled, store.OngoingRefreshIdle} {
		keep := func(x store.Account) bool { return store.OngoingRefresh(x) == status }
		want := newestAccounts(mine, keep)
		counts[status] = len(want)
		sameIDs(t, "ongoing refresh "+status, want,
			accountIDs(listAccounts(t, s, sc, store.AccountFilter{OngoingRefreshStatus: status}, store.Page{Limit: 100})))
	}
	if counts[store.OngoingRefreshEnabled] != 3 || counts[store.OngoingRefreshDisabled] != 2 || counts[store.OngoingRefreshIdle] != 1 {
		t.Errorf("OngoingRefresh classified the fixture as %v, want 3 enabled, 2 disabled, 1 idle", counts)
	}
	if _, err := s.ListAccounts(ctx(t), sc, store.AccountFilter{OngoingRefreshStatus: "sometimes"}, store.Page{Limit: 10}); err == nil {
		t.Error("ListAccounts accepted an unknown ongoing refresh status")
	}
	if n := len(listAccounts(t, s, a.scope(store.Production), store.AccountFilter{}, store.Page{Limit: 100})); n != 6 {
		t.Errorf("production scope lists %d accounts, want 6", n)
	}
}

func testListAccountsPaging(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Bank")
	u, ub := newUser(t, s, a, store.Sandbox), newUser(t, s, b, store.Sandbox)
	sc := a.scope(store.Sandbox)
	var mine []store.Account
	for i := range 9 {
		mine = append(mine, newAccount(t, s, u))
		if i%2 == 0 {
			newAccount(t, s, ub)
		}
	}
	all := newestAccounts(mine, nil)
	f := store.AccountFilter{UserID: u.ID}
	for _, limit := range []int{1, 2, 4, 9, 10} {
		var walked []string
		p := store.Page{Limit: limit}
		for pages := 0; pages <= len(all)+1; pages++ {
			page := accountIDs(listAccounts(t, s, sc, f, p))
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

		// Backward from the oldest page.
		back := accountIDs(listAccounts(t, s, sc, f, store.Page{Limit: limit}))
		if limit < len(all) {
			back = accountIDs(listAccounts(t, s, sc, f, store.Page{Limit: limit, After: all[len(all)-1-limit]}))
		}
		sameIDs(t, fmt.Sprintf("oldest page, limit %d", limit), all[max(0, len(all)-limit):], back)
		for pages := 0; pages <= len(all)+1; pages++ {
			page := accountIDs(listAccounts(t, s, sc, f, store.Page{Limit: limit, Before: back[0]}))
			if len(page) == 0 {
				break
			}
			back = append(append([]string{}, page...), back...)
		}
		sameIDs(t, fmt.Sprintf("backward walk, limit %d", limit), all, back)
	}
}

func testQueueRefresh(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	first := newVerification(t, s, u)
	acct := newReportAccount(t, s, u, "payroll")
	var ids []string
	for i := 0; i < 2; i++ {
		v := store.Verification{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, ClientID: u.ClientID, UserID: u.ID,
			Channel: "api", DataSource: "payroll", ReportType: "voe", State: "PENDING", Code: "pending", Errors: json.RawMessage(`[]`),
			Employments: json.RawMessage(`[]`), Loan: json.RawMessage(`{}`), Billing: json.RawMessage(`{}`), CreatedAt: at(60 + i), UpdatedAt: at(60 + i)}
		c := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: v.State, Code: v.Code, Errors: json.RawMessage(`[]`),
			Reason: "refreshed", CreatedAt: v.CreatedAt}
		must(t, "QueueRefresh", queueRefresh(t, s, v, c, acct.ID))
		ids = append(ids, v.ID)
	}
	got, err := s.Account(ctx(t), acct.ID)
	must(t, "Account", err)
	if got.Aggregation != store.AggregationPending || got.AggregationAttempts != 0 || got.VerificationID != acct.VerificationID || got.Version != 3 {
		t.Errorf("account after two refreshes: %+v", got)
	}
	waiting, err := s.AccountRefreshes(ctx(t), acct.ID)
	must(t, "AccountRefreshes", err)
	sameIDs(t, "AccountRefreshes", ids, waiting)
	must(t, "DeleteAccountRefresh", s.DeleteAccountRefresh(ctx(t), ids[0]))
	waiting, _ = s.AccountRefreshes(ctx(t), acct.ID)
	sameIDs(t, "AccountRefreshes after a delete", ids[1:], waiting)
	// Another user's account cannot be queued: nothing is written.
	other := newUser(t, s, a, store.Sandbox)
	v := first
	v.ID, v.UserID = store.NewID(), other.ID
	c := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "PENDING", Code: "pending", Errors: json.RawMessage(`[]`), Reason: "refreshed", CreatedAt: at(70)}
	mustErr(t, "QueueRefresh of another user's account", queueRefresh(t, s, v, c, acct.ID), store.ErrConflict)
	_, err = s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	mustErr(t, "the refused refresh's verification", err, store.ErrNotFound)
}
