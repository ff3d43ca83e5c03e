package api_test

// Connected data: accounts, paystubs and payroll documents, with the real
// sandbox data aggregated as the worker stores it.

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/store"
	"verigate/internal/value"
)

// dataAsOf is the date the sandbox data of these tests is generated as of.
var dataAsOf = value.NewDate(2025, time.May, 30)

// sandboxAccount stores an account of user connected to a sandbox login
// and item, with its data aggregated as the worker does, and returns it.
func (e *env) sandboxAccount(t testing.TB, k key, user, login, item string, mods ...func(*store.Account)) store.Account {
	t.Helper()
	ctx := context.Background()
	data, err := payrollsandbox.DataFor(login, item, dataAsOf)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().UTC().Truncate(time.Millisecond)
	a := store.Account{
		ID: store.NewID(), PartnerID: k.Partner, Environment: k.Env, UserID: user, VerificationID: store.NewID(),
		DataSource: "payroll", Item: item, Source: payrollsandbox.Source, Employers: []string{}, ConnectionStatus: "connected",
		Aggregation: store.AggregationRunning, LeaseUntil: now.Add(time.Minute), CreatedAt: now, UpdatedAt: now,
	}
	if err := e.app.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Version = 1
	e.clock.Advance(3 * time.Second)
	now = e.clock.Now().UTC().Truncate(time.Millisecond)
	recs, err := aggregate.Records(a, data, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, emp := range data.Employments {
		a.Employers = append(a.Employers, emp.Employer)
	}
	a.Aggregation, a.ScannedAt, a.UpdatedAt, a.LeaseUntil = store.AggregationDone, &now, now, now
	for _, m := range mods {
		m(&a)
	}
	if a.Aggregation == store.AggregationFailed {
		recs = nil
	}
	if err := e.app.Store.FinishAggregation(ctx, a, recs); err != nil {
		t.Fatal(err)
	}
	a.Version++
	e.clock.Advance(time.Second)
	return a
}

// otherAccount stores an account without data (e.g. a documents account).
func (e *env) otherAccount(t testing.TB, k key, user string, mods ...func(*store.Account)) store.Account {
	t.Helper()
	now := e.clock.Now().UTC().Truncate(time.Millisecond)
	a := store.Account{
		ID: store.NewID(), PartnerID: k.Partner, Environment: k.Env, UserID: user, VerificationID: store.NewID(),
		DataSource: "documents", Item: "item_000012271", Source: "doc_upload_item", Employers: []string{}, ConnectionStatus: "connected",
		Aggregation: store.AggregationDone, LeaseUntil: now, CreatedAt: now, UpdatedAt: now,
	}
	for _, m := range mods {
		m(&a)
	}
	if err := e.app.Store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	return a
}

// records returns every stored record of a kind for the accounts.
func (e *env) records(t testing.TB, kind string, accounts ...store.Account) []store.AccountRecord {
	t.Helper()
	var out []store.AccountRecord
	for _, a := range accounts {
		rs, err := e.app.Store.AccountRecords(context.Background(), a.ID, kind)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rs...)
	}
	return out
}

// walk lists path page by page forward, following next, then backward from
// the last page following previous; both walks must give the same results
// without duplicates. It returns the results in order.
func (e *env) walkData(t testing.TB, k key, path string) []map[string]any {
	t.Helper()
	var forward []map[string]any
	seen := map[string]bool{}
	u := path
	var last map[string]any
	for pages := 0; ; pages++ {
		if pages > 500 {
			t.Fatalf("%s: walk does not end", path)
		}
		page := e.ok(t, k, "GET", u, nil)
		if pages == 0 && page["previous"] != nil {
			t.Errorf("%s: first page has previous %v", path, page["previous"])
		}
		results, _ := page["results"].([]any)
		for _, r := range results {
			m := r.(map[string]any)
			id := m["id"].(string)
			if seen[id] {
				t.Fatalf("%s: %s listed twice", path, id)
			}
			seen[id] = true
			forward = append(forward, m)
		}
		last = page
		next, _ := page["next"].(string)
		if next == "" {
			break
		}
		surface := "/partners/v2/"
		if strings.HasPrefix(path, "/v2/") {
			surface = "/v2/"
		}
		if !strings.HasPrefix(next, e.srv.URL+surface) {
			t.Fatalf("next %q is not an absolute URL on the public URL", next)
		}
		if len(results) == 0 {
			t.Fatalf("%s: empty page with a next link", path)
		}
		u = next
	}
	// Backward from the last page.
	back := append([]map[string]any{}, anyMaps(last["results"])...)
	prev, _ := last["previous"].(string)
	for pages := 0; prev != ""; pages++ {
		if pages > 500 {
			t.Fatalf("%s: backward walk does not end", path)
		}
		page := e.ok(t, k, "GET", prev, nil)
		back = append(anyMaps(page["results"]), back...)
		prev, _ = page["previous"].(string)
	}
	if len(back) != len(forward) {
		t.Fatalf("%s: backward walk found %d results, forward %d", path, len(back), len(forward))
	}
	for i := range back {
		if back[i]["id"] != forward[i]["id"] {
			t.Fatalf("%s: backward walk differs at %d: %v vs %v", path, i, back[i]["id"], forward[i]["id"])
		}
	}
	return forward
}

