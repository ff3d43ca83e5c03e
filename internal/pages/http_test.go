package pages_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/payrollsandbox"
)

// Plain HTTP tests of the pages, without a browser.

func wantContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, body)
		}
	}
}

func TestSecurityHeadersDenyFramingByDefault(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	for _, path := range []string{f.base, f.base + "/items?q=a", "/connect/forged", "/assets/connect.css", f.base + "/nope"} {
		resp, _ := h.get(path)
		hd := resp.Header
		csp := hd.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "form-action 'self'",
			"base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline code", path, csp)
		}
		if got := hd.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", path, got)
		}
		if got := hd.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q", path, got)
		}
		if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
	}
	resp, _ := h.get(f.base)
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("page Cache-Control %q, want no-store", got)
	}
}

func TestSecurityHeadersAllowConfiguredFrameAncestors(t *testing.T) {
	h := newHarness(t, harnessOptions{frameAncestors: []string{"https://partner.example", "https://app.partner.example"}})
	f := h.newSession(nil)
	resp, body := h.get(f.base)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors https://partner.example https://app.partner.example") {
		t.Errorf("CSP %q does not list the partner's origins", csp)
	}
	if strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q still denies framing", csp)
	}
	if got, ok := resp.Header["X-Frame-Options"]; ok {
		t.Errorf("X-Frame-Options %q is sent although framing is allowed", got)
	}
}

func TestCSRF(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	other := h.newSession(nil)
	_, page := h.get(f.base)
	_, otherPage := h.get(other.base)
	for name, form := range map[string]url.Values{
		"missing":       {"item": {"item_000000001"}},
		"wrong":         {"item": {"item_000000001"}, "csrf": {"not-the-token"}},
		"other session": {"item": {"item_000000001"}, "csrf": {csrf(t, otherPage)}},
	} {
		resp, body := h.post(f.base+"/select", form)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", name, resp.StatusCode)
		}
		wantContains(t, name+" token page", body, "This request could not be verified", `<html lang="en">`)
	}
	_, body := h.get(f.base)
	wantContains(t, "page after refused posts", body, "Search for your employer")
	// The right token works.
	if resp, body := h.post(f.base+"/select", url.Values{"item": {"item_000000001"}, "csrf": {csrf(t, page)}}); resp.StatusCode != 303 {
		t.Fatalf("select with the token: %d %s", resp.StatusCode, body)
	}
	_, body = h.get(f.base)
	wantContains(t, "page after select", body, "Sign in to Whole Goods")
}

