package api_test

// Fuzz targets for bad input: random and mutated bodies, query strings and
// content types sent to every route through the real router. `go test` runs
// the seed corpus; explore further with, for example,
//
//	go test ./internal/api -run '^$' -fuzz FuzzAPI -fuzztime 60s
//
// With VERIGATE_TEST_POSTGRES_URL set they run on PostgreSQL (in a schema of
// their own), which refuses some text SQLite accepts (NUL, invalid UTF-8).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"verigate/internal/store/postgres/pgtest"
)

// fuzzDB returns a database for a fuzz target's env: a fresh PostgreSQL
// schema when VERIGATE_TEST_POSTGRES_URL is set, else an SQLite file.
func fuzzDB(tb testing.TB) (dbURL string, sqlite bool) {
	base := os.Getenv("VERIGATE_TEST_POSTGRES_URL")
	if base == "" {
		return filepath.Join(tb.TempDir(), "verigate.db"), true
	}
	return pgtest.Schema(tb, base, "verigate_fuzz"), false
}

// fuzzRoutes lists every partner API route with a body or a query, and the
// content type its body normally has.
func fuzzRoutes(ids map[string]string) []struct{ method, path, ct string } {
	u, v, w := ids["user"], ids["verification"], ids["webhook"]
	return []struct{ method, path, ct string }{
		{"POST", "/partners/v2/users", "application/json"},
		{"PATCH", "/partners/v2/users/" + u, "application/json"},
		{"GET", "/partners/v2/users/" + u, ""},
		{"GET", "/partners/v2/verifications", ""},
		{"POST", "/partners/v2/verifications", "application/json"},
		{"POST", "/partners/v2/verifications/refresh", "application/json"},
		{"GET", "/partners/v2/verifications/" + v, ""},
		{"PATCH", "/partners/v2/verifications/" + v, "application/json"},
		{"POST", "/partners/v2/verifications/" + ids["paused"] + "/cancel", "application/json"},
		{"POST", "/partners/v2/sessions", "application/json"},
		{"GET", "/partners/v2/webhooks", ""},
		{"POST", "/partners/v2/webhooks", "application/json"},
		{"GET", "/partners/v2/webhooks/" + w + "/deliveries", ""},
		{"GET", "/partners/v2/accounts", ""},
		{"GET", "/partners/v2/paystubs", ""},
		{"GET", "/partners/v2/payroll-documents", ""},
		{"GET", "/partners/v2/bank-accounts", ""},
		{"GET", "/partners/v2/bank-transactions", ""},
		{"POST", "/partners/v2/user-uploads", "multipart/form-data; boundary=b"},
		{"POST", "/partners/v2/receipts", "application/json"},
		{"GET", "/partners/v2/flows", ""},
		{"POST", "/partners/v2/flows", "application/json"},
		{"PATCH", "/partners/v2/flows/" + ids["flow"], "application/json"},
		{"PUT", "/partners/v2/flows/" + ids["flow"] + "/logo", "image/png"},
		{"POST", "/partners/v2/experiences", "application/json"},
		{"PATCH", "/partners/v2/experiences/" + ids["experience"], "application/json"},
		{"GET", "/v2/verifications", ""},
		{"POST", "/v2/verifications", "application/json"},
		{"POST", "/v2/reports/voie", "application/json"},
		{"GET", "/v2/reports", ""},
		{"GET", "/v2/user-uploads", ""},
		{"POST", "/v2/user-uploads", "multipart/form-data; boundary=b"},
		{"PATCH", "/partners/v2/sandbox/settings", "application/json"},
		{"POST", "/partners/v2/sandbox/webhooks/" + w + "/test", "application/json"},
		{"POST", "/v2/sandbox/accounts/" + u + "/paystubs", "application/json"},
		// The /v2 API's own operations (deleting ones left out: they would
		// take the fixtures away).
		{"POST", "/v2/users", "application/json"},
		{"GET", "/v2/users", ""},
		{"GET", "/v2/users/" + u, ""},
		{"PATCH", "/v2/users/" + u, "application/json"},
		{"POST", "/v2/user-tokens", "application/json"},
		{"GET", "/v2/items", ""},
		{"GET", "/v2/items/item_000000001", ""},
		{"GET", "/v2/employer-search", ""},
		{"GET", "/v2/accounts", ""},
		{"GET", "/v2/identities", ""},
		{"GET", "/v2/paystubs", ""},
		{"GET", "/v2/payroll-documents", ""},
		{"GET", "/v2/employments", ""},
		{"GET", "/v2/deposit-destinations", ""},
		{"GET", "/v2/gigs", ""},
		{"GET", "/v2/shifts", ""},
		{"GET", "/v2/ratings", ""},
		{"GET", "/v2/vehicles", ""},
		{"GET", "/v2/webhooks", ""},
		{"POST", "/v2/webhooks", "application/json"},
		{"GET", "/v2/invites", ""},
		{"POST", "/v2/invites", "application/json"},
		{"GET", "/v2/item-filters", ""},
		{"POST", "/v2/item-filters", "application/json"},
		{"PUT", "/v2/item-filters/" + ids["filter"], "application/json"},
		{"POST", "/v2/sessions", "application/json"},
		{"PATCH", "/v2/verifications/" + v, "application/json"},
		{"POST", "/v2/receipts", "application/json"},
		{"GET", "/logos/5/WG.svg", ""},
	}
}