func anyMaps(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

func idsOf(rs []map[string]any) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i], _ = r["id"].(string)
	}
	return out
}

// cents parses a contract money string; it must have exactly two decimals.
func cents(t testing.TB, v any) value.Money {
	t.Helper()
	s, ok := v.(string)
	if !ok || len(s) < 4 || s[len(s)-3] != '.' {
		t.Fatalf("money %v is not a decimal string with two decimals", v)
	}
	m, err := value.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func hundredths(t testing.TB, v any) value.Hours {
	t.Helper()
	s, _ := v.(string)
	h, err := value.ParseHours(s)
	if err != nil {
		t.Fatalf("hours %v: %v", v, err)
	}
	return h
}

// keysOf lists an object's keys, sorted.
func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// exampleKeys returns the keys of a contract schema's example.
func exampleKeys(t testing.TB, schema string) []string {
	t.Helper()
	doc := needContract(t)
	ex := toJSON(t, doc.Components.Schemas[schema].Value.Example).(map[string]any)
	return keysOf(ex)
}

// dataFixture is partner A's user with two payroll accounts (three
// employments), an account in error and a documents account, plus another
// user of A with one account and a user of B with one account.
type dataFixture struct {
	e                         *env
	u1, u2, ub                string
	bob, joe, sarah, bAccount store.Account
	failed, docs              store.Account
}

func newDataFixture(t *testing.T) *dataFixture {
	e := newEnv(t)
	f := &dataFixture{e: e}
	f.u1, f.u2, f.ub = e.createUser(t, e.A, nil), e.createUser(t, e.A, nil), e.createUser(t, e.B, nil)
	f.bob = e.sandboxAccount(t, e.A, f.u1, "test_1", "item_000000001")
	f.joe = e.sandboxAccount(t, e.A, f.u1, "test_3", "item_000000003") // odd item: both of Joe's jobs
	f.failed = e.sandboxAccount(t, e.A, f.u1, "test_1", "item_000000005", func(a *store.Account) {
		a.Aggregation, a.ConnectionStatus, a.ErrorCode, a.ErrorMessage, a.ScannedAt = store.AggregationFailed, "error", "account_disabled", "connector: account locked by the provider", nil
		a.Employers = []string{}
	})
	f.docs = e.otherAccount(t, e.A, f.u1)
	f.sarah = e.sandboxAccount(t, e.A, f.u2, "test_2", "item_000000001")
	f.bAccount = e.sandboxAccount(t, e.B, f.ub, "test_2", "item_000000002")
	return f
}

func TestAccounts(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A
	list := e.walkData(t, k, "/partners/v2/accounts?user="+f.u1+"&limit=1")
	want := []string{f.bob.ID, f.joe.ID, f.failed.ID, f.docs.ID}
	slices.Sort(want)
	slices.Reverse(want)
	sameList(t, "accounts of u1, newest first", want, idsOf(list))

	byID := map[string]map[string]any{}
	for _, a := range list {
		byID[a["id"].(string)] = a
		if got, want := keysOf(a), exampleKeys(t, "Account"); !slices.Equal(got, want) {
			t.Errorf("account fields %v, want the contract example's %v", got, want)
		}
		for _, f := range []string{"created_at", "updated_at", "connection.updated_at", "direct_deposit_switch.updated_at"} {
			if s, _ := get(a, f).(string); !timestampRE.MatchString(s) {
				t.Errorf("%s %q is not RFC 3339 UTC with milliseconds", f, s)
			}
		}
		// Retrieve answers the same object.
		if one := e.ok(t, k, "GET", "/partners/v2/accounts/"+a["id"].(string), nil); jsonString(one) != jsonString(a) {
			t.Errorf("retrieve differs from list:\n%s\n%s", jsonString(one), jsonString(a))
		}
	}

	// A synced payroll account.
	joe := byID[f.joe.ID]
	stubs := e.records(t, store.RecordPaystub, f.joe)
	dates := make([]string, len(stubs))
	for i, s := range stubs {
		dates[i] = s.Date
	}
	slices.Sort(dates)
	wantJoe := map[string]any{
		"id": f.joe.ID, "user": f.u1, "employers": f.joe.Employers, "item": "item_000000003", "source": "sandbox",
		"created_at": joe["created_at"], "updated_at": joe["updated_at"], "scanned_at": joe["scanned_at"],
		"connection":            map[string]any{"status": "connected", "error_code": nil, "error_message": nil, "updated_at": joe["created_at"]},
		"direct_deposit_switch": map[string]any{"status": "idle", "error_code": nil, "error_message": nil, "updated_at": joe["created_at"]},
		"availability": map[string]any{
			"shifts": nil, "gigs": nil, "ratings": nil, "vehicles": nil, "deposit_destinations": nil, "user_forms": nil, "user_uploads": nil,
			"paystubs": map[string]any{"status": "synced", "updated_at": joe["scanned_at"], "available_count": float64(len(stubs)),
				"available_from": dates[0] + "T00:00:00Z", "available_to": dates[len(dates)-1] + "T00:00:00Z"},
			"payroll_documents": map[string]any{"status": "synced", "updated_at": joe["scanned_at"]},
			"identities":        map[string]any{"status": "synced", "updated_at": joe["scanned_at"]},
		},
		"ongoing_refresh": map[string]any{"status": "enabled"},
	}
	for _, d := range diff("", toJSON(t, wantJoe), joe) {
		t.Errorf("synced account: %s", d)
	}
	if len(f.joe.Employers) != 2 || joe["scanned_at"] == nil || joe["created_at"] == joe["scanned_at"] {
		t.Errorf("joe's account: employers %v, scanned_at %v", f.joe.Employers, joe["scanned_at"])
	}

	// An account whose aggregation failed.
	failed := byID[f.failed.ID]
	if get(failed, "connection.status") != "error" || get(failed, "connection.error_code") != "account_disabled" ||
		get(failed, "connection.error_message") == nil || strings.Contains(get(failed, "connection.error_message").(string), "connector:") ||
		get(failed, "ongoing_refresh.status") != "disabled" || get(failed, "availability.paystubs.status") != "sync_failed" ||
		get(failed, "availability.paystubs.available_count") != float64(0) || failed["scanned_at"] != nil {
		t.Errorf("failed account: %s", jsonString(failed))
	}
	// A documents account has no payroll data sets.
	docs := byID[f.docs.ID]
	if get(docs, "ongoing_refresh.status") != "idle" || get(docs, "availability.paystubs") != nil || get(docs, "connection.status") != "connected" {
		t.Errorf("documents account: %s", jsonString(docs))
	}

	// Filters.
	for q, want := range map[string][]string{
		"user=" + f.u1 + "&item=item_000000003":             {f.joe.ID},
		"user=" + f.u1 + "&item=item_000000001":             {f.bob.ID},
		"user=" + f.u1 + "&item=item_000000002":             nil,
		"user=" + f.u1 + "&ongoing_refresh_status=enabled":  {f.joe.ID, f.bob.ID},
		"user=" + f.u1 + "&ongoing_refresh_status=disabled": {f.failed.ID},
		"user=" + f.u1 + "&ongoing_refresh_status=idle":     {f.docs.ID},
		"user=" + f.u2:                                              {f.sarah.ID},
		"user=" + strings.ToUpper(f.u2):                             {f.sarah.ID},
		"user=" + f.u2 + "&ongoing_refresh_status=idle":             nil,
		"user=" + f.ub:                                              nil, // B's user: nothing for A
		"user=" + f.u1 + "&item=item_000000001&limit=200&cursor=":   {f.bob.ID},
		"user=" + f.u1 + "&ongoing_refresh_status=enabled&limit=1&": {f.joe.ID, f.bob.ID},
	} {
		sameList(t, q, want, idsOf(e.walkData(t, k, "/partners/v2/accounts?"+q)))
	}
}

// sameList compares id lists; nil and empty are the same.
func sameList(t *testing.T, what string, want, got []string) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !slices.Equal(want, got) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// paystubOrder checks the listing order: paystub_date, then id, descending.
func paystubOrder(t *testing.T, what string, list []map[string]any, dateField string) {
	t.Helper()
	for i := 1; i < len(list); i++ {
		a, b := list[i-1], list[i]
		if c := cmp.Or(cmp.Compare(a[dateField].(string), b[dateField].(string)), cmp.Compare(a["id"].(string), b["id"].(string))); c <= 0 {
			t.Fatalf("%s: not in (%s, id) descending order at %d: %v %v / %v %v", what, dateField, i, a[dateField], a["id"], b[dateField], b["id"])
		}
	}
}

func TestPaystubs(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A
	stored := e.records(t, store.RecordPaystub, f.bob, f.joe)
	all := e.walkData(t, k, "/partners/v2/paystubs?user="+f.u1+"&limit=37")
	if len(all) != len(stored) || len(all) < 150 {
		t.Fatalf("listed %d paystubs of u1, stored %d", len(all), len(stored))
	}
	paystubOrder(t, "u1's paystubs", all, "paystub_date")
	wantKeys := exampleKeys(t, "PartnerPaystub")
	wantKeys = slices.DeleteFunc(wantKeys, func(s string) bool { return s == "payroll_document" })
	for _, p := range all[:5] {
		if got := keysOf(p); !slices.Equal(got, wantKeys) {
			t.Errorf("paystub fields %v, want the contract example's (without payroll_document) %v", got, wantKeys)
		}
		if one := e.ok(t, k, "GET", "/partners/v2/paystubs/"+p["id"].(string), nil); jsonString(one) != jsonString(p) {
			t.Errorf("retrieve differs from list:\n%s\n%s", jsonString(one), jsonString(p))
		}
	}
	checkPaystubArithmetic(t, all, 6)

	// The unfiltered list holds every paystub of A's sandbox, B's none.
	everything := e.walkData(t, k, "/partners/v2/paystubs?limit=200")
	if want := len(stored) + len(e.records(t, store.RecordPaystub, f.sarah)); len(everything) != want {
		t.Errorf("unfiltered list has %d paystubs, want %d", len(everything), want)
	}
	for _, p := range everything {
		if p["account"] == f.bAccount.ID {
			t.Fatal("A lists a paystub of B")
		}
	}

	// Filters, each compared with the full list filtered here.
	mid := all[len(all)/2]
	day := mid["paystub_date"].(string)[:10]
	d, _ := time.Parse(time.DateOnly, day)
	prev := d.AddDate(0, 0, -1).Format(time.DateOnly)
	emp := mid["employment"].(string)
	check := func(query string, keep func(p map[string]any) bool) {
		t.Helper()
		var want []string
		for _, p := range all {
			if keep(p) {
				want = append(want, p["id"].(string))
			}
		}
		got := e.walkData(t, k, "/partners/v2/paystubs?user="+f.u1+"&limit=5&"+query)
		sameList(t, query, want, idsOf(got))
	}
	date := func(p map[string]any) string { return p["paystub_date"].(string)[:10] }
	check("account="+f.joe.ID, func(p map[string]any) bool { return p["account"] == f.joe.ID })
	check("account="+f.sarah.ID, func(p map[string]any) bool { return false }) // u2's account with u1
	check("employment="+emp, func(p map[string]any) bool { return p["employment"] == emp })
	check("employment="+strings.ToUpper(emp)+"&account="+f.bob.ID, func(p map[string]any) bool { return p["employment"] == emp && p["account"] == f.bob.ID })
	check("from_start_date="+day, func(p map[string]any) bool { return date(p) >= day })
	check("from_start_date="+day+"T00:00:00Z", func(p map[string]any) bool { return date(p) >= day })
	check("from_start_date="+day+"T00:00:00.001Z", func(p map[string]any) bool { return date(p) > day })
	check("to_start_date="+day, func(p map[string]any) bool { return date(p) <= day })
	check("to_start_date="+day+"T23:59:59Z", func(p map[string]any) bool { return date(p) <= day })
	check("to_start_date="+prev+"T23:59:59.999Z", func(p map[string]any) bool { return date(p) < day })
	// 01:00 at UTC+2 is 23:00 UTC the day before.
	check("from_start_date="+url.QueryEscape(day+"T01:00:00+02:00"), func(p map[string]any) bool { return date(p) >= day })
	check("to_start_date="+url.QueryEscape(day+"T01:00:00+02:00"), func(p map[string]any) bool { return date(p) < day })
	check("from_start_date="+day+"&to_start_date="+day, func(p map[string]any) bool { return date(p) == day })
	check("from_start_date=2024-01-01&to_start_date=2024-12-31&employment="+emp, func(p map[string]any) bool {
		return date(p) >= "2024-01-01" && date(p) <= "2024-12-31" && p["employment"] == emp
	})
	check("from_start_date="+day+"&to_start_date="+prev, func(p map[string]any) bool { return false })

	// The user filter is optional; account alone selects.
	sameList(t, "account without user", idsOf(e.walkData(t, k, "/partners/v2/paystubs?account="+f.sarah.ID+"&limit=50")),
		inOrder(e.records(t, store.RecordPaystub, f.sarah)))
}

// inOrder returns the ids of records in listing order.
func inOrder(rs []store.AccountRecord) []string {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b store.AccountRecord) int {
		return -cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.ID, b.ID))
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// checkPaystubArithmetic recomputes, in integer cents, every total and
// year-to-date of the paystubs from the paystubs themselves.
func checkPaystubArithmetic(t *testing.T, stubs []map[string]any, minGroups int) {
	t.Helper()
	type key struct {
		employment string
		year       string
	}
	groups := map[key][]map[string]any{}
	for _, p := range stubs {
		k := key{p["employment"].(string), p["paystub_date"].(string)[:4]}
		groups[k] = append(groups[k], p)
	}
	if len(groups) < minGroups {
		t.Fatalf("only %d employment-years", len(groups))
	}
	for k, g := range groups {
		// Oldest first; same-day paystubs of one employment do not occur in the sandbox.
		slices.SortFunc(g, func(a, b map[string]any) int {
			return cmp.Compare(a["paystub_date"].(string), b["paystub_date"].(string))
		})
		var gross, net, taxes, deds value.Money
		var hrs value.Hours
		lines := map[string]value.Money{}
		lineHours := map[string]value.Hours{}
		for _, p := range g {
			what := fmt.Sprintf("employment %s, %s, paystub %s of %s", k.employment, k.year, p["id"], p["paystub_date"])
			pg, pt, pd, pn := cents(t, p["gross_pay"]), cents(t, p["taxes"]), cents(t, p["deductions"]), cents(t, p["net_pay"])
			if pg-pt-pd != pn {
				t.Errorf("%s: net %v != gross %v - taxes %v - deductions %v", what, pn, pg, pt, pd)
			}
			gross, net, taxes, deds, hrs = gross+pg, net+pn, taxes+pt, deds+pd, hrs+hundredths(t, p["hours"])
			for f, want := range map[string]value.Money{"gross_pay_ytd": gross, "net_pay_ytd": net, "taxes_ytd": taxes, "deductions_ytd": deds} {
				if got := cents(t, p[f]); got != want {
					t.Errorf("%s: %s %v, but the year's paystubs up to it sum to %v", what, f, got, want)
				}
			}
			if got := hundredths(t, p["hours_ytd"]); got != hrs {
				t.Errorf("%s: hours_ytd %v, sum %v", what, got, hrs)
			}
			// Itemised lists sum to their totals and carry their own year-to-date.
			var sum value.Money
			totals := map[string]value.Money{}
			for _, l := range anyMaps(p["gross_pay_list"]) {
				a := cents(t, l["amount"])
				sum += a
				name := "gross:" + l["name"].(string)
				lines[name] += a
				if got := cents(t, l["amount_ytd"]); got != lines[name] {
					t.Errorf("%s: %s amount_ytd %v, sum %v", what, name, got, lines[name])
				}
				if l["hours"] != nil {
					lineHours[name] += hundredths(t, l["hours"])
					if got := hundredths(t, l["hours_ytd"]); got != lineHours[name] {
						t.Errorf("%s: %s hours_ytd %v, sum %v", what, name, got, lineHours[name])
					}
				}
				cat := map[string]string{"base": "base", "pto": "base", "overtime": "overtime", "commission": "commission", "bonus": "bonus"}[l["type"].(string)]
				if cat == "" {
					cat = "other"
				}
				totals[cat] += a
			}
			if sum != pg {
				t.Errorf("%s: gross_pay_list sums to %v, gross_pay %v", what, sum, pg)
			}
			for _, cat := range []string{"base", "overtime", "commission", "bonus", "other"} {
				tot := get(p, "gross_pay_list_totals."+cat)
				amt, has := totals[cat]
				if (tot != nil) != has {
					t.Errorf("%s: gross_pay_list_totals.%s = %v with line total %v", what, cat, tot, amt)
				} else if has && cents(t, get(tot, "amount")) != amt {
					t.Errorf("%s: gross_pay_list_totals.%s.amount %v, lines %v", what, cat, get(tot, "amount"), amt)
				}
			}
			for _, list := range []struct{ field, total string }{{"tax_list", "taxes"}, {"deduction_list", "deductions"}} {
				var s value.Money
				for _, l := range anyMaps(p[list.field]) {
					a := cents(t, l["amount"])
					s += a
					name := list.field + ":" + l["name"].(string)
					lines[name] += a
					if got := cents(t, l["amount_ytd"]); got != lines[name] {
						t.Errorf("%s: %s amount_ytd %v, sum %v", what, name, got, lines[name])
					}
				}
				if s != cents(t, p[list.total]) {
					t.Errorf("%s: %s sums to %v, %s %v", what, list.field, s, list.total, p[list.total])
				}
			}
		}
	}
}

