package api_test

// /v2 accounts and their payroll data: every success response is checked
// against the /v2 document by e.send.

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"verigate/internal/store"
)

func TestV2Accounts(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A

	all := e.walkData(t, k, "/v2/accounts?limit=2")
	want := []string{f.bob.ID, f.joe.ID, f.failed.ID, f.docs.ID, f.sarah.ID}
	slices.Sort(want)
	slices.Reverse(want)
	sameList(t, "accounts of partner A, newest first", want, idsOf(all))
	for _, a := range all {
		if a["id"] == f.bAccount.ID {
			t.Fatal("another partner's account listed")
		}
	}
	mine := e.walkData(t, k, "/v2/accounts?user="+f.u1+"&limit=1")
	if len(mine) != 4 {
		t.Errorf("u1 has %d accounts, want 4", len(mine))
	}
	bob := e.ok(t, k, "GET", "/v2/accounts/"+f.bob.ID, nil)
	if get(bob, "availability.deposit_destinations.status") != "synced" || get(bob, "availability.paystubs.status") != "synced" {
		t.Errorf("availability %v", bob["availability"])
	}
	if n, _ := get(bob, "availability.paystubs.available_count").(float64); n == 0 {
		t.Errorf("paystubs.available_count %v", get(bob, "availability.paystubs.available_count"))
	}
	if get(bob, "ongoing_refresh.status") != "enabled" || get(bob, "connection.status") != "connected" {
		t.Errorf("bob %v %v", bob["ongoing_refresh"], bob["connection"])
	}
	failed := e.ok(t, k, "GET", "/v2/accounts/"+f.failed.ID, nil)
	if get(failed, "connection.error_code") != "account_disabled" || get(failed, "ongoing_refresh.status") != "disabled" {
		t.Errorf("failed account %v %v", failed["connection"], failed["ongoing_refresh"])
	}
	// The partners surface keeps its shape: no deposit destinations there.
	if p := e.ok(t, k, "GET", "/partners/v2/accounts/"+f.bob.ID, nil); get(p, "availability.deposit_destinations") != nil {
		t.Errorf("partners account has deposit_destinations %v", get(p, "availability.deposit_destinations"))
	}

	// Filters.
	idle := e.ok(t, k, "GET", "/v2/accounts?ongoing_refresh_status=idle", nil)
	sameList(t, "idle accounts", []string{f.docs.ID}, idsOf(anyMaps(idle["results"])))
	byItem := e.ok(t, k, "GET", "/v2/accounts?item=item_000000003", nil)
	sameList(t, "accounts of item 3", []string{f.joe.ID}, idsOf(anyMaps(byItem["results"])))
	if got := e.ok(t, k, "GET", "/v2/accounts?user="+f.ub, nil); len(anyMaps(got["results"])) != 0 {
		t.Errorf("a filter naming another partner's user listed %v", got["results"])
	}

	// Bad input answers 4xx with the field named.
	for path, field := range map[string]string{
		"/v2/accounts?user=nope":                  "user",
		"/v2/accounts?ongoing_refresh_status=off": "ongoing_refresh_status",
		"/v2/accounts?limit=201":                  "limit",
		"/v2/accounts?limit=0":                    "limit",
		"/v2/accounts?cursor=xyz":                 "cursor",
		"/v2/accounts?usr=" + f.u1:                "usr",
	} {
		r := e.call(t, k, "GET", path, nil)
		if r.Status != http.StatusBadRequest || len(fieldError(t, r, field)) == 0 {
			t.Errorf("%s: %s", path, r)
		}
	}
	for _, path := range []string{"/v2/accounts/not-a-uuid", "/v2/accounts/" + f.bAccount.ID, "/v2/accounts/" + store.NewID()} {
		for _, m := range []string{"GET", "DELETE"} {
			if r := e.call(t, k, m, path, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s %s: %s", m, path, r)
			}
		}
		if r := e.call(t, k, "POST", path+"/disable-ongoing-refresh", nil); r.Status != http.StatusNotFound {
			t.Errorf("disable %s: %s", path, r)
		}
	}
	if r := e.call(t, e.AProd, "GET", "/v2/accounts/"+f.bob.ID, nil); r.Status != http.StatusNotFound {
		t.Errorf("production key reads a sandbox account: %s", r)
	}
}

