package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestCreateUserToken(t *testing.T) {
	e := newEnv(t)
	user := e.createUser(t, e.A, nil)
	tok := e.ok(t, e.A, "POST", "/v2/user-tokens", map[string]any{"user": strings.ToUpper(user)})
	s, _ := tok["user_token"].(string)
	if strings.Count(s, ".") != 2 || len(tok) != 1 {
		t.Fatalf("user-tokens answered %v, want {user_token: <JWT>}", tok)
	}
	c, err := e.app.Users.Tokens.Verify(s)
	if err != nil || c.UserID != user || c.ClientID != e.A.Client || c.Environment != "sandbox" {
		t.Fatalf("the token says %+v, %v", c, err)
	}
	// Creating a user answers a token of the same kind.
	created := e.ok(t, e.A, "POST", "/partners/v2/users", map[string]any{"client": e.A.Client})
	if c, err := e.app.Users.Tokens.Verify(created["user_token"].(string)); err != nil || c.UserID != created["id"] {
		t.Fatalf("the created user's token says %+v, %v", c, err)
	}
	// A production key's user gets a production token.
	prodUser := e.createUser(t, e.AProd, nil)
	prod := e.ok(t, e.AProd, "POST", "/v2/user-tokens", map[string]any{"user": prodUser})
	if c, err := e.app.Users.Tokens.Verify(prod["user_token"].(string)); err != nil || c.Environment != "production" {
		t.Fatalf("production token says %+v, %v", c, err)
	}
}

func TestCreateUserTokenRefusals(t *testing.T) {
	e := newEnv(t)
	user := e.createUser(t, e.A, nil)
	for _, c := range []struct {
		name string
		k    key
		body any
		msg  string
	}{
		{"no user", e.A, map[string]any{}, "This field is required."},
		{"null user", e.A, map[string]any{"user": nil}, ""},
		{"not a uuid", e.A, map[string]any{"user": "nope"}, "Must be a valid UUID."},
		{"another partner's user", e.B, map[string]any{"user": user}, `Invalid pk "` + user + `" - object does not exist.`},
		{"the production environment's view", e.AProd, map[string]any{"user": user}, `Invalid pk "` + user + `" - object does not exist.`},
		{"unknown user", e.A, map[string]any{"user": "0190a0c2-1111-7000-8000-000000000001"}, `Invalid pk "0190a0c2-1111-7000-8000-000000000001" - object does not exist.`},
	} {
		r := e.call(t, c.k, "POST", "/v2/user-tokens", c.body)
		msgs := fieldError(t, r, "user")
		if c.msg != "" && (len(msgs) != 1 || msgs[0] != c.msg) {
			t.Errorf("%s: %v, want %q", c.name, msgs, c.msg)
		}
	}
	if r := e.call(t, e.A, "POST", "/v2/user-tokens", "not an object"); r.Status != http.StatusBadRequest {
		t.Errorf("a non-object body: %s", r)
	}
}