func TestPayrollDocuments(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A
	stored := e.records(t, store.RecordPayrollDocument, f.bob, f.joe)
	all := e.walkData(t, k, "/partners/v2/payroll-documents?user="+f.u1+"&limit=1")
	if len(all) != len(stored) || len(all) < 3 {
		t.Fatalf("listed %d documents of u1, stored %d", len(all), len(stored))
	}
	sameList(t, "documents in order", inOrder(stored), idsOf(all))
	paystubOrder(t, "documents", all, "available_date")
	stubs := e.walkData(t, k, "/partners/v2/paystubs?user="+f.u1+"&limit=200")
	for _, d := range all {
		id := d["id"].(string)
		if got, want := keysOf(d), exampleKeys(t, "PayrollDocument"); !slices.Equal(got, want) {
			t.Errorf("document fields %v, want %v", got, want)
		}
		if d["file_url"] != e.srv.URL+"/partners/v2/payroll-documents/"+id+"/file" {
			t.Errorf("file_url %v", d["file_url"])
		}
		if one := e.ok(t, k, "GET", "/partners/v2/payroll-documents/"+id, nil); jsonString(one) != jsonString(d) {
			t.Errorf("retrieve differs from list:\n%s\n%s", jsonString(one), jsonString(d))
		}
		// The W-2's federal, Social Security and Medicare boxes are the
		// year's withholdings on the employment's paystubs.
		year := get(d, "ocr_data.year").(string)
		if year == "" || d["document_type"] != "W-2" || get(d, "ocr_data.form_type") != "W-2" {
			t.Fatalf("document %s: %v", id, d)
		}
		withheld := map[string]value.Money{}
		n := 0
		for _, p := range stubs {
			if p["employment"] != d["employment"] || p["paystub_date"].(string)[:4] != year {
				continue
			}
			n++
			for _, tax := range anyMaps(p["tax_list"]) {
				withheld[tax["name"].(string)] += cents(t, tax["amount"])
			}
		}
		if n == 0 {
			t.Fatalf("no paystubs for W-2 %s (%s)", id, year)
		}
		for box, tax := range map[string]string{"fed_income_tax_2": "Federal Income Tax", "ss_tax_4": "Social Security Tax", "med_tax_6": "Medicare Tax"} {
			if got := cents(t, get(d, "ocr_data.form."+box)); got != withheld[tax] {
				t.Errorf("W-2 %s %s: box %s %v, the year's paystubs withheld %v", id, year, box, got, withheld[tax])
			}
		}

		// The file: a PDF for A, 404 for others, 401 without credentials.
		status, h, body := e.download(t, &k, d["file_url"].(string))
		if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment; filename=") || h.Get("Cache-Control") != "private, no-store" {
			t.Errorf("file of %s: %d %v %q", id, status, h, body[:min(len(body), 20)])
		}
		for _, other := range []key{e.B, e.AProd} {
			status, h, body := e.download(t, &other, d["file_url"].(string))
			if status != http.StatusNotFound || h.Get("Content-Type") != "application/json" || bytes.Contains(body, []byte("%PDF")) {
				t.Errorf("file of %s for another tenant: %d %s", id, status, body)
			}
		}
		if status, _, _ := e.download(t, nil, d["file_url"].(string)); status != http.StatusUnauthorized {
			t.Errorf("file without credentials: %d", status)
		}
	}

	// Filters.
	day := all[0]["available_date"].(string)[:10]
	check := func(query string, keep func(d map[string]any) bool) {
		t.Helper()
		var want []string
		for _, d := range all {
			if keep(d) {
				want = append(want, d["id"].(string))
			}
		}
		sameList(t, query, want, idsOf(e.walkData(t, k, "/partners/v2/payroll-documents?user="+f.u1+"&limit=2&"+query)))
	}
	date := func(d map[string]any) string { return d["available_date"].(string)[:10] }
	check("account="+f.bob.ID, func(d map[string]any) bool { return d["account"] == f.bob.ID })
	check("employment="+all[1]["employment"].(string), func(d map[string]any) bool { return d["employment"] == all[1]["employment"] })
	check("from_available_date="+day, func(d map[string]any) bool { return date(d) >= day })
	check("from_available_date="+day+"T12:00:00Z", func(d map[string]any) bool { return date(d) > day })
	check("to_available_date="+day+"T12:00:00Z", func(d map[string]any) bool { return date(d) <= day })
	check("to_available_date=2000-01-01", func(d map[string]any) bool { return false })
	check("account="+f.sarah.ID, func(d map[string]any) bool { return false })
}