func TestV2DisableOngoingRefresh(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A
	path := "/v2/accounts/" + f.bob.ID + "/disable-ongoing-refresh"
	got := e.ok(t, k, "POST", path, nil)
	if get(got, "ongoing_refresh.status") != "disabled" || got["id"] != f.bob.ID {
		t.Fatalf("after disabling: %v", got["ongoing_refresh"])
	}
	again := e.ok(t, k, "POST", path, nil)
	if again["updated_at"] != got["updated_at"] {
		t.Errorf("disabling again changed updated_at %v → %v", got["updated_at"], again["updated_at"])
	}
	read := e.ok(t, k, "GET", "/v2/accounts/"+f.bob.ID, nil)
	if get(read, "ongoing_refresh.status") != "disabled" {
		t.Errorf("read back %v", read["ongoing_refresh"])
	}
	disabled := e.ok(t, k, "GET", "/v2/accounts?ongoing_refresh_status=disabled&user="+f.u1, nil)
	sameList(t, "disabled accounts of u1", []string{f.failed.ID, f.bob.ID}, sortedDesc(idsOf(anyMaps(disabled["results"]))))
	if r := e.call(t, f.e.B, "POST", path, nil); r.Status != http.StatusNotFound {
		t.Errorf("another partner disabled it: %s", r)
	}

	// A refresh no longer aggregates a disabled account again: u2's only
	// account disabled, a refresh of u2 is refused.
	e.ok(t, k, "POST", "/v2/accounts/"+f.sarah.ID+"/disable-ongoing-refresh", nil)
	r := e.call(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": f.u2, "report": map[string]any{"type": "voie"}})
	if msgs := fieldError(t, r, "user"); r.Status != http.StatusBadRequest || len(msgs) == 0 || !strings.Contains(msgs[0], "Ongoing refresh is disabled") {
		t.Errorf("refresh of a user whose only account is disabled: %s", r)
	}
	// u1 still has an enabled connected account (joe's): its refresh runs.
	e.ok(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": f.u1, "report": map[string]any{"type": "voie"}})
}

func sortedDesc(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

func TestV2DeleteAccount(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A
	stub := anyMaps(e.ok(t, k, "GET", "/v2/paystubs?account="+f.bob.ID+"&limit=1", nil)["results"])[0]["id"].(string)
	ident := anyMaps(e.ok(t, k, "GET", "/v2/identities?account="+f.bob.ID, nil)["results"])[0]["id"].(string)
	dd := anyMaps(e.ok(t, k, "GET", "/v2/deposit-destinations?account="+f.bob.ID, nil)["results"])[0]["id"].(string)

	if r := e.call(t, f.e.B, "DELETE", "/v2/accounts/"+f.bob.ID, nil); r.Status != http.StatusNotFound {
		t.Fatalf("another partner deleted it: %s", r)
	}
	if r := e.call(t, k, "DELETE", "/v2/accounts/"+f.bob.ID, nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("DELETE: %s", r)
	}
	for _, path := range []string{"/v2/accounts/" + f.bob.ID, "/v2/paystubs/" + stub, "/v2/identities/" + ident,
		"/v2/deposit-destinations/" + dd, "/partners/v2/accounts/" + f.bob.ID, "/partners/v2/paystubs/" + stub} {
		if r := e.call(t, k, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("after deletion %s: %s", path, r)
		}
	}
	if r := e.call(t, k, "DELETE", "/v2/accounts/"+f.bob.ID, nil); r.Status != http.StatusNotFound {
		t.Errorf("deleting twice: %s", r)
	}
	for _, path := range []string{"/v2/paystubs?account=", "/v2/identities?account=", "/v2/employments?account=", "/v2/deposit-destinations?account=", "/v2/payroll-documents?account="} {
		if got := e.ok(t, k, "GET", path+f.bob.ID, nil); len(anyMaps(got["results"])) != 0 {
			t.Errorf("%s lists %d records of a deleted account", path, len(anyMaps(got["results"])))
		}
	}
	// The user's other accounts keep their data.
	if got := e.ok(t, k, "GET", "/v2/paystubs?account="+f.joe.ID, nil); len(anyMaps(got["results"])) == 0 {
		t.Error("deleting one account removed another's paystubs")
	}
}

func TestV2PayrollData(t *testing.T) {
	f := newDataFixture(t)
	e, k := f.e, f.e.A

	// Paystubs: the same records as on the partners surface, filters and pages.
	v2 := e.walkData(t, k, "/v2/paystubs?user="+f.u1+"&limit=37")
	p := e.walkData(t, k, "/partners/v2/paystubs?user="+f.u1+"&limit=50")
	sameList(t, "paystubs on both surfaces", idsOf(p), idsOf(v2))
	if len(v2) == 0 {
		t.Fatal("no paystubs")
	}
	for _, s := range v2 {
		if s["user"] != nil {
			t.Fatalf("paystub has a user field: %v", s)
		}
		if g, ok := s["gross_pay"].(string); !ok || !strings.Contains(g, ".") {
			t.Fatalf("gross_pay %v is not a decimal string", s["gross_pay"])
		}
	}
	ranged := e.walkData(t, k, "/v2/paystubs?account="+f.joe.ID+"&from_start_date=2025-01-01&to_start_date=2025-03-31T23:00:00Z&limit=5")
	for _, s := range ranged {
		d := s["paystub_date"].(string)
		if d < "2025-01-01" || d > "2025-03-31T23" || s["account"] != f.joe.ID {
			t.Errorf("paystub %s dated %s of %s outside the filter", s["id"], d, s["account"])
		}
	}
	if len(ranged) == 0 {
		t.Error("no paystubs in the first quarter of 2025")
	}
	one := e.ok(t, k, "GET", "/v2/paystubs/"+v2[0]["id"].(string), nil)
	if one["id"] != v2[0]["id"] {
		t.Errorf("GET paystub %v", one["id"])
	}

	// Employments: Joe's account has two jobs, Bob's one.
	emps := e.walkData(t, k, "/v2/employments?user="+f.u1+"&limit=1")
	if len(emps) != 3 {
		t.Errorf("u1 has %d employments, want 3", len(emps))
	}
	for _, em := range emps {
		if em["user"] != f.u1 || em["origin"] != "retrieved" {
			t.Errorf("employment %v", em)
		}
		byEmp := e.ok(t, k, "GET", "/v2/paystubs?employment="+em["id"].(string)+"&limit=200", nil)
		for _, s := range anyMaps(byEmp["results"]) {
			if s["employment"] != em["id"] {
				t.Errorf("paystub of employment %v listed for %v", s["employment"], em["id"])
			}
		}
	}

	// Identities: one per payroll account, carrying its current job.
	ids := e.walkData(t, k, "/v2/identities?user="+f.u1)
	if len(ids) != 2 { // bob and joe; the failed account aggregated nothing
		t.Errorf("identities of u1 %v, want bob's and joe's", idsOf(ids))
	}
	for _, id := range ids {
		if id["employment"] == nil || id["employer"] == nil || get(id, "base_pay.amount") == nil {
			t.Errorf("identity without its employment: %v", id)
		}
		got := e.ok(t, k, "GET", "/v2/identities?employment="+id["employment"].(string), nil)
		sameList(t, "identity by employment", []string{id["id"].(string)}, idsOf(anyMaps(got["results"])))
		e.ok(t, k, "GET", "/v2/identities/"+id["id"].(string), nil)
	}

	// Deposit destinations: each employment takes the remainder once.
	dds := e.walkData(t, k, "/v2/deposit-destinations?user="+f.u1+"&limit=1")
	remainder := 0
	for _, d := range dds {
		if d["destination_type"] != "ach_deposit_account" || get(d, "ach_deposit_account.routing_number") == nil {
			t.Errorf("deposit destination %v", d)
		}
		if d["allocation_value"] == "remainder" {
			remainder++
		}
	}
	if remainder != 3 {
		t.Errorf("%d remainder destinations for u1's 3 employments", remainder)
	}
	e.ok(t, k, "GET", "/v2/deposit-destinations/"+dds[0]["id"].(string), nil)

	// Payroll documents: user optional on /v2, file_url on /v2.
	docs := e.walkData(t, k, "/v2/payroll-documents?limit=2")
	if len(docs) == 0 {
		t.Fatal("no payroll documents")
	}
	url := docs[0]["file_url"].(string)
	if !strings.HasPrefix(url, e.srv.URL+"/v2/payroll-documents/") {
		t.Errorf("file_url %s", url)
	}

	// Other tenants, kinds and bad input.
	for _, path := range []string{
		"/v2/paystubs/" + dds[0]["id"].(string), "/v2/deposit-destinations/" + v2[0]["id"].(string),
		"/v2/identities/not-a-uuid", "/v2/identities/" + store.NewID(),
	} {
		if r := e.call(t, k, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s: %s", path, r)
		}
	}
	for _, path := range []string{"/v2/paystubs", "/v2/identities", "/v2/deposit-destinations"} {
		list := e.ok(t, f.e.B, "GET", path+"?limit=200", nil)
		for _, x := range anyMaps(list["results"]) {
			if x["account"] != f.bAccount.ID {
				t.Errorf("partner B lists %s of account %v", path, x["account"])
			}
		}
	}
	for path, field := range map[string]string{
		"/v2/paystubs?from_start_date=yesterday":          "from_start_date",
		"/v2/paystubs?employment=1":                       "employment",
		"/v2/paystubs?limit=500":                          "limit",
		"/v2/paystubs?status=completed":                   "status",
		"/v2/identities?account=x":                        "account",
		"/v2/employments?employment=" + store.NewID():     "employment",
		"/v2/deposit-destinations?cursor=Zm9v":            "cursor",
		"/v2/payroll-documents?to_available_date=2024-13": "to_available_date",
	} {
		r := e.call(t, k, "GET", path, nil)
		if r.Status != http.StatusBadRequest || len(fieldError(t, r, field)) == 0 {
			t.Errorf("%s: %s", path, r)
		}
	}
	// The partners surface still ignores unknown parameters.
	e.ok(t, k, "GET", "/partners/v2/paystubs?status=completed", nil)
}
