package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"verigate/internal/store"
)

func TestV2UsersLifecycle(t *testing.T) {
	e := newEnv(t)
	created := e.ok(t, e.A, "POST", "/v2/users", map[string]any{
		"first_name": "Sarah", "last_name": "Longfield", "email": "sarah@example.com", "phone_number": "+12125555555",
		"ssn": "123456789", "address": map[string]any{"city": "New York", "country": "us"},
		"birth_date":        map[string]any{"year": 1990, "month": 2, "day": 28},
		"external_metadata": map[string]any{"notes": "stage 2"}, "external_id": "July_Connection",
		"client": "ignored: the key's client is used",
	})
	id, _ := created["id"].(string)
	if !uuidRE.MatchString(id) || created["user_token"] == "" {
		t.Fatalf("create answered %v", created)
	}
	c, err := e.app.Users.Tokens.Verify(created["user_token"].(string))
	if err != nil || c.UserID != id || c.ClientID != e.A.Client {
		t.Fatalf("token %+v, %v", c, err)
	}
	u := e.ok(t, e.A, "GET", "/v2/users/"+strings.ToUpper(id), nil)
	if u["ssn"] != "123-45-6789" || u["external_id"] != "July_Connection" || u["email"] != "sarah@example.com" {
		t.Errorf("user = %v", u)
	}
	addr := u["address"].(map[string]any)
	if addr["country"] != "US" || addr["line1"] != nil || len(addr) != 6 {
		t.Errorf("address = %v", addr)
	}
	// The same record on the partners surface.
	if pu := e.ok(t, e.A, "GET", "/partners/v2/users/"+id, nil); pu["first_name"] != "Sarah" {
		t.Errorf("partners view = %v", pu)
	}
	// Unset fields are null, address and birth_date objects of nulls.
	bare := e.ok(t, e.A, "POST", "/v2/users", map[string]any{})
	b := e.ok(t, e.A, "GET", "/v2/users/"+bare["id"].(string), nil)
	for _, f := range []string{"first_name", "last_name", "email", "phone_number", "ssn", "external_id"} {
		if v, ok := b[f]; !ok || v != nil {
			t.Errorf("%s = %v, want null", f, v)
		}
	}
	if bd := b["birth_date"].(map[string]any); bd["year"] != nil || len(bd) != 3 {
		t.Errorf("birth_date = %v", bd)
	}
	if m, ok := b["external_metadata"].(map[string]any); !ok || len(m) != 0 {
		t.Errorf("external_metadata = %v", b["external_metadata"])
	}

	upd := e.ok(t, e.A, "PATCH", "/v2/users/"+id, map[string]any{"first_name": "Sara", "external_id": nil})
	if upd["first_name"] != "Sara" || upd["external_id"] != nil || upd["last_name"] != "Longfield" {
		t.Errorf("updated = %v", upd)
	}
	fieldError(t, e.call(t, e.A, "PATCH", "/v2/users/"+id, map[string]any{"external_id": strings.Repeat("x", 101)}), "external_id")
	fieldError(t, e.call(t, e.A, "POST", "/v2/users", map[string]any{"email": "not an address"}), "email")

	for _, k := range []key{e.B, e.AProd} {
		detailOf(t, e.call(t, k, "GET", "/v2/users/"+id, nil), http.StatusNotFound)
		detailOf(t, e.call(t, k, "PATCH", "/v2/users/"+id, map[string]any{"first_name": "X"}), http.StatusNotFound)
		detailOf(t, e.call(t, k, "DELETE", "/v2/users/"+id, nil), http.StatusNotFound)
	}
	detailOf(t, e.call(t, e.A, "GET", "/v2/users/not-a-uuid", nil), http.StatusNotFound)
}

func TestV2UsersList(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 5 {
		body := map[string]any{"first_name": "U"}
		if i%2 == 1 {
			body["external_id"] = "group"
		}
		ids = append(ids, e.ok(t, e.A, "POST", "/v2/users", body)["id"].(string))
	}
	e.createUser(t, e.B, nil)
	page := e.ok(t, e.A, "GET", "/v2/users?limit=2", nil)
	res := page["results"].([]any)
	if len(res) != 2 || res[0].(map[string]any)["id"] != ids[4] || page["next"] == nil || page["previous"] != nil {
		t.Fatalf("first page = %v", page)
	}
	var seen []string
	for url := "/v2/users?limit=2"; url != ""; {
		p := e.ok(t, e.A, "GET", url, nil)
		for _, r := range p["results"].([]any) {
			seen = append(seen, r.(map[string]any)["id"].(string))
		}
		url, _ = p["next"].(string)
	}
	if len(seen) != 5 || seen[4] != ids[0] {
		t.Errorf("walked %v", seen)
	}
	grp := e.ok(t, e.A, "GET", "/v2/users?external_id=group", nil)["results"].([]any)
	if len(grp) != 2 || grp[0].(map[string]any)["id"] != ids[3] {
		t.Errorf("external_id filter = %v", grp)
	}
	fieldError(t, e.call(t, e.A, "GET", "/v2/users?limit=201", nil), "limit")
	fieldError(t, e.call(t, e.A, "GET", "/v2/users?cursor=bogus", nil), "cursor")
}

func TestV2UsersDelete(t *testing.T) {
	e := newEnv(t)
	gone := e.createUser(t, e.A, nil)
	kept := e.createUser(t, e.A, nil)
	v := e.orderID(t, e.A, gone, "voie")
	e.connectAccount(t, gone, "payroll")
	e.connectAccount(t, kept, "payroll")
	inv := e.ok(t, e.A, "POST", "/v2/invites", map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"})
	invUser := inv["user"].(string)

	r := e.call(t, e.A, "DELETE", "/v2/users/"+gone, nil)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("delete: %s", r)
	}
	detailOf(t, e.call(t, e.A, "GET", "/v2/users/"+gone, nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.A, "GET", "/partners/v2/users/"+gone, nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.A, "GET", "/partners/v2/verifications/"+v, nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.A, "DELETE", "/v2/users/"+gone, nil), http.StatusNotFound)
	for user, want := range map[string]int{gone: 0, kept: 1} {
		accts, err := e.app.Store.AccountsOfUser(context.Background(), user, "payroll")
		if err != nil || len(accts) != want {
			t.Errorf("user %s has %d accounts (%v), want %d", user, len(accts), err, want)
		}
	}
	e.ok(t, e.A, "GET", "/v2/users/"+kept, nil)
	sc := store.Scope{PartnerID: e.A.Partner, Environment: store.Sandbox}
	if _, err := e.app.Store.Verification(context.Background(), sc, v); err == nil {
		t.Error("the verification is still stored")
	}
	// Deleting an invited user removes the invite too.
	if r := e.call(t, e.A, "DELETE", "/v2/users/"+invUser, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete invited user: %s", r)
	}
	detailOf(t, e.call(t, e.A, "GET", "/v2/invites/"+inv["id"].(string), nil), http.StatusNotFound)
}
