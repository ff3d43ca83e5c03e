package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// route is one partner API operation, with a body that would succeed.
type route struct {
	method, path string
	body         any
}

// routes lists every /partners/v2 operation for the fixtures in ids.
func routes(ids map[string]string) []route {
	return []route{
		{"POST", "/partners/v2/users", map[string]any{"client": ids["client"]}},
		{"GET", "/partners/v2/users/" + ids["user"], nil},
		{"PATCH", "/partners/v2/users/" + ids["user"], map[string]any{"first_name": "X"}},
		{"GET", "/partners/v2/verifications", nil},
		{"GET", "/partners/v2/verifications?user=" + ids["user"], nil},
		{"POST", "/partners/v2/verifications", map[string]any{"user": ids["user"], "report": map[string]any{"type": "voie"}}},
		{"POST", "/partners/v2/verifications/refresh", map[string]any{"user": ids["user"], "report": map[string]any{"type": "voie"}}},
		{"GET", "/partners/v2/verifications/" + ids["verification"], nil},
		{"PATCH", "/partners/v2/verifications/" + ids["verification"], map[string]any{"loan": map[string]any{"number": "1"}}},
		{"POST", "/partners/v2/verifications/" + ids["paused"] + "/cancel", nil},
		{"POST", "/partners/v2/sessions", map[string]any{"verification": ids["verification"]}},
		{"GET", "/partners/v2/nothing-here", nil},
	}
}

// fixtures creates, as k, a user with a connected payroll account, a
// payroll verification and a PAUSED documents verification.
func (e *env) fixtures(t testing.TB, k key) map[string]string {
	t.Helper()
	user := e.createUser(t, k, nil)
	e.connectAccount(t, user, "payroll")
	paused := e.orderID(t, k, user, "doc-voi-mortgage")
	e.pauseDocuments(t, k, paused)
	return map[string]string{"client": k.Client, "user": user, "verification": e.orderID(t, k, user, "voie"), "paused": paused}
}

func TestAuthRequiredOnEveryRoute(t *testing.T) {
	e := newEnv(t)
	rs := routes(e.fixtures(t, e.A))
	e.unchanged(t, "unauthenticated requests", func() {
		for _, r := range rs {
			name := r.method + " " + r.path
			none := e.send(t, req{method: r.method, path: r.path, body: r.body})
			badSecret := e.send(t, req{method: r.method, path: r.path, body: r.body, user: e.A.ID, pass: e.A.Secret + "x"})
			otherSecret := e.send(t, req{method: r.method, path: r.path, body: r.body, user: e.A.ID, pass: e.B.Secret})
			unknownKey := e.send(t, req{method: r.method, path: r.path, body: r.body, user: "0123456789abcdef0123456789abcdef", pass: e.A.Secret})
			emptyUser := e.send(t, req{method: r.method, path: r.path, body: r.body, user: "", pass: "x", header: map[string]string{"Authorization": "Basic OngK"}})
			bearer := e.send(t, req{method: r.method, path: r.path, body: r.body, header: map[string]string{"Authorization": "Bearer " + e.A.Secret}})
			for what, got := range map[string]resp{"no credentials": none, "wrong secret": badSecret, "another key's secret": otherSecret,
				"unknown key id": unknownKey, "empty key id": emptyUser, "bearer token": bearer} {
				detailOf(t, got, http.StatusUnauthorized)
				if h := got.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Basic") {
					t.Errorf("%s, %s: WWW-Authenticate %q", name, what, h)
				}
			}
			if string(badSecret.Body) != string(unknownKey.Body) || string(otherSecret.Body) != string(unknownKey.Body) {
				t.Errorf("%s: a wrong secret (%s) and an unknown key id (%s) answer differently", name, badSecret.Body, unknownKey.Body)
			}
			if strings.Contains(string(badSecret.Body), e.A.ID) {
				t.Errorf("%s: 401 body names the key id", name)
			}
		}
	})
	// The same routes work with the right credentials (so the 401s above are about auth).
	for _, r := range rs {
		got := e.call(t, e.A, r.method, r.path, r.body)
		want := http.StatusOK
		if strings.HasSuffix(r.path, "nothing-here") {
			want = http.StatusNotFound
		}
		if got.Status != want {
			t.Errorf("with credentials: %s", got)
		}
	}
}