func TestForgedAndUnknown(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	tok := strings.TrimPrefix(f.base, "/connect/")
	// One character changed in the middle of the sealed token.
	swap := byte('A')
	if tok[len(tok)/2] == 'A' {
		swap = 'B'
	}
	altered := tok[:len(tok)/2] + string(swap) + tok[len(tok)/2+1:]
	for _, path := range []string{"/connect/forged-token", "/connect/" + altered, "/connect/" + altered + "/items?q=a"} {
		resp, body := h.get(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
		wantContains(t, path, body, "Link not found", "This link is not valid.")
	}
	resp, body := h.post("/connect/"+altered+"/signin", url.Values{"username": {"test_1"}, "password": {"passgood"}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Link not found") {
		t.Errorf("post with a forged token: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{f.base + "/nope", f.base + "/items/extra", "/connect/", "/connect/" + tok + "/select"} {
		resp, body := h.get(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
		wantContains(t, path, body, "Link not found")
	}
	if got := f.status(); got != "PENDING/pending" {
		t.Errorf("forged and unknown paths moved the verification to %s", got)
	}
}

func TestAssets(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for path, typ := range map[string]string{"/assets/connect.css": "text/css", "/assets/connect.js": "javascript"} {
		resp, body := h.get(path)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), typ) {
			t.Errorf("%s: %d %q, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), typ)
		}
		if len(body) < 100 {
			t.Errorf("%s: %d bytes", path, len(body))
		}
	}
	_, body := h.get("/assets/connect.css")
	wantContains(t, "connect.css", body, ":focus-visible{outline:3px solid")
}

func TestItemsJSON(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	search := func(base, q string) []string {
		t.Helper()
		resp, body := h.get(base + "/items?q=" + url.QueryEscape(q))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("items: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var out struct {
			Results []struct{ ID, Name, Kind string }
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range out.Results {
			names = append(names, r.Name)
		}
		return names
	}
	if got := fmt.Sprint(search(f.base, "CAFE")); got != "[Café Riviera Foods Yellowfinch Cafés]" {
		t.Errorf("search CAFE: %s", got)
	}
	if got := fmt.Sprint(search(f.base, "zzzz")); got != "[]" {
		t.Errorf("search zzzz: %s", got)
	}
	if got := len(search(f.base, "")); got != 12 {
		t.Errorf("empty search lists %d items, want the 12 most popular", got)
	}
	limited := h.newSession(map[string]any{"items": []string{"item_000000005", "item_000000033", "item_000000001"}})
	if got := fmt.Sprint(search(limited.base, "caf")); got != "[Café Riviera Foods Yellowfinch Cafés]" {
		t.Errorf("limited search caf: %s", got)
	}
	if got := len(search(limited.base, "")); got != 3 {
		t.Errorf("limited session lists %d items, want its 3", got)
	}
	// The form search gives the same results without JavaScript.
	_, page := h.get(f.base + "?q=cafe")
	wantContains(t, "form search", page, "Café Riviera Foods", "Yellowfinch Cafés", "Results: 2")
	if strings.Contains(page, "Whole Goods") {
		t.Error("form search kept the full list")
	}
}

func TestExpiredLinkRefusesEveryStep(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"language": "RU"})
	_, page := h.get(f.base)
	token := csrf(t, page)
	h.advance(time.Hour)
	for _, path := range []string{f.base, f.base + "/items?q=a", f.base + "/status", f.base + "/exit"} {
		resp, body := h.get(path)
		if resp.StatusCode != http.StatusGone {
			t.Errorf("GET %s: %d, want 410", path, resp.StatusCode)
		}
		wantContains(t, path, body, "Срок действия ссылки истёк", `<html lang="ru">`)
	}
	for _, step := range []string{"/select", "/signin", "/mfa", "/back"} {
		resp, body := h.post(f.base+step, url.Values{"csrf": {token}, "item": {"item_000000001"}})
		if resp.StatusCode != http.StatusGone {
			t.Errorf("POST %s: %d, want 410: %s", step, resp.StatusCode, body)
		}
	}
	if got := f.status(); got != "PROCESSING/user_session_started" {
		t.Errorf("status %s", got)
	}
}

func TestExit(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	h.get(f.base)
	resp, body := h.get(f.base + "/exit?complete=1")
	if resp.StatusCode != 200 {
		t.Fatalf("exit: %d", resp.StatusCode)
	}
	wantContains(t, "exit page", body, "You can close this window", "You left before connecting an account.", "data-close")

	app := h.newSession(map[string]any{"mobile_app": true})
	_, body = h.get(app.base + "/exit")
	wantContains(t, "mobile app exit page", body, "You can return to the app")
	if strings.Contains(body, "Close window") {
		t.Error("mobile_app exit page offers to close the window")
	}

	// A redirect_url gets the outcome, whatever the link's query claims.
	for _, c := range []struct{ redirect, want string }{
		{h.partner.URL + "/return?x=1", h.partner.URL + "/return?x=1&user_submission_complete=false&user_attempted_employer_selection=false"},
		{"myapp://connect/done", "myapp://connect/done?user_submission_complete=false&user_attempted_employer_selection=false"},
	} {
		r := h.newSession(map[string]any{"redirect_url": c.redirect})
		resp, _ := h.get(r.base + "/exit?complete=1")
		if got := resp.Header.Get("Location"); resp.StatusCode != 303 || got != c.want {
			t.Errorf("exit to %s: %d %s, want %s", c.redirect, resp.StatusCode, got, c.want)
		}
	}
	// Having picked an item counts as an attempt.
	r := h.newSession(map[string]any{"redirect_url": "https://partner.example/back"})
	_, page := h.get(r.base)
	h.post(r.base+"/select", url.Values{"csrf": {csrf(t, page)}, "item": {"item_000000002"}})
	resp, _ = h.get(r.base + "/exit")
	if got := resp.Header.Get("Location"); got != "https://partner.example/back?user_submission_complete=false&user_attempted_employer_selection=true" {
		t.Errorf("exit after picking an item: %s", got)
	}
}

// failingAggregation is the sandbox whose data retrieval is refused for good.
type failingAggregation struct{ *payrollsandbox.Connector }

func (failingAggregation) Aggregate(context.Context, datasource.Connection) (datasource.Data, error) {
	return datasource.Data{}, datasource.ErrReauthRequired
}

func TestFailedAggregationCanBeRetried(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true,
		wrap: func(s *payrollsandbox.Connector) datasource.Connector { return failingAggregation{s} }})
	f := h.newSession(nil)
	_, page := h.get(f.base)
	token := csrf(t, page)
	h.post(f.base+"/select", url.Values{"csrf": {token}, "item": {"item_000000001"}})
	h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {"test_1"}, "password": {"passnomfa"}})
	_, page = h.get(f.base)
	wantContains(t, "page after sign-in", page, "Connecting your account…")
	if !h.aggregate() {
		t.Fatal("nothing to aggregate")
	}
	_, page = h.get(f.base)
	wantContains(t, "page after failed aggregation", page, "We could not connect your account", "Please sign in again.", "Try again")

	if resp, body := h.post(f.base+"/select", url.Values{"csrf": {token}, "item": {"item_000000001"}}); resp.StatusCode != 303 {
		t.Fatalf("try again: %d %s", resp.StatusCode, body)
	}
	_, page = h.get(f.base)
	wantContains(t, "page after try again", page, "Sign in to Whole Goods")
	h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {"test_1"}, "password": {"passnomfa"}})
	_, page = h.get(f.base)
	wantContains(t, "page after the second sign-in", page, "Connecting your account…")
	if n := f.accounts(); n != 2 {
		t.Errorf("%d accounts, want 2 (the failed one and the new one)", n)
	}
}

func TestStatusFollowsAggregation(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newSession(map[string]any{"items": []string{"item_000000001"}})
	_, page := h.get(f.base)
	token := csrf(t, page)
	stage := func() string {
		_, body := h.get(f.base + "/status")
		var s struct{ Stage string }
		json.Unmarshal([]byte(body), &s)
		return s.Stage
	}
	if got := stage(); got != "signin" {
		t.Errorf("stage %q, want signin", got)
	}
	h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {"test_1"}, "password": {"passgood"}})
	if got := stage(); got != "mfa" {
		t.Errorf("stage %q, want mfa", got)
	}
	h.post(f.base+"/mfa", url.Values{"csrf": {token}, "code": {" 8081 "}})
	if got := stage(); got != "connecting" {
		t.Errorf("stage %q, want connecting", got)
	}
	_, page = h.get(f.base)
	wantContains(t, "connecting page", page, `<meta http-equiv="refresh" content="2">`, "data-poll=")
	h.aggregate()
	if got := stage(); got != "done" {
		t.Errorf("stage %q, want done", got)
	}
}
