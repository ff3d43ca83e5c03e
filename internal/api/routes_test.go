package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestV2Surface: /v2 is served behind the same authentication as
// /partners/v2; its unknown paths, and the parts of the platform's API that
// verigate leaves out (open banking, user forms, item migrations), answer
// the ordinary JSON 404 after authentication.
func TestV2Surface(t *testing.T) {
	e := newEnv(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/v2/nothing-here"},
		{"POST", "/v2/open-banking/connect"},
		{"GET", "/v2/open-banking/institutions"},
		{"GET", "/v2/user-forms"},
		{"POST", "/v2/item-migrations"},
	} {
		if got := e.send(t, req{method: r.method, path: r.path}); got.Status != http.StatusUnauthorized || got.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("without credentials: %s", got)
		}
		got := e.send(t, req{key: &e.A, method: r.method, path: r.path})
		if d := detailOf(t, got, http.StatusNotFound); d != "Not found." {
			t.Errorf("%s: detail %q", got, d)
		}
	}
	// A known path answers other methods with 405 and Allow, as on /partners/v2.
	got := e.send(t, req{key: &e.A, method: "GET", path: "/v2/user-tokens"})
	if got.Status != http.StatusMethodNotAllowed || got.Header.Get("Allow") != "POST" {
		t.Errorf("GET /v2/user-tokens: %s (Allow %q)", got, got.Header.Get("Allow"))
	}
}

// TestNonCanonicalPaths: a path that is not in its clean form is a 404 —
// JSON on the API, the not-found page on the pages — and never a redirect.
func TestNonCanonicalPaths(t *testing.T) {
	e := newEnv(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"//partners/v2/users", "/partners/v2//users", "/partners/v2/./users", "/partners/v2/x/../users",
		"/v2//user-tokens", "//v2/user-tokens", "/partners/v2/users/", "/v2/user-tokens/", "//connect/x", "/link/../connect/x"} {
		r, err := http.NewRequest("POST", e.srv.URL+p, strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		r.URL.Path = p // as sent, not cleaned
		r.SetBasicAuth(e.A.ID, e.A.Secret)
		r.Header.Set("Content-Type", "application/json")
		resp, err := noRedirect.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d (Location %q) %s", p, resp.StatusCode, resp.Header.Get("Location"), body)
		}
		page := strings.Contains(p, "connect")
		if ct := resp.Header.Get("Content-Type"); page != strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
	}
}