// Another partner's ids, and the same partner's ids in the other
// environment, answer exactly like unknown ids and change nothing.
func TestIsolationOnEveryRoute(t *testing.T) {
	e := newEnv(t)
	a := e.fixtures(t, e.A)
	aProd := e.fixtures(t, e.AProd)
	unknown := map[string]string{"client": unknownID, "user": unknownID, "verification": unknownID, "paused": unknownID}

	check := func(t *testing.T, k key, theirs map[string]string) {
		mine := routes(unknown)
		e.unchanged(t, "requests for others' objects", func() {
			for i, r := range routes(theirs) {
				name := r.method + " " + r.path
				if r.method == "POST" && r.path == "/partners/v2/users" && theirs["client"] == k.Client {
					continue // clients belong to the partner, in both environments
				}
				got := e.call(t, k, r.method, r.path, r.body)
				switch {
				case r.method == "POST" && r.path == "/partners/v2/users":
					// A client of another partner is a field error, like an unknown one.
					msgs := fieldError(t, got, "client")
					unk := fieldError(t, e.call(t, k, "POST", "/partners/v2/users", map[string]any{"client": unknownID}), "client")
					if len(msgs) != 1 || len(unk) != 1 || strings.Replace(msgs[0], theirs["client"], unknownID, 1) != unk[0] {
						t.Errorf("another partner's client %v vs an unknown one %v", msgs, unk)
					}
				case r.method == "GET" && r.path == "/partners/v2/verifications":
					// The plain list shows only k's own verifications.
					for _, v := range got.obj(t)["results"].([]any) {
						if id := v.(map[string]any)["id"]; id == theirs["verification"] || id == theirs["paused"] {
							t.Errorf("list shows another tenant's verification %v", id)
						}
					}
				case strings.Contains(r.path, "?user="):
					if res := got.obj(t)["results"].([]any); len(res) != 0 {
						t.Errorf("%s: another tenant's user's verifications are listed: %v", name, res)
					}
				default:
					want := e.call(t, k, mine[i].method, mine[i].path, mine[i].body)
					detailOf(t, got, http.StatusNotFound)
					if got.Status != want.Status || string(got.Body) != string(want.Body) {
						t.Errorf("%s answers %s; an unknown id answers %s", name, got, want)
					}
				}
			}
		})
	}
	t.Run("partner B sees nothing of A", func(t *testing.T) { check(t, e.B, a) })
	t.Run("A's production key sees nothing of A's sandbox", func(t *testing.T) { check(t, e.AProd, a) })
	t.Run("A's sandbox key sees nothing of A's production", func(t *testing.T) { check(t, e.A, aProd) })

	// The owners still see their objects untouched.
	if v := e.ok(t, e.A, "GET", "/partners/v2/verifications/"+a["paused"], nil); get(v, "status.state") != "PAUSED" {
		t.Errorf("A's paused verification changed: %v", v["status"])
	}
	if u := e.ok(t, e.A, "GET", "/partners/v2/users/"+a["user"], nil); u["first_name"] != "Jane" {
		t.Errorf("A's user changed: %v", u)
	}
	// The production key lists only production verifications.
	ids, _, _ := e.page(t, e.AProd, "/partners/v2/verifications?limit=200")
	if len(ids) != 2 || !(ids[0] == aProd["verification"] && ids[1] == aProd["paused"]) {
		t.Errorf("production list %v, want %v", ids, []string{aProd["verification"], aProd["paused"]})
	}
}