// download GETs a URL with k's credentials (none when k is nil) without the
// harness's JSON checks, for file downloads.
func (e *env) download(t testing.TB, k *key, u string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k != nil {
		req.SetBasicAuth(k.ID, k.Secret)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("GET %s: no X-Request-Id", u)
	}
	return resp.StatusCode, resp.Header, b
}

func TestDataIsolation(t *testing.T) {
	f := newDataFixture(t)
	e := f.e
	stub := e.records(t, store.RecordPaystub, f.bob)[0]
	doc := e.records(t, store.RecordPayrollDocument, f.bob)[0]
	emp := e.records(t, store.RecordEmployment, f.bob)[0]
	paths := []string{
		"/partners/v2/accounts/" + f.bob.ID,
		"/partners/v2/paystubs/" + stub.ID,
		"/partners/v2/payroll-documents/" + doc.ID,
		"/partners/v2/payroll-documents/" + doc.ID + "/file",
	}
	for _, p := range paths {
		if status, _, _ := e.download(t, &e.A, e.srv.URL+p); status != http.StatusOK {
			t.Errorf("A: GET %s: %d", p, status)
		}
		for _, k := range []key{e.B, e.AProd} {
			detailOf(t, e.call(t, k, "GET", p, nil), http.StatusNotFound)
		}
	}
	// Ids of the wrong kind, unknown ids and ids that are not UUIDs.
	for _, p := range []string{
		"/partners/v2/paystubs/" + doc.ID, "/partners/v2/payroll-documents/" + stub.ID, "/partners/v2/paystubs/" + emp.ID,
		"/partners/v2/accounts/" + stub.ID, "/partners/v2/payroll-documents/" + emp.ID + "/file",
		"/partners/v2/accounts/" + unknownID, "/partners/v2/paystubs/" + unknownID, "/partners/v2/payroll-documents/" + unknownID,
		"/partners/v2/accounts/nope", "/partners/v2/paystubs/nope", "/partners/v2/payroll-documents/nope/file",
	} {
		detailOf(t, e.call(t, e.A, "GET", p, nil), http.StatusNotFound)
	}
	// Lists: another tenant's user or account selects nothing.
	for _, k := range []key{e.B, e.AProd} {
		for _, p := range []string{
			"/partners/v2/accounts?user=" + f.u1,
			"/partners/v2/paystubs?user=" + f.u1,
			"/partners/v2/paystubs?account=" + f.bob.ID,
			"/partners/v2/payroll-documents?user=" + f.u1,
			"/partners/v2/payroll-documents?user=" + f.u1 + "&account=" + f.bob.ID,
		} {
			if got := e.walkData(t, k, p); len(got) != 0 {
				t.Errorf("%s lists %d of A's objects", p, len(got))
			}
		}
	}
	// B sees its own data only.
	bStubs := e.walkData(t, e.B, "/partners/v2/paystubs?limit=200")
	sameList(t, "B's paystubs", inOrder(e.records(t, store.RecordPaystub, f.bAccount)), idsOf(bStubs))
	sameList(t, "B's accounts", []string{f.bAccount.ID}, idsOf(e.walkData(t, e.B, "/partners/v2/accounts?user="+f.ub)))
	// Other methods.
	for _, p := range append(paths, "/partners/v2/accounts", "/partners/v2/paystubs", "/partners/v2/payroll-documents") {
		r := e.call(t, e.A, "DELETE", p, nil)
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET" {
			t.Errorf("DELETE %s: %s (Allow %q)", p, r, r.Header.Get("Allow"))
		}
	}
}