func FuzzAPI(f *testing.F) {
	dbURL, sqlite := fuzzDB(f)
	e := newEnvOn(f, dbURL)
	k := e.A
	user := e.createUser(f, k, nil)
	ids := map[string]string{"user": user, "verification": e.orderID(f, k, user, "voie")}
	paused := e.orderID(f, k, user, "doc-voi-mortgage")
	e.pauseDocuments(f, k, paused)
	ids["paused"] = paused
	ids["webhook"] = e.ok(f, k, "POST", "/partners/v2/webhooks", map[string]any{"events": []string{"verifications.updated"},
		"name": "n", "url": "https://hooks.example/h", "secret": "s"})["id"].(string)
	ids["flow"] = e.send(f, req{key: &k, method: "POST", path: "/partners/v2/flows", body: map[string]any{"name": "f"}}).obj(f)["id"].(string)
	ids["experience"] = e.send(f, req{key: &k, method: "POST", path: "/partners/v2/experiences", body: map[string]any{"name": "x"}}).obj(f)["id"].(string)
	ids["filter"] = e.ok(f, k, "POST", "/v2/item-filters", map[string]any{"name": "f", "filters": map[string]any{"status": map[string]any{"eq": "healthy"}}})["id"].(string)
	rs := fuzzRoutes(ids)

	nested := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	bodies := []string{
		`{"client": "` + k.Client + `", "first_name": "A"}`,
		`{"user": "` + user + `", "report": {"type": "voie"}, "loan": {"number": "1"}}`,
		`{"verification": "` + ids["verification"] + `", "configuration": {"language": "EN", "items": ["item_000000001"]}}`,
		`{"events": ["verifications.updated"], "name": "n", "url": "https://hooks.example/x", "secret": "s"}`,
		`{"name": "f", "accent_color": "#0b5394", "intro": {"EN": "hi"}, "frame_origins": ["https://a.example"]}`,
		nested, `{"a": ` + nested + `}`, `{"user": ` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `}`,
		"{\"user\": \"" + user + "\", \"metadata\": {\"a\": \"\xff\xfe\", \"\xc3\": 1}}",
		`{"user": "` + user + `", "metadata": {"b": 1e400, "c": "\ud800", "d": [[[[[]]]]]}}`,
		`{"loan": {"number": 1e400}}`, `{"limit": 1e400, "first_name": 1e400, "report": {"type": 1e400}}`, `{"tax_year": -1e400}`,
		`{"client": "a", "client": "` + k.Client + `"}`, `{"user": "` + user + `", "user": null}`,
		"{\"first_name\": \"\xff\xfe\"}", "{\"name\": \"a\xc3\"}", "\xef\xbb\xbf{}", `{"first_name": "\ud800"}`,
		`{"report": {"type": "voie", "configuration": {"bank_accounts": [1, null, {}]}}}`,
		`{"items": null, "institutions": [""], "frame_origins": ["javascript:alert(1)"], "intro": {"XX": 1}}`,
		`{"birth_date": {"year": 99999999999999999999, "month": -1, "day": 1.5}}`,
		`{"ssn": "` + strings.Repeat("9", 5000) + `"}`,
		"--b\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n" + user + "\r\n--b\r\nContent-Disposition: form-data; name=\"employer\"\r\n\r\n\xff\x00\r\n--b\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\npaystub\r\n--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a\x00\xff.pdf\"\r\n\r\n%PDF-1.4\n%%EOF\r\n--b--\r\n",
		"--b\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n" + user + "\r\n--b\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nx\r\n--b--\r\n",
		"--b\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n" + user + "\r\n--b\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\npaystubs\r\n--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"\x00\xff.pdf\"\r\n\r\n%PDF-1.4\n%%EOF\r\n--b--\r\n",
		"--b\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n" + user + "\r\n--b\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\npaystubs\r\n--b\r\nContent-Disposition: form-data; name=\"employer\"\r\n\r\nA\x00\xc3\r\n--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n%%EOF\r\n--b--\r\n",
		"--b\r\nbroken", "\x89PNG\r\n\x1a\n", "",
		`{"external_id": "` + strings.Repeat("e", 300) + `", "user": "` + user + `", "first_name": "Sarah", "email": "s@example.com", "phone_number": "212-555-5555", "flow_items": ["item_000000001", 7]}`,
		`{"name": "v", "url": "https://hooks.example/v", "events": ["accounts.connected", "paystubs.partially_synced"], "config": {"days_synced": 30, "include_resource": true}, "secret": null}`,
		`{"name": "f", "filters": {"status": {"eq": "healthy"}, "field_coverage": {"paystubs": {"gross_pay": {"supported": {"eq": "x"}}}}, "kind": {"in": [null]}}}`,
		`{"config": {"days_synced": -1e400}, "events": [""], "filters": null, "user": 1}`,
	}
	queries := []string{"", "limit=5", "user=" + user, "user=" + user + "&item=%00", "user=" + user + "&item=%ff%fe",
		"loan_number=%00", "loan_number=%c3", "user=" + user + "&from_date=%ff&to_date=9999-99-99", "cursor=%ff",
		"cursor=" + strings.Repeat("A", 8000), "limit=1e400", "limit=-1&limit=2", "user=%00", "account=%ff&user=" + user,
		"user=" + user + "&ongoing_refresh_status=%ff", "document_type=%ff%00&account=x", "from_start_date=0000-00-00T00:00:00Z&user=" + user,
		"item=" + strings.Repeat("x", 6000) + "&user=" + user,
		"q=whole&status=healthy&status=issues&kind=gig,employer", "q=%ff&min_matching_score=2&limit=201", "external_id=%00&limit=0",
		"user=" + user + "&from_start_datetime=2026-01-01&to_start_datetime=%ff", "employment=x&from_start_date=2026-13-01",
		"filter_set=" + ids["filter"] + "&mapping_status=verified", "status=sent&status=nope"}
	cts := []string{"", "application/json", "application/json; charset=latin1", "text/plain", "application/json; boundary=\xff",
		"multipart/form-data; boundary=b", "multipart/form-data", "application/x-www-form-urlencoded", ";;;", "image/png"}
	for i := range rs {
		for j, b := range bodies {
			f.Add(uint8(i), b, queries[(i+j)%len(queries)], cts[(i*3+j)%len(cts)])
			f.Add(uint8(i), b, "", rs[i].ct)
		}
		for _, q := range queries {
			f.Add(uint8(i), "", q, rs[i].ct)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body, query, ct string) {
		r := rs[int(route)%len(rs)]
		path := r.path
		if query != "" {
			path += "?" + strings.NewReplacer("#", "%23", " ", "%20").Replace(query)
		}
		if ct == "" {
			ct = r.ct
		}
		if ct == "" {
			ct = "-"
		}
		if _, err := http.NewRequest(r.method, e.srv.URL+path, nil); err != nil {
			t.Skip("not a valid request URL")
		}
		if strings.ContainsAny(ct, "\r\n\x00") || !validHeader(ct) {
			t.Skip("not a valid header value")
		}
		var before map[string]int
		if sqlite {
			before = e.counts(t)
		}
		got := e.fuzzSend(t, &k, r.method, e.srv.URL+path, body, ct)
		if got.Status >= 400 && sqlite {
			if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("%s: a refused request wrote to the database: before %v, after %v", got, before, after)
			}
		}
	})
}

