package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestBadInputEverywhere(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ids := e.fixtures(t, k)
	bodyRoutes := []route{}
	for _, r := range routes(ids) {
		if r.body != nil && !strings.HasSuffix(r.path, "/cancel") {
			bodyRoutes = append(bodyRoutes, r)
		}
	}
	if len(bodyRoutes) != 6 {
		t.Fatalf("expected 6 routes with bodies, got %d", len(bodyRoutes))
	}
	big := `{"first_name": "` + strings.Repeat("a", 1<<20) + `"}`
	e.unchanged(t, "bad input", func() {
		for _, r := range bodyRoutes {
			name := r.method + " " + r.path
			send := func(body any, ct string) resp {
				return e.send(t, req{key: &k, method: r.method, path: r.path, body: body, contentType: ct})
			}
			for _, bad := range []string{`{"user": `, `{"a":1,}`, `{'a': 1}`, `nul`, `{}{}`, `{} x`, ``, `{"first_name": "a\u0000b"}`} {
				got := send(bad, "")
				if d := detailOf(t, got, http.StatusBadRequest); d == "" {
					t.Errorf("%s with body %q: %s", name, bad, got)
				}
			}
			for _, bad := range []string{`[]`, `[{"client": "x"}]`, `"text"`, `42`, `true`} {
				got := send(bad, "")
				if got.Status != http.StatusBadRequest {
					t.Errorf("%s with body %s: %s", name, bad, got)
				}
			}
			for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "json"} {
				detailOf(t, send(r.body, ct), http.StatusUnsupportedMediaType)
			}
			detailOf(t, send(r.body, "-"), http.StatusUnsupportedMediaType)
			detailOf(t, send(big, ""), http.StatusRequestEntityTooLarge)
			// Just under the limit is read (and then judged on its content).
			under := `{"x": "` + strings.Repeat("a", (1<<20)-40) + `", "loan": 5, "client": 5}`
			if got := send(under, ""); got.Status != http.StatusBadRequest {
				t.Errorf("%s: a body under 1 MiB: %d, want 400 for its content", name, got.Status)
			}
		}
		// An array where an object is expected names the problem.
		got := e.send(t, req{key: &k, method: "POST", path: "/partners/v2/users", body: `[]`})
		fieldError(t, got, "non_field_errors")

		// Unknown routes and wrong methods.
		for _, p := range []string{"/partners/v2/nothing", "/partners/v2/users/" + ids["user"] + "/extra", "/partners/v3/users", "/partners/v2/", "/partners/v2/verifications/" + ids["verification"] + "/cancel/x"} {
			detailOf(t, e.call(t, k, "GET", p, nil), http.StatusNotFound)
		}
		for _, p := range []string{"/docs/", "/nothing", "/connectx", "/healthz/x"} { // "/" is the landing page (TestLandingPage)
			detailOf(t, e.send(t, req{method: "GET", path: p}), http.StatusNotFound)
		}
		for _, c := range []struct{ method, path, allow string }{
			{"GET", "/partners/v2/users", "POST"},
			{"DELETE", "/partners/v2/users/" + ids["user"], "GET, PATCH"},
			{"PUT", "/partners/v2/users/" + ids["user"], "GET, PATCH"},
			{"DELETE", "/partners/v2/verifications", "GET, POST"},
			{"GET", "/partners/v2/verifications/refresh", "POST"},
			{"DELETE", "/partners/v2/verifications/" + ids["verification"], "GET, PATCH"},
			{"GET", "/partners/v2/verifications/" + ids["paused"] + "/cancel", "POST"},
			{"GET", "/partners/v2/sessions", "POST"},
			{"PATCH", "/partners/v2/sessions", "POST"},
		} {
			got := e.call(t, k, c.method, c.path, map[string]any{})
			detailOf(t, got, http.StatusMethodNotAllowed)
			if a := got.Header.Get("Allow"); a != c.allow {
				t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, a, c.allow)
			}
		}
	})
	// A charset parameter is fine.
	got := e.send(t, req{key: &k, method: "POST", path: "/partners/v2/users", body: map[string]any{"client": k.Client}, contentType: "application/json; charset=utf-8"})
	if got.Status != http.StatusOK {
		t.Errorf("application/json; charset=utf-8: %s", got)
	}
}

func TestRequestIDs(t *testing.T) {
	e := newEnv(t)
	k := e.A
	seen := map[string]bool{}
	for _, r := range []req{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/partners/v2/verifications"},
		{key: &k, method: "GET", path: "/partners/v2/verifications"},
		{key: &k, method: "GET", path: "/nope"},
		{key: &k, method: "POST", path: "/partners/v2/users", body: "{"},
		{method: "GET", path: "/connect/abc"},
	} {
		got := e.send(t, r)
		id := got.Header.Get("X-Request-Id")
		if seen[id] {
			t.Errorf("request id %q reused", id)
		}
		seen[id] = true
		if len(id) < 16 {
			t.Errorf("%s: generated request id %q is short", got, id)
		}
	}
	for _, valid := range []string{"abc-123", "req_01:2.3", strings.Repeat("a", 128)} {
		r := e.send(t, req{key: &k, method: "GET", path: "/partners/v2/verifications", header: map[string]string{"X-Request-Id": valid}})
		if got := r.Header.Get("X-Request-Id"); got != valid {
			t.Errorf("valid request id %q answered as %q", valid, got)
		}
	}
	for _, invalid := range []string{"has space", strings.Repeat("a", 300), "a\"b", "<script>", "ünï"} {
		r := e.send(t, req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": invalid}})
		if got := r.Header.Get("X-Request-Id"); got == invalid || got == "" || strings.ContainsAny(got, " <\"") {
			t.Errorf("invalid request id %q answered as %q", invalid, got)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	if r := e.send(t, req{method: "GET", path: "/healthz"}); r.Status != 200 || r.obj(t)["status"] != "ok" {
		t.Errorf("healthz: %s", r)
	}
	if r := e.send(t, req{method: "GET", path: "/readyz"}); r.Status != 200 || r.obj(t)["status"] != "ok" {
		t.Errorf("readyz: %s", r)
	}
	if err := e.app.Store.Close(); err != nil {
		t.Fatal(err)
	}
	r := e.send(t, req{method: "GET", path: "/readyz"})
	if r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the store closed: %s", r)
	}
	if r := e.send(t, req{method: "GET", path: "/healthz"}); r.Status != 200 {
		t.Errorf("healthz with the store closed: %s", r)
	}
}
