package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"verigate/internal/store"
)

// The validator that every success response goes through must itself be
// able to fail.
func TestContractValidatorRejectsNonConformingBodies(t *testing.T) {
	doc := needContract(t)
	good := `{"id":"0196f0a0-0000-7000-8000-000000000001","user":"0196f0a0-0000-7000-8000-000000000002","client":"0196f0a0-0000-7000-8000-000000000003",
"created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-01T00:00:00.000Z","channel":"api",
"status":{"state":"PENDING","code":"pending","errors":[]},"report":{"id":null,"type":"voie","file_url":null,"json_url":null},
"employments":[],"loan":{},"billing":{},"data_source":"payroll"}`
	hr, _ := http.NewRequest("GET", "http://x/partners/v2/verifications/0196f0a0-0000-7000-8000-000000000001", nil)
	header := http.Header{"Content-Type": {"application/json"}}
	if err := contractError(doc, hr, resp{Status: 200, Header: header, Body: []byte(good)}); err != nil {
		t.Fatalf("a conforming body was rejected: %v", err)
	}
	for name, bad := range map[string]string{
		"state not in enum":   strings.Replace(good, `"PENDING"`, `"WAITING"`, 1),
		"data_source unknown": strings.Replace(good, `"payroll"`, `"email"`, 1),
		"created_at no date":  strings.Replace(good, `"2025-01-01T00:00:00.000Z"`, `"yesterday"`, 1),
		"id not a uuid":       strings.Replace(good, `0196f0a0-0000-7000-8000-000000000001"`, `42"`, 1),
		"report.type null":    strings.Replace(good, `"type":"voie"`, `"type":null`, 1),
	} {
		if err := contractError(doc, hr, resp{Status: 200, Header: header, Body: []byte(bad)}); err == nil {
			t.Errorf("%s: accepted %s", name, bad)
		}
	}
	if err := contractError(doc, hr, resp{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(good)}); err == nil {
		t.Error("a text/plain response was accepted")
	}
}