// fuzzSend is send without the contract check (fuzzed successes need not
// match the contract's examples, and verigate's additions are not in it):
// never a 5xx, and API errors are non-empty JSON objects.
func (e *env) fuzzSend(t *testing.T, k *key, method, u, body, ct string) resp {
	t.Helper()
	hr, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ct != "-" {
		hr.Header.Set("Content-Type", ct)
	}
	if k != nil {
		hr.SetBasicAuth(k.ID, k.Secret)
	}
	hresp, err := e.srv.Client().Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer hresp.Body.Close()
	b, _ := io.ReadAll(hresp.Body)
	out := resp{Status: hresp.StatusCode, Header: hresp.Header, Body: b, method: method, url: u}
	if len(out.url) > 300 {
		out.url = out.url[:300] + "..."
	}
	if out.Status >= 500 {
		t.Errorf("server error: %s", out)
	}
	if out.Status >= 400 && !strings.HasPrefix(hr.URL.Path, "/connect/") && !strings.HasPrefix(hr.URL.Path, "/link/") {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 || out.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: error body is not a non-empty JSON object", out)
		}
	}
	return out
}

// validHeader reports whether s can be sent as a header value at all.
func validHeader(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func FuzzConnectForms(f *testing.F) {
	dbURL, _ := fuzzDB(f)
	e := newEnvOn(f, dbURL)
	k := e.A
	user := e.createUser(f, k, nil)
	payroll := e.session(f, k, e.orderID(f, k, user, "voie"), nil)["link"].(string)
	bank := e.session(f, k, e.orderID(f, k, user, "voa"), nil)["link"].(string)
	links := []string{payroll, bank}
	token := map[string]string{}
	for _, l := range links {
		page := e.open(f, l)
		m := csrfRE.FindSubmatch(page.Body)
		if m == nil {
			f.Fatalf("no CSRF token on %s", page)
		}
		token[l] = string(m[1])
	}
	steps := []string{"/select", "/signin", "/mfa", "/accounts", "/back", "", "/items", "/status", "/exit", "/logo", "/theme.css", "/nothing"}
	forms := []string{"item=item_000000001", "item=item_000000001&item=item_000000002", "username=test_1&password=passgood",
		"username=test_1&username=x&password=passgood&password=bad", "code=8081", "code=" + strings.Repeat("9", 60000),
		"account=a&account=b&account=", "username=%ff%00&password=%c3", "item=%00", "item=" + strings.Repeat("x", 70000),
		"csrf=wrong", "%zz=%", "q=" + strings.Repeat("%ff", 1000), ""}
	for i := range steps {
		for j, form := range forms {
			f.Add(uint8(i), uint8(j%2), form, j%3 != 0, "")
		}
	}
	f.Add(uint8(0), uint8(0), "item=item_000000001", true, "multipart/form-data; boundary=x")
	f.Add(uint8(1), uint8(1), "username=test_1", true, "text/plain")
	f.Add(uint8(5), uint8(0), "q=%ff%fe&notice=%00", false, "")
	f.Add(uint8(6), uint8(1), "q="+strings.Repeat("a", 20000), false, "")
	f.Fuzz(func(t *testing.T, step, link uint8, form string, withCSRF bool, ct string) {
		l := links[int(link)%len(links)]
		s := steps[int(step)%len(steps)]
		method, path, body := "POST", l+s, form
		switch s {
		case "", "/items", "/status", "/exit", "/logo", "/theme.css", "/nothing":
			method, path, body = "GET", l+s+"?"+strings.NewReplacer("#", "%23", " ", "%20").Replace(form), ""
		default:
			if withCSRF {
				body = "csrf=" + token[l] + "&" + form
			}
		}
		if _, err := http.NewRequest(method, path, nil); err != nil {
			t.Skip("not a valid request URL")
		}
		if ct == "" {
			ct = "application/x-www-form-urlencoded"
		}
		if !validHeader(ct) {
			t.Skip("not a valid header value")
		}
		got := e.fuzzSend(t, nil, method, path, body, ct)
		if got.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no Content-Security-Policy", got)
		}
		if c := got.Header.Get("Content-Type"); got.Status >= 400 && !strings.HasPrefix(c, "text/html") && !strings.HasPrefix(c, "application/json") {
			t.Errorf("%s: error with Content-Type %q", got, c)
		}
	})
}

