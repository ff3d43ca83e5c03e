package api_test

import (
	"net/http"
	"testing"
)

func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	second, err := e.app.Keys.CreateKeyForClient(ctx, e.A.Client, "second", "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	list := e.ok(t, e.A, "GET", "/partners/v2/api-keys", nil)["results"].([]any)
	ids := map[string]map[string]any{}
	for _, x := range list {
		k := x.(map[string]any)
		ids[k["id"].(string)] = k
		if _, ok := k["api_key_secret"]; ok {
			t.Errorf("a listing shows a secret: %v", k)
		}
	}
	// Partner A's sandbox keys only: not its production key, not partner B's.
	if len(list) != 2 || ids[e.A.ID] == nil || ids[second.ID] == nil || ids[e.AProd.ID] != nil {
		t.Fatalf("keys listed: %s", jsonString(list))
	}
	// The calling key was just used; the unused one never was.
	if used, _ := ids[e.A.ID]["last_used_at"].(string); used == "" || ids[second.ID]["last_used_at"] != nil {
		t.Errorf("last_used_at: %v and %v", ids[e.A.ID]["last_used_at"], ids[second.ID]["last_used_at"])
	}
	// Another partner's key and another environment's key are not found.
	detailOf(t, e.call(t, e.B, "POST", "/partners/v2/api-keys/"+second.ID+"/revoke", nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.A, "POST", "/partners/v2/api-keys/"+e.AProd.ID+"/revoke", nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.A, "POST", "/partners/v2/api-keys/no-such-key/rotate", nil), http.StatusNotFound)

	revoked := e.ok(t, e.A, "POST", "/partners/v2/api-keys/"+second.ID+"/revoke", nil)
	if revoked["id"] != second.ID || revoked["revoked_at"] == nil {
		t.Fatalf("revoke answered %v", revoked)
	}
	if r := e.call(t, key{ID: second.ID, Secret: second.Secret}, "GET", "/partners/v2/api-keys", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the revoked key: %s", r)
	}
	detailOf(t, e.call(t, e.A, "POST", "/partners/v2/api-keys/"+second.ID+"/revoke", nil), http.StatusConflict)

	rotated := e.ok(t, e.A, "POST", "/partners/v2/api-keys/"+e.A.ID+"/rotate", nil)
	next := key{ID: rotated["api_key_id"].(string), Secret: rotated["api_key_secret"].(string)}
	if next.ID == e.A.ID || rotated["client"] != e.A.Client || rotated["environment"] != "sandbox" {
		t.Fatalf("rotate answered %v", rotated)
	}
	if r := e.call(t, e.A, "GET", "/partners/v2/api-keys", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the rotated key: %s", r)
	}
	e.ok(t, next, "GET", "/partners/v2/api-keys", nil)
}
