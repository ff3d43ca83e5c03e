package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestV2VerificationsFollowTheDocument orders each kind of verification on
// /v2 with the document's own request examples and compares the answers
// with its response examples: the ClientVerification shape, without the
// Partners v2 client field.
func TestV2VerificationsFollowTheDocument(t *testing.T) {
	doc := v2Contract(t)
	if doc == nil {
		t.Skipf("%s not found", v2ContractPath)
	}
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	for _, name := range []string{"payroll", "banking", "documents"} {
		body := contractExample(t, doc, "POST", "/v2/verifications", false, name).(map[string]any)
		body["user"] = user
		got := e.ok(t, k, "POST", "/v2/verifications", body)
		want := contractExample(t, doc, "POST", "/v2/verifications", true, name).(map[string]any)
		want["id"], want["user"] = got["id"], user
		sameAsExample(t, want, got)
		if _, ok := got["client"]; ok {
			t.Errorf("%s: /v2 shows client: %v", name, got)
		}
		// The same verification on both surfaces: the same fields, but client.
		id := got["id"].(string)
		p := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
		g := e.ok(t, k, "GET", "/v2/verifications/"+strings.ToUpper(id), nil)
		if p["client"] != k.Client {
			t.Errorf("partners client %v", p["client"])
		}
		delete(p, "client")
		for _, d := range diff("", p, g) {
			t.Errorf("%s: /v2 and /partners/v2 differ: %s", name, d)
		}
	}
}

