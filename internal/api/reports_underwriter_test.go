package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"verigate/internal/report"
)

// TestReportIdentityMismatch: a verification ordered for Jane Doe that
// connects Bob Jones's payroll completes with an identity_mismatch error,
// in the same status change as the report, and the report flags it.
func TestReportIdentityMismatch(t *testing.T) {
	e := newEnv(t)
	k := e.A
	jane := e.createUser(t, k, map[string]any{"ssn": "000-00-1234", "birth_date": map[string]any{"year": 1990, "month": 1, "day": 13}})
	id := e.orderID(t, k, jane, "voie")
	e.connectSandbox(t, k, id, "item_000000001") // test_1: Bob Jones
	e.aggregateAll(t)
	v := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	if get(v, "status.state") != "COMPLETED" || get(v, "status.code") != "completed" {
		t.Fatalf("status %v", v["status"])
	}
	errs, _ := get(v, "status.errors").([]any)
	if len(errs) != 1 || get(errs[0], "code") != report.CodeIdentityMismatch {
		t.Fatalf("status errors %v, want one identity_mismatch", get(v, "status.errors"))
	}
	if msg, _ := get(errs[0], "message").(string); msg == "" || containsAny(msg, "1234", "4821", "Bob", "Jane") {
		t.Errorf("message %q: it names the fields, never their values", msg)
	}
	h, _ := e.app.Store.StatusHistory(context.Background(), id)
	if last := h[len(h)-1]; last.State != "COMPLETED" || !json.Valid(last.Errors) || !containsAny(string(last.Errors), report.CodeIdentityMismatch) {
		t.Errorf("the completing history entry %+v does not carry the mismatch", last)
	}
	jr := e.raw(t, &k, "GET", get(v, "report.json_url").(string), nil, "")
	doc := jsonOf(t, jr)
	if get(doc, "identity_check.result") != report.IdentityMismatch {
		t.Errorf("identity_check %v", doc["identity_check"])
	}
	for _, f := range get(doc, "identity_check.fields").([]any) {
		if get(f, "result") != report.IdentityMismatch {
			t.Errorf("field %v", f)
		}
	}
	if ref, _ := doc["reference_number"].(string); !report.ValidReference(ref) || ref != report.Reference(get(v, "report.id").(string)) {
		t.Errorf("reference number %v", doc["reference_number"])
	}
}

// TestReportIdentityMatchAndBuildsOn: ordered for Bob Jones, the report
// matches and completes without errors; a voe ordered afterwards names
// the voie it builds on.
func TestReportIdentityMatchAndBuildsOn(t *testing.T) {
	e := newEnv(t)
	k := e.A
	bob := e.createUser(t, k, map[string]any{"first_name": "Bob", "last_name": "Jones", "ssn": "123-45-4821",
		"birth_date": map[string]any{"year": 1985, "month": 4, "day": 12}})
	voie := e.orderID(t, k, bob, "voie")
	e.connectSandbox(t, k, voie, "item_000000001")
	e.aggregateAll(t)
	v := e.ok(t, k, "GET", "/partners/v2/verifications/"+voie, nil)
	if errs, _ := get(v, "status.errors").([]any); get(v, "status.state") != "COMPLETED" || len(errs) != 0 {
		t.Fatalf("status %v", v["status"])
	}
	voieReport := get(v, "report.id").(string)
	doc := jsonOf(t, e.raw(t, &k, "GET", get(v, "report.json_url").(string), nil, ""))
	if get(doc, "identity_check.result") != report.IdentityMatch || doc["builds_on"] != nil {
		t.Errorf("voie: identity_check %v, builds_on %v", doc["identity_check"], doc["builds_on"])
	}

	e.clock.Advance(3600e9)
	voe := e.orderID(t, k, bob, "voe")
	e.connectSandbox(t, k, voe, "item_000000001")
	e.aggregateAll(t)
	v = e.ok(t, k, "GET", "/partners/v2/verifications/"+voe, nil)
	doc = jsonOf(t, e.raw(t, &k, "GET", get(v, "report.json_url").(string), nil, ""))
	if get(doc, "builds_on.verification") != voie || get(doc, "builds_on.report") != voieReport ||
		get(doc, "builds_on.reference_number") != report.Reference(voieReport) || get(doc, "builds_on.type") != "voie" {
		t.Errorf("voe builds_on %v, want voie %s report %s", doc["builds_on"], voie, voieReport)
	}
	if doc["reference_number"] == get(doc, "builds_on.reference_number") {
		t.Error("the voe has the voie's reference number")
	}
	// Another user's voie is not built on.
	other := e.createUser(t, k, nil)
	voe2 := e.orderID(t, k, other, "voe")
	e.connectSandbox(t, k, voe2, "item_000000001")
	e.aggregateAll(t)
	v = e.ok(t, k, "GET", "/partners/v2/verifications/"+voe2, nil)
	if doc = jsonOf(t, e.raw(t, &k, "GET", get(v, "report.json_url").(string), nil, "")); doc["builds_on"] != nil {
		t.Errorf("another user's voe builds on %v", doc["builds_on"])
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