// Each of the contract's request examples, sent with real ids, answers
// exactly the contract's response example (ids substituted, timestamps
// checked for format, the session link checked for shape).
func TestContractExamples(t *testing.T) {
	doc := needContract(t)
	e := newEnv(t)
	k := e.A
	ctx := context.Background()

	// Users: create, then patch.
	create := contractExample(t, doc, "POST", "/partners/v2/users", false, "").(map[string]any)
	create["client"] = k.Client
	created := e.ok(t, k, "POST", "/partners/v2/users", create)
	if tok, _ := created["user_token"].(string); len(tok) < 20 {
		t.Errorf("user_token %q is too short to be a secret", tok)
	}
	sameAsExample(t, contractExample(t, doc, "POST", "/partners/v2/users", true, ""), created, "id", "user_token")
	user := created["id"].(string)

	// items_connected and employers_connected come from connections the user
	// made; record the example's ones the way the connection experience will.
	u, err := e.app.Store.User(ctx, store.Scope{PartnerID: k.Partner, Environment: k.Env}, user)
	if err != nil {
		t.Fatal(err)
	}
	u.ItemsConnected = []string{"item_123456789", "item_987654321"}
	u.EmployersConnected = []string{"Whole Goods", "Bullseye"}
	if err := e.app.Store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	patch := contractExample(t, doc, "PATCH", "/partners/v2/users/{id}", false, "")
	patched := e.ok(t, k, "PATCH", "/partners/v2/users/"+user, patch)
	wantUser := contractExample(t, doc, "PATCH", "/partners/v2/users/{id}", true, "").(map[string]any)
	wantUser["id"] = user
	sameAsExample(t, wantUser, patched)
	sameAsExample(t, wantUser, e.ok(t, k, "GET", "/partners/v2/users/"+user, nil))

	// Verifications: order each example.
	verif := func(want map[string]any, id string) map[string]any {
		want["id"], want["user"], want["client"] = id, user, k.Client
		return want
	}
	ids := map[string]string{}
	for _, name := range []string{"payroll", "banking", "documents"} {
		body := contractExample(t, doc, "POST", "/partners/v2/verifications", false, name).(map[string]any)
		body["user"] = user
		got := e.ok(t, k, "POST", "/partners/v2/verifications", body)
		ids[name] = got["id"].(string)
		want := contractExample(t, doc, "POST", "/partners/v2/verifications", true, name).(map[string]any)
		sameAsExample(t, verif(want, ids[name]), got)
	}

	// Retrieve: the example is a banking verification the user has authenticated.
	e.advance(t, k, ids["banking"], stUserSession, stAuthed)
	e.advance(t, k, ids["payroll"], stUserSession, stAuthed)
	gotV := e.ok(t, k, "GET", "/partners/v2/verifications/"+ids["banking"], nil)
	sameAsExample(t, verif(contractExample(t, doc, "GET", "/partners/v2/verifications/{id}", true, "").(map[string]any), ids["banking"]), gotV)

	// The list example's second result is that same verification.
	list := e.ok(t, k, "GET", "/partners/v2/verifications?user="+user+"&report_type=voai", nil)
	results, _ := list["results"].([]any)
	if len(results) != 1 {
		t.Fatalf("list: want 1 result, got %v", list)
	}
	wantList := contractExample(t, doc, "GET", "/partners/v2/verifications", true, "").(map[string]any)
	second := wantList["results"].([]any)[1].(map[string]any)
	sameAsExample(t, verif(second, ids["banking"]), results[0].(map[string]any))

	// Update: payroll and banking after authentication, documents while PAUSED.
	e.pauseDocuments(t, k, ids["documents"])
	for _, name := range []string{"payroll", "banking", "documents"} {
		body := contractExample(t, doc, "PATCH", "/partners/v2/verifications/{id}", false, name)
		got := e.ok(t, k, "PATCH", "/partners/v2/verifications/"+ids[name], body)
		want := contractExample(t, doc, "PATCH", "/partners/v2/verifications/{id}", true, name).(map[string]any)
		sameAsExample(t, verif(want, ids[name]), got)
	}

	// Cancel: the example is a documents verification ordered as in the
	// order example and then paused for more data.
	body := contractExample(t, doc, "POST", "/partners/v2/verifications", false, "documents").(map[string]any)
	body["user"] = user
	toCancel := e.ok(t, k, "POST", "/partners/v2/verifications", body)["id"].(string)
	e.pauseDocuments(t, k, toCancel)
	got := e.ok(t, k, "POST", "/partners/v2/verifications/"+toCancel+"/cancel", nil)
	sameAsExample(t, verif(contractExample(t, doc, "POST", "/partners/v2/verifications/{id}/cancel", true, "").(map[string]any), toCancel), got)

	// Refresh: the user has connected payroll and banking accounts and an
	// earlier documents verification.
	e.connectAccount(t, user, "payroll")
	e.connectAccount(t, user, "banking")
	for _, name := range []string{"payroll", "banking", "documents"} {
		body := contractExample(t, doc, "POST", "/partners/v2/verifications/refresh", false, name).(map[string]any)
		body["user"] = user
		got := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", body)
		id, _ := got["id"].(string)
		if !uuidRE.MatchString(id) || id == ids[name] {
			t.Errorf("refresh %s: id %q is not a new verification", name, id)
		}
		want := contractExample(t, doc, "POST", "/partners/v2/verifications/refresh", true, name).(map[string]any)
		sameAsExample(t, verif(want, id), got)
	}

	// Sessions: the seed's examples, verbatim but for the verification id.
	for name, ds := range map[string]string{"payroll": "voie", "banking": "voai"} {
		vid := e.orderID(t, k, user, ds)
		body := contractExample(t, doc, "POST", "/partners/v2/sessions", false, name).(map[string]any)
		body["verification"] = vid
		got := e.ok(t, k, "POST", "/partners/v2/sessions", body)
		link, _ := got["link"].(string)
		if !strings.HasPrefix(link, e.srv.URL+"/connect/") {
			t.Errorf("session %s: link %q is not under %s/connect/", name, link, e.srv.URL)
		}
		want := contractExample(t, doc, "POST", "/partners/v2/sessions", true, name).(map[string]any)
		want["verification"] = vid
		sameAsExample(t, want, got, "link")
	}
}
