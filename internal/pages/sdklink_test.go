package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// What Link for a user token does for the platform's Web SDK
// (Argyle.create, docs/sdk.md): the error each refusal reports to the SDK,
// the sandbox check, reconnection of an account, a session that ends with
// its token and resumes with the next one; and a refused frame that opens
// nothing.

func TestUserLinkReportsThePlatformsErrorTypes(t *testing.T) {
	h := newHarness(t, harnessOptions{frameAncestors: []string{"https://app.partner.example"}})
	_, tok := h.userToken()
	for _, c := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"garbage", "/link/not-a-token", http.StatusNotFound, "invalid_user_token"},
		{"unknown item", "/link/" + tok + "?items=item_999999999", http.StatusBadRequest, "invalid_items"},
		{"production, asked", "/link/" + tok + "?sandbox=false", http.StatusBadRequest, "environment_mismatch"},
		{"unknown account", "/link/" + tok + "?sandbox=true&account_id=018f0000-0000-7000-8000-000000000000", http.StatusBadRequest, "invalid_account_id"},
		{"resume of a forged session", "/link/" + tok + "?resume=forged", http.StatusBadRequest, "invalid_user_token"},
		{"account not a UUID", "/link/" + tok + "?account_id=a%00b", http.StatusBadRequest, "invalid_account_id"},
		{"flow not text (as an unknown flow)", "/link/" + tok + "?flow_id=F%00%ff", http.StatusBadRequest, "unknown"},
	} {
		resp, page := h.get(c.path)
		if resp.StatusCode != c.status || !strings.Contains(page, `data-embed-error="`+c.code+`"`) {
			t.Errorf("%s: %d, want %d reporting %s", c.name, resp.StatusCode, c.status, c.code)
		}
	}
	if resp, _ := h.get("/link/" + tok + "?sandbox=true"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a sandbox token with sandbox=true: %d", resp.StatusCode)
	}
	h.advance(time.Hour + time.Second)
	if resp, page := h.get("/link/" + tok); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `data-embed-error="expired_user_token"`) {
		t.Errorf("expired token: %d", resp.StatusCode)
	}
}

// linkFor opens Link for a user token and returns the session's path.
func (h *harness) linkFor(tok, query string) string {
	h.t.Helper()
	resp, _ := h.get("/link/" + tok + query)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(loc.Path, "/connect/") {
		h.t.Fatalf("GET /link/<token>%s: %d %q", query, resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Path
}

func TestUserLinkSessionEndsWithTheTokenAndResumes(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	user, tok := h.userToken()
	h.advance(50 * time.Minute) // the token has ten minutes left
	base := h.linkFor(tok, "?items=item_000000001")
	_, page := h.get(base)
	if !strings.Contains(page, `name="username"`) || !strings.Contains(page, `data-deep-link="true"`) {
		t.Fatalf("one item: not its sign-in, or not a deep link:\n%s", page)
	}
	form := csrf(t, page)
	h.advance(11 * time.Minute)
	resp, page := h.post(base+"/signin", url.Values{"csrf": {form}, "username": {"test_1"}, "password": {"passgood"}})
	if resp.StatusCode != http.StatusGone || !strings.Contains(page, `data-embed-error="link_expired"`) {
		t.Fatalf("sign-in after the token expired: %d", resp.StatusCode)
	}
	// A new token of the same user continues the same session, at its sign-in.
	var next struct {
		UserToken string `json:"user_token"`
	}
	h.api("POST", "/v2/user-tokens", map[string]any{"user": user}, &next)
	resumed := h.linkFor(next.UserToken, "?resume="+strings.TrimPrefix(base, "/connect/"))
	_, page = h.get(resumed)
	if !strings.Contains(page, `name="username"`) || !strings.Contains(page, "Whole Goods") {
		t.Fatalf("the resumed session is not at the sign-in of its item:\n%s", page)
	}
	// The same form token still works: it is the same session.
	h.post(resumed+"/signin", url.Values{"csrf": {form}, "username": {"test_1"}, "password": {"passgood"}})
	_, page = h.get(resumed)
	if !strings.Contains(page, `data-pending-account="`) || !strings.Contains(page, `data-mfa-type="`) {
		t.Fatalf("the code page names no reserved account or MFA type:\n%s", page)
	}
	reserved := attr(page, "data-pending-account")
	h.post(resumed+"/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {"8081"}})
	accts, err := h.app.Store.AccountsOfUser(context.Background(), user, "payroll")
	if err != nil || len(accts) != 1 || accts[0].ID != reserved {
		t.Fatalf("accounts %+v (%v); want the reserved id %s", accts, err, reserved)
	}

	// Another user's token cannot resume it.
	_, other := h.userToken()
	if resp, _ := h.get("/link/" + other + "?resume=" + strings.TrimPrefix(base, "/connect/")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("another user's token resumed the session: %d", resp.StatusCode)
	}
}

func TestUserLinkReconnectsAnAccount(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	user, tok := h.userToken()
	connect := func(query string) string {
		base := h.linkFor(tok, query)
		_, page := h.get(base)
		h.post(base+"/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"test_1"}, "password": {"passgood"}})
		_, page = h.get(base)
		h.post(base+"/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {"8081"}})
		h.aggregate()
		return page
	}
	connect("?items=item_000000002")
	accts, _ := h.app.Store.AccountsOfUser(context.Background(), user, "payroll")
	if len(accts) != 1 {
		t.Fatalf("accounts: %+v", accts)
	}
	page := connect("?account_id=" + accts[0].ID)
	if !strings.Contains(page, `data-reconnect="`+accts[0].ID+`"`) || attr(page, "data-pending-account") != accts[0].ID {
		t.Errorf("the reconnection's code page does not name the account:\n%s", page)
	}
	again, _ := h.app.Store.AccountsOfUser(context.Background(), user, "payroll")
	if len(again) != 1 || again[0].ID != accts[0].ID || again[0].Version <= accts[0].Version || again[0].Aggregation != "done" {
		t.Errorf("after reconnecting: %+v, want the same account, updated", again)
	}
}

// A frame whose page's origin may not frame Link is answered without
// opening the session: the verification does not start.
func TestRefusedFrameStartsNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{frameAncestors: []string{"https://app.partner.example"}})
	f := h.newSession(nil)
	get := func(referer string) int {
		req, _ := http.NewRequest("GET", h.srv.URL+f.base, nil)
		req.Header.Set("Sec-Fetch-Dest", "iframe")
		req.Header.Set("Referer", referer)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("https://evil.example/"); got != http.StatusForbidden {
		t.Errorf("frame from an origin not allowed: %d", got)
	}
	f.wantStatus("PENDING/pending")
	if got := get("https://app.partner.example/"); got != http.StatusOK {
		t.Errorf("frame from the allowed origin: %d", got)
	}
	f.wantStatus("PROCESSING/user_session_started")
}

// attr returns the value of the first attribute name="..." in page.
func attr(page, name string) string {
	_, rest, ok := strings.Cut(page, name+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}
