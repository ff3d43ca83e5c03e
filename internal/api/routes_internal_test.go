package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSurfaceOf(t *testing.T) {
	for pattern, want := range map[string]surface{
		"/partners/v2/users/{id}":            partners,
		"/partners/":                         partners,
		"GET /partners/v2/verifications":     partners,
		"/v2/users/{id}":                     v2,
		"/v2/":                               v2,
		"POST /v2/verifications/{id}/cancel": v2,
		"GET /healthz":                       partners,
		"":                                   partners,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Pattern = pattern
		if got := surfaceOf(r); got != want {
			t.Errorf("surfaceOf(%q) = %s, want %s", pattern, got.name, want.name)
		}
	}
}

// TestOperationsTable: every operation names a method, a path under its
// surfaces' prefixes and at least one surface, and appears once.
func TestOperationsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, op := range (&API{}).operations() {
		if op.method == "" || !strings.HasPrefix(op.path, "/") || op.handler == nil || len(op.surfaces) == 0 {
			t.Errorf("incomplete operation %s %s", op.method, op.path)
		}
		for _, s := range op.surfaces {
			k := op.method + " " + s.prefix + op.path
			if seen[k] {
				t.Errorf("%s is listed twice", k)
			}
			seen[k] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("no operations")
	}
}
