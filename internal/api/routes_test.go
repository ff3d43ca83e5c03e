package api_test

import (
	"net/http"
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
