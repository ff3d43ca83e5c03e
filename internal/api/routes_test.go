package api_test

import (
	"net/http"
	"testing"
)

// TestV2NotServedYet: the platform's general /v2 API is not served yet, so
// its paths answer 404 with or without credentials, like any unknown path.
func TestV2NotServedYet(t *testing.T) {
	e := newEnv(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/v2/users"},
		{"POST", "/v2/users"},
		{"GET", "/v2/accounts"},
		{"GET", "/v2/paystubs?user=0190a0c2-1111-7000-8000-000000000001"},
		{"POST", "/v2/verifications"},
		{"GET", "/v2/nothing-here"},
	} {
		for _, k := range []*key{nil, &e.A} {
			got := e.send(t, req{key: k, method: r.method, path: r.path})
			if d := detailOf(t, got, http.StatusNotFound); d != "Not found." {
				t.Errorf("%s: detail %q", got, d)
			}
			if h := got.Header.Get("WWW-Authenticate"); h != "" {
				t.Errorf("%s: WWW-Authenticate %q", got, h)
			}
		}
	}
}