func TestDataBadParams(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A
	u := f.u1
	vcursor := func() string {
		// A verifications cursor (an id) is not a records cursor.
		e.orderID(t, k, u, "voie")
		e.orderID(t, k, u, "voie")
		next := e.ok(t, k, "GET", "/partners/v2/verifications?limit=1", nil)["next"].(string)
		p, _ := url.Parse(next)
		return p.Query().Get("cursor")
	}()
	stubCursor := func() string {
		next := e.ok(t, k, "GET", "/partners/v2/paystubs?user="+u+"&limit=1", nil)["next"].(string)
		p, _ := url.Parse(next)
		return p.Query().Get("cursor")
	}()
	for _, tc := range []struct {
		path   string
		fields []string
	}{
		{"/partners/v2/accounts", []string{"user"}},
		{"/partners/v2/accounts?user=", []string{"user"}},
		{"/partners/v2/accounts?user=nope", []string{"user"}},
		{"/partners/v2/accounts?user=" + u + "&ongoing_refresh_status=sometimes", []string{"ongoing_refresh_status"}},
		{"/partners/v2/accounts?user=" + u + "&limit=0", []string{"limit"}},
		{"/partners/v2/accounts?user=" + u + "&limit=201", []string{"limit"}},
		{"/partners/v2/accounts?user=" + u + "&limit=ten", []string{"limit"}},
		{"/partners/v2/accounts?user=" + u + "&cursor=garbage", []string{"cursor"}},
		{"/partners/v2/accounts?user=" + u + "&cursor=" + stubCursor, []string{"cursor"}},
		{"/partners/v2/paystubs?user=nope&account=1&employment=x", []string{"user", "account", "employment"}},
		{"/partners/v2/paystubs?from_start_date=2024-13-01", []string{"from_start_date"}},
		{"/partners/v2/paystubs?to_start_date=yesterday", []string{"to_start_date"}},
		{"/partners/v2/paystubs?from_start_date=2024-01-01T25:00:00Z&to_start_date=2024/01/01", []string{"from_start_date", "to_start_date"}},
		{"/partners/v2/paystubs?from_start_date=2024-01-01T10:00:00", []string{"from_start_date"}}, // no zone
		{"/partners/v2/paystubs?cursor=" + vcursor, []string{"cursor"}},
		{"/partners/v2/paystubs?limit=-1&cursor=eyJhIjoiMjAyNC0wMS0wMXxub3BlIn0", []string{"limit", "cursor"}},
		{"/partners/v2/payroll-documents", []string{"user"}},
		{"/partners/v2/payroll-documents?user=" + u + "&account=nope&from_available_date=2024-02-30&to_available_date=x", []string{"account", "from_available_date", "to_available_date"}},
		{"/partners/v2/payroll-documents?user=" + u + "&employment=" + u + "x", []string{"employment"}},
	} {
		r := e.call(t, k, "GET", tc.path, nil)
		for _, field := range tc.fields {
			fieldError(t, r, field)
		}
		if m := r.obj(t); len(m) != len(tc.fields) {
			t.Errorf("%s: errors for %v, want exactly %v", tc.path, keysOf(m), tc.fields)
		}
	}
	// Accepted forms of dates and cursors.
	for _, p := range []string{
		"/partners/v2/paystubs?from_start_date=2024-01-05&to_start_date=2025-01-05T10:00:00Z",
		"/partners/v2/paystubs?from_start_date=" + url.QueryEscape("2024-01-05T10:00:00.123+02:00"),
		"/partners/v2/payroll-documents?user=" + strings.ToUpper(u) + "&from_available_date=2020-01-01T00:00:00Z",
		"/partners/v2/paystubs?user=" + u + "&cursor=" + stubCursor + "&limit=200",
		"/partners/v2/accounts?user=" + u + "&item=anything%20at%20all",
	} {
		e.ok(t, k, "GET", p, nil)
	}
}