// FuzzLinkEntry fuzzes the two ways into Link that are not a session link:
// a user token (as the Web SDK opens it, with its settings in the query)
// and an invite's shareable URL, with the Accept-Language header too. They
// answer pages, redirects or the pages' error pages, never a 5xx, and
// every page carries a Content-Security-Policy.
func FuzzLinkEntry(f *testing.F) {
	dbURL, _ := fuzzDB(f)
	e := newEnvOn(f, dbURL)
	k := e.A
	user := e.createUser(f, k, nil)
	tok := e.ok(f, k, "POST", "/v2/user-tokens", map[string]any{"user": user})["user_token"].(string)
	inv := e.ok(f, k, "POST", "/v2/invites", map[string]any{"first_name": "Sarah", "last_name": "Longfield", "email": "s@example.com", "flow_items": []string{"item_000000001"}})["url"].(string)
	invite := strings.TrimPrefix(inv, e.srv.URL)
	targets := []string{"/link/" + tok, invite, "/link/" + tok[:len(tok)-2] + "xx", "/link/invite/nope"}
	queries := []string{"", "items=item_000000001", "items=item_000000001,item_000000002&language=ES", "items=nope", "items=%00",
		"language=%ff&flow_id=%00", "customization_id=" + strings.Repeat("x", 5000), "sandbox=false", "sandbox=true&resume=%ff",
		"resume=" + strings.Repeat("A", 3000), "account_id=%00", "account_id=" + user, "account_id=not-a-uuid&items=item_000000001",
		"items=" + strings.Repeat("item_000000001,", 2000)}
	langs := []string{"", "es", "ru;q=0.9, zh", "\xff", "*", strings.Repeat("en,", 500)}
	for i := range targets {
		for j, q := range queries {
			f.Add(uint8(i), q, langs[(i+j)%len(langs)])
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, query, lang string) {
		u := e.srv.URL + targets[int(target)%len(targets)]
		if query != "" {
			u += "?" + strings.NewReplacer("#", "%23", " ", "%20").Replace(query)
		}
		hr, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Skip("not a valid request URL")
		}
		if !validHeader(lang) {
			t.Skip("not a valid header value")
		}
		if lang != "" {
			hr.Header.Set("Accept-Language", lang)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		hresp, err := client.Do(hr)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		body, _ := io.ReadAll(hresp.Body)
		hresp.Body.Close()
		got := resp{Status: hresp.StatusCode, Header: hresp.Header, Body: body, method: "GET", url: u}
		if len(got.url) > 300 {
			got.url = got.url[:300] + "..."
		}
		if got.Status >= 500 {
			t.Errorf("server error: %s", got)
		}
		if got.Status >= 400 && !strings.HasPrefix(got.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: an error that is not a page", got)
		}
		if got.Status < 300 || got.Status >= 400 {
			if got.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("%s: no Content-Security-Policy", got)
			}
		}
	})
}

// TestQueryMustBeText: a query parameter that is not text (NUL, invalid
// UTF-8) is a 400 on that parameter, never a database error (PostgreSQL
// refuses such text with a 500 otherwise).
func TestQueryMustBeText(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	for _, c := range []struct{ path, field string }{
		{"/partners/v2/verifications?loan_number=%00", "loan_number"},
		{"/partners/v2/verifications?loan_number=a%c3", "loan_number"},
		{"/partners/v2/accounts?user=" + user + "&item=%ff%fe", "item"},
		{"/partners/v2/accounts?user=" + user + "&item=x%00", "item"},
		{"/partners/v2/paystubs?%ff=1", "\ufffd"},
	} {
		got := e.call(t, k, "GET", c.path, nil)
		if msgs := fieldError(t, got, c.field); len(msgs) == 0 || !strings.Contains(msgs[0], "valid UTF-8") {
			t.Errorf("%s", got)
		}
	}
	if got := e.call(t, k, "GET", "/partners/v2/verifications?loan_number=%C3%A9", nil); got.Status != http.StatusOK {
		t.Errorf("valid UTF-8: %s", got)
	}
}
