package api_test

import (
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"verigate/internal/server"
)

// TestRateLimit: past its rate a key gets 429 with Retry-After and the
// platform's throttling message; other keys are not affected.
func TestRateLimit(t *testing.T) {
	e := newEnvOn(t, filepath.Join(t.TempDir(), "v.db"), func(o *server.Options) { o.RateLimit = 3 })
	path := "/partners/v2/users/" + e.createUser(t, e.A, nil) // the first of three
	e.call(t, e.A, "GET", path, nil)
	e.call(t, e.A, "GET", path, nil)
	r := e.call(t, e.A, "GET", path, nil)
	if d := detailOf(t, r, http.StatusTooManyRequests); d == "" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("the fourth request in a burst of three: %s (Retry-After %q)", r, r.Header.Get("Retry-After"))
	}
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After %q is not a number of seconds", r.Header.Get("Retry-After"))
	}
	if got := e.call(t, e.B, "POST", "/partners/v2/users", map[string]any{"client": e.B.Client}); got.Status != http.StatusOK {
		t.Errorf("another partner's key was throttled: %s", got)
	}
	// Bad credentials are refused before the limit is counted.
	if got := e.call(t, key{ID: e.A.ID, Secret: "wrong"}, "GET", path, nil); got.Status != http.StatusUnauthorized {
		t.Errorf("wrong secret: %s", got)
	}
}