// TestDataAfterSandboxConnection connects a sandbox account through the
// connection flow and the aggregation worker, then reads it back.
func TestDataAfterSandboxConnection(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	user := e.createUser(t, k, nil)
	v := e.orderID(t, k, user, "voie")
	link := e.ok(t, k, "POST", "/partners/v2/sessions", map[string]any{"verification": v})["link"].(string)
	claims, err := e.app.Sessions.Open(link[strings.LastIndex(link, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.Open(ctx, claims); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.Select(ctx, claims, "item_000000001"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.SignIn(ctx, claims, datasource.Credentials{Username: "test_1", Password: sandboxdata.PasswordGood}); err != nil {
		t.Fatal(err)
	}
	st, err := e.app.Flow.Verify(ctx, claims, "8081")
	if err != nil {
		t.Fatal(err)
	}
	// Before aggregation: connected, data in progress.
	accts := e.walkData(t, k, "/partners/v2/accounts?user="+user)
	if len(accts) != 1 || accts[0]["id"] != st.Session.AccountID || get(accts[0], "availability.paystubs.status") != "in_progress" ||
		accts[0]["scanned_at"] != nil || get(accts[0], "connection.status") != "connected" {
		t.Fatalf("before aggregation: %s", jsonString(accts))
	}
	if got := e.walkData(t, k, "/partners/v2/paystubs?user="+user); len(got) != 0 {
		t.Fatalf("paystubs before aggregation: %d", len(got))
	}
	if did, err := e.app.Aggregator.RunOnce(ctx); !did || err != nil {
		t.Fatalf("aggregate: %v, %v", did, err)
	}
	acct := e.ok(t, k, "GET", "/partners/v2/accounts/"+st.Session.AccountID, nil)
	stubs := e.walkData(t, k, "/partners/v2/paystubs?user="+user+"&limit=50")
	docs := e.walkData(t, k, "/partners/v2/payroll-documents?user="+user+"&limit=50")
	if get(acct, "availability.paystubs.status") != "synced" || acct["scanned_at"] == nil || len(stubs) < 40 ||
		get(acct, "availability.paystubs.available_count") != float64(len(stubs)) || len(acct["employers"].([]any)) != 1 ||
		get(acct, "availability.paystubs.available_to") != stubs[0]["paystub_date"] || len(docs) == 0 {
		t.Fatalf("after aggregation: %s with %d paystubs and %d documents", jsonString(acct), len(stubs), len(docs))
	}
	for _, p := range stubs {
		if p["account"] != acct["id"] || p["employer"] != acct["employers"].([]any)[0] {
			t.Fatalf("paystub %v of account %v", p["account"], acct["id"])
		}
	}
	checkPaystubArithmetic(t, stubs, 3)
	if status, _, body := e.download(t, &k, docs[0]["file_url"].(string)); status != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("file: %d", status)
	}
}