func TestV2VerificationOperations(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	order := func(typ, loan string) string {
		return e.ok(t, k, "POST", "/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": typ},
			"loan": map[string]any{"number": loan}})["id"].(string)
	}
	voie := order("voie", "L1")
	voa := order("voa", "L2")

	// List, with filters and links on /v2.
	ids, next, _ := e.listed(t, k, "/v2/verifications?limit=1")
	if fmt.Sprint(ids) != fmt.Sprint([]string{voa}) || !strings.HasPrefix(next, e.srv.URL+"/v2/verifications?") {
		t.Errorf("first page %v, next %q", ids, next)
	}
	if ids, _, prev := e.listed(t, k, next); fmt.Sprint(ids) != fmt.Sprint([]string{voie}) || !strings.HasPrefix(prev, e.srv.URL+"/v2/verifications?") {
		t.Errorf("second page %v, previous %q", ids, prev)
	}
	for q, want := range map[string][]string{"report_type=voa": {voa}, "loan_number=L1": {voie}, "user=" + user: {voa, voie}, "status_state=COMPLETED": nil} {
		if ids, _, _ := e.listed(t, k, "/v2/verifications?"+q); fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", q, ids, want)
		}
	}
	list := e.ok(t, k, "GET", "/v2/verifications", nil)
	for _, v := range list["results"].([]any) {
		if _, ok := v.(map[string]any)["client"]; ok {
			t.Errorf("a listed verification shows client: %v", v)
		}
	}

	// PATCH merges and re-enters PROCESSING.
	got := e.ok(t, k, "PATCH", "/v2/verifications/"+voie, map[string]any{"loan": map[string]any{"borrower_id": "B2"}})
	if get(got, "loan.number") != "L1" || get(got, "loan.borrower_id") != "B2" || get(got, "status.state") != "PROCESSING" {
		t.Errorf("PATCH: %v", got)
	}
	// Cancel: PAUSED only.
	msg := detailOf(t, e.call(t, k, "POST", "/v2/verifications/"+voa+"/cancel", nil), http.StatusConflict)
	if !strings.Contains(msg, "PENDING") {
		t.Errorf("409 %q does not name the state", msg)
	}
	e.pauseConnection(t, k, voa)
	got = e.ok(t, k, "POST", "/v2/verifications/"+voa+"/cancel", nil)
	if get(got, "status.state") != "CANCELLED" || get(got, "status.code") != "cancelled_by_client" {
		t.Errorf("cancel: %v", got["status"])
	}
	// Refresh needs a connected account.
	fieldError(t, e.call(t, k, "POST", "/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "voe"}}), "user")
	e.connectAccount(t, user, "payroll")
	got = e.ok(t, k, "POST", "/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "voe"}})
	if get(got, "status.state") != "PENDING" || got["data_source"] != "payroll" {
		t.Errorf("refresh: %v", got)
	}
	if _, ok := got["client"]; ok {
		t.Errorf("refresh shows client: %v", got)
	}

	// Bad input: 400s and 404s, nothing written.
	foreign := e.createUser(t, e.B, nil)
	e.unchanged(t, "refused /v2 requests", func() {
		fieldError(t, e.call(t, k, "POST", "/v2/verifications", map[string]any{"user": user}), "report")
		fieldError(t, e.call(t, k, "POST", "/v2/verifications", map[string]any{"user": "nope", "report": map[string]any{"type": "voie"}}), "user")
		fieldError(t, e.call(t, k, "POST", "/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "vo"}}), "report.type")
		detailOf(t, e.call(t, k, "POST", "/v2/verifications", map[string]any{"user": foreign, "report": map[string]any{"type": "voie"}}), 404)
		detailOf(t, e.call(t, k, "POST", "/v2/verifications/refresh", map[string]any{"user": foreign, "report": map[string]any{"type": "voie"}}), 404)
		fieldError(t, e.call(t, k, "POST", "/v2/verifications", "[1]"), "non_field_errors")
		detailOf(t, e.call(t, k, "POST", "/v2/verifications", `{"user":`), 400)
		fieldError(t, e.call(t, k, "GET", "/v2/verifications?user=nope&status_state=DONE", nil), "status_state")
		fieldError(t, e.call(t, k, "GET", "/v2/verifications?user=nope", nil), "user")
		fieldError(t, e.call(t, k, "GET", "/v2/verifications?cursor=nope", nil), "cursor")
		fieldError(t, e.call(t, k, "PATCH", "/v2/verifications/"+voie, map[string]any{"loan": map[string]any{"officer_email": "bad"}}), "loan.officer_email")
		// Other tenants' ids are unknown ids.
		for _, other := range []key{e.B, e.AProd} {
			detailOf(t, e.call(t, other, "GET", "/v2/verifications/"+voie, nil), 404)
			detailOf(t, e.call(t, other, "PATCH", "/v2/verifications/"+voie, map[string]any{"loan": map[string]any{"number": "X"}}), 404)
			detailOf(t, e.call(t, other, "POST", "/v2/verifications/"+voa+"/cancel", nil), 404)
			detailOf(t, e.call(t, other, "POST", "/v2/sessions", map[string]any{"verification": voie}), 404)
			if ids, _, _ := e.listed(t, other, "/v2/verifications?user="+user); len(ids) != 0 {
				t.Errorf("another tenant lists %v", ids)
			}
		}
		detailOf(t, e.call(t, k, "GET", "/v2/verifications/not-a-uuid", nil), 404)
		detailOf(t, e.call(t, k, "PUT", "/v2/verifications/"+voie, map[string]any{}), 405)
	})
}

// TestV2Sessions: the /v2 twin of session creation makes the same links.
func TestV2Sessions(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	payroll := e.orderID(t, k, user, "voie")
	banking := e.orderID(t, k, user, "voa")
	got := e.ok(t, k, "POST", "/v2/sessions", map[string]any{"verification": payroll,
		"configuration": map[string]any{"redirect_url": "https://your-application.com/return", "flow_id": "12ABCD3E",
			"items": []any{"item_000000001", "item_000000002"}, "language": "EN", "mobile_app": true}})
	sameAsExample(t, map[string]any{
		"verification": payroll,
		"configuration": map[string]any{"experience": nil, "single_use_url": false, "redirect_url": "https://your-application.com/return",
			"flow_id": "12ABCD3E", "items": []any{"item_000000001", "item_000000002"}, "language": "EN", "mobile_app": true},
		"data_source": "payroll",
	}, got, "link")
	link, _ := got["link"].(string)
	if !tokenRE.MatchString(link) || !strings.HasPrefix(link, e.srv.URL+"/connect/") {
		t.Errorf("link %q", link)
	}
	if r := e.open(t, link); r.Status != http.StatusOK {
		t.Errorf("the /v2 link does not open: %s", r)
	}
	got = e.ok(t, k, "POST", "/v2/sessions", map[string]any{"verification": banking,
		"configuration": map[string]any{"experience": "97f1eccb-241d-4052-8409-fab9e27a589b", "single_use_url": false}})
	if get(got, "configuration.experience") != "97f1eccb-241d-4052-8409-fab9e27a589b" || got["data_source"] != "banking" {
		t.Errorf("banking session: %v", got)
	}
	fieldError(t, e.call(t, k, "POST", "/v2/sessions", map[string]any{}), "verification")
	fieldError(t, e.call(t, k, "POST", "/v2/sessions", map[string]any{"verification": payroll, "configuration": map[string]any{"language": "XX"}}), "configuration.language")
	detailOf(t, e.call(t, k, "POST", "/v2/sessions", map[string]any{"verification": unknownID}), 404)
}

// listed GETs one page of a /v2 listing and returns its ids and links,
// which must be absolute URLs of the same listing.
func (e *env) listed(t testing.TB, k key, u string) (ids []string, next, prev string) {
	t.Helper()
	m := e.ok(t, k, "GET", u, nil)
	results, ok := m["results"].([]any)
	if !ok {
		t.Fatalf("no results list: %v", m)
	}
	for _, r := range results {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	path := strings.TrimPrefix(u, e.srv.URL)
	path, _, _ = strings.Cut(path, "?")
	for _, f := range []string{"next", "previous"} {
		v, present := m[f]
		if !present {
			t.Fatalf("%s missing from the list envelope", f)
		}
		if s, _ := v.(string); s != "" {
			if !strings.HasPrefix(s, e.srv.URL+path+"?") {
				t.Errorf("%s %q is not an absolute URL of %s", f, s, path)
			}
			if f == "next" {
				next = s
			} else {
				prev = s
			}
		}
	}
	return ids, next, prev
}
