package api_test

import (
	"context"
	"strings"
	"testing"

	"verigate/internal/pdftest"
	"verigate/internal/verification"
)

// statusErrors returns a verification's status errors.
func (e *env) statusErrors(t testing.TB, k key, id string) []map[string]any {
	t.Helper()
	v := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	var out []map[string]any
	for _, x := range get(v, "status.errors").([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func codes(errs []map[string]any) string {
	var c []string
	for _, e := range errs {
		c = append(c, e["code"].(string))
	}
	return strings.Join(c, ",")
}

func (e *env) orderDocs(t testing.TB, k key, user string, emps ...map[string]any) string {
	t.Helper()
	list := make([]any, len(emps))
	for i, m := range emps {
		list[i] = m
	}
	return e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user,
		"report": map[string]any{"type": "doc-voi-mortgage"}, "employments": list, "loan": map[string]any{"number": "DOC-1"}})["id"].(string)
}

func job(employer, status, hire string, term any) map[string]any {
	return map[string]any{"employer": employer, "status": status, "hire_date": hire, "termination_date": term}
}

// TestDocumentsStateMachine walks a documents verification through every
// branch: waiting, paused with what is missing, completed, completed with errors.
// The clock says 2025-06-01: W-2s for 2024 and 2023 are due, paystubs from 2025-05-02 count.
func TestDocumentsStateMachine(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	user := e.createUser(t, k, nil)
	id := e.orderDocs(t, k, user, job("Acme Corp", "active", "2019-03-01", nil))

	// The order answers PENDING, as the contract's example; the evaluator
	// then pauses it, naming everything that is missing.
	if s := e.status(t, k, id); s != "PENDING/pending" {
		t.Fatalf("ordered: %s", s)
	}
	e.evaluate(t)
	if s := e.status(t, k, id); s != "PAUSED/more_data_required" {
		t.Fatalf("no uploads yet: %s", s)
	}
	if errs := e.statusErrors(t, k, id); codes(errs) != "missing_paystub,missing_w2,missing_w2" {
		t.Fatalf("no uploads yet: errors %v", errs)
	}

	// A W-2 arrives: documents_processing, then PAUSED naming what is missing.
	w2024 := e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "ACME corp.", "tax_year": "2024"})
	if s := e.status(t, k, id); s != "PROCESSING/documents_processing" {
		t.Fatalf("after an upload: %s", s)
	}
	e.evaluate(t)
	if s := e.status(t, k, id); s != "PAUSED/more_data_required" {
		t.Fatalf("incomplete documents: %s", s)
	}
	errs := e.statusErrors(t, k, id)
	if codes(errs) != "missing_paystub,missing_w2" {
		t.Fatalf("errors %v", errs)
	}
	if msg := errs[0]["message"].(string); !strings.Contains(msg, "Acme Corp") || !strings.Contains(msg, "most recent paystub dated within 30 days") || !strings.Contains(msg, "2025-05-02") {
		t.Errorf("paystub message %q", msg)
	}
	if errs[1]["title"] != "W-2 for 2023 required" || !strings.Contains(errs[1]["message"].(string), "W-2 for 2023") {
		t.Errorf("W-2 error %v", errs[1])
	}
	if r := errs[0]["resources"].([]any)[0].(map[string]any); r["type"] != "employments" || r["name"] != "Acme Corp" || r["id"] != nil {
		t.Errorf("resource %v", r)
	}

	// An old paystub and one for an unknown employer: still PAUSED, and told why they do not count.
	e.uploadDoc(t, k, user, "paystubs", map[string]string{"employer": "Acme Corp", "pay_date": "2025-04-01"})
	other := e.uploadDoc(t, k, user, "paystubs", map[string]string{"employer": "Other Co", "pay_date": "2025-05-30"})
	e.evaluate(t)
	errs = e.statusErrors(t, k, id)
	if s := e.status(t, k, id); s != "PAUSED/more_data_required" || codes(errs) != "missing_paystub,missing_w2,unmatched_document" {
		t.Fatalf("%s %v", s, errs)
	}
	if !strings.Contains(errs[0]["message"].(string), "latest paystub uploaded for it was paid 2025-04-01") {
		t.Errorf("old paystub not explained: %v", errs[0]["message"])
	}
	if r := errs[2]["resources"].([]any)[0].(map[string]any); r["id"] != other || r["type"] != "user_uploads" {
		t.Errorf("unmatched upload resource %v", r)
	}

	// Everything: report_generating, then COMPLETED with a report.
	e.uploadDoc(t, k, user, "paystubs", map[string]string{"employer": "acme corp", "pay_date": "2025-05-23", "period_start": "2025-05-05", "period_end": "2025-05-18"})
	e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "Acme Corp", "tax_year": "2023"})
	e.evaluate(t)
	done := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	if get(done, "status.state") != "COMPLETED" || get(done, "status.code") != "completed" || len(get(done, "status.errors").([]any)) != 0 {
		t.Fatalf("complete documents: %v", done["status"])
	}
	h, _ := e.app.Store.StatusHistory(ctx, id)
	var steps []string
	for _, c := range h {
		steps = append(steps, c.Code)
	}
	if want := "pending documents_processing more_data_required documents_processing more_data_required documents_processing more_data_required documents_processing report_generating completed"; strings.Join(steps, " ") != want {
		t.Errorf("history %v\nwant %s", steps, want)
	}
	jr := e.raw(t, &k, "GET", get(done, "report.json_url").(string), nil, "")
	rep := jsonOf(t, jr)
	if get(rep, "type") != "doc-voi-mortgage" || get(rep, "documents.eligibility.eligible") != true {
		t.Errorf("report %s", jr.Body)
	}
	reqs := get(rep, "documents.employments").([]any)[0].(map[string]any)["requirements"].([]any)
	if len(reqs) != 3 {
		t.Fatalf("requirements %v", reqs)
	}
	for _, q := range reqs {
		if q.(map[string]any)["met"] != true || q.(map[string]any)["upload"] == nil {
			t.Errorf("requirement %v", q)
		}
	}
	if w := reqs[1].(map[string]any); w["requirement"] != "W-2 for 2024" || w["upload"] != w2024 {
		t.Errorf("W-2 2024 requirement %v", w)
	}
	pr := e.raw(t, &k, "GET", get(done, "report.file_url").(string), nil, "")
	doc, err := pdftest.Read(pr.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Acme Corp", "Eligible", "W-2 for 2023", "Loan number: DOC-1", "no OCR"} {
		if !strings.Contains(doc.Text(), want) {
			t.Errorf("documents PDF lacks %q", want)
		}
	}
	// A completed verification is not evaluated again by later uploads.
	e.uploadDoc(t, k, user, "miscellaneous", nil)
	if e.evaluate(t); e.status(t, k, id) != "COMPLETED/completed" {
		t.Error("a later upload changed a completed verification")
	}
}

func TestDocumentsNotEligible(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	// Uploads first, then the order: it answers PENDING and is evaluated next.
	e.uploadDoc(t, k, user, "paystubs", map[string]string{"employer": "New Co", "pay_date": "2025-05-30"})
	e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "New Co", "tax_year": "2024"})
	e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "Old Co", "tax_year": "2023"})
	// Old Co ended in 2023-01 and New Co started in 2024-05: a 16-month gap.
	v := e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "doc-voi-mortgage"},
		"employments": []any{job("New Co", "active", "2024-05-01", nil), job("Old Co", "previous", "2015-01-05", "2023-01-31")}})
	id := v["id"].(string)
	if get(v, "status.code") != "pending" {
		t.Errorf("an order for a user with uploads answered %v", v["status"])
	}
	e.evaluate(t)
	done := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	if get(done, "status.state") != "COMPLETED" || get(done, "status.code") != "completed_with_errors" || get(done, "report.id") == nil {
		t.Fatalf("%v %v", done["status"], done["report"])
	}
	errs := e.statusErrors(t, k, id)
	if codes(errs) != "employment_gap" || !strings.Contains(errs[0]["message"].(string), "2023-01-31 to 2024-05-01") {
		t.Errorf("errors %v", errs)
	}
	rep := jsonOf(t, e.raw(t, &k, "GET", get(done, "report.json_url").(string), nil, ""))
	if get(rep, "documents.eligibility.eligible") != false || len(get(rep, "documents.eligibility.errors").([]any)) != 1 {
		t.Errorf("report eligibility %v", get(rep, "documents.eligibility"))
	}

	// A short history: one job, started a year ago.
	user2 := e.createUser(t, k, nil)
	e.uploadDoc(t, k, user2, "paystubs", map[string]string{"employer": "Solo", "pay_date": "2025-05-30"})
	e.uploadDoc(t, k, user2, "W-2", map[string]string{"employer": "Solo", "tax_year": "2024"})
	id2 := e.orderDocs(t, k, user2, job("Solo", "active", "2024-06-03", nil))
	e.evaluate(t)
	if s := e.status(t, k, id2); s != "COMPLETED/completed_with_errors" || codes(e.statusErrors(t, k, id2)) != "insufficient_employment_history" {
		t.Errorf("%s %v", s, e.statusErrors(t, k, id2))
	}
}

func TestDocumentsUpdateAndCancel(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	id := e.orderDocs(t, k, user, job("Acme", "active", "2015-01-05", nil))
	e.uploadDoc(t, k, user, "paystubs", map[string]string{"employer": "Beta LLC", "pay_date": "2025-05-28"})
	e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "Beta LLC", "tax_year": "2024"})
	e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "Beta LLC", "tax_year": "2023"})
	e.evaluate(t)
	if s := e.status(t, k, id); s != "PAUSED/more_data_required" {
		t.Fatalf("%s", s)
	}
	// The partner corrects the employment: PATCH answers documents_processing and the evaluator completes it.
	got := e.ok(t, k, "PATCH", "/partners/v2/verifications/"+id, map[string]any{"employments": []any{job("Beta LLC", "active", "2015-01-05", nil)}})
	if get(got, "status.code") != "documents_processing" {
		t.Errorf("PATCH answered %v", got["status"])
	}
	e.evaluate(t)
	if s := e.status(t, k, id); s != "COMPLETED/completed" {
		t.Errorf("after the correction: %s %v", s, e.statusErrors(t, k, id))
	}

	// Cancel from PAUSED.
	user2 := e.createUser(t, k, nil)
	id2 := e.orderDocs(t, k, user2, job("Gamma", "active", "2015-01-05", nil))
	e.uploadDoc(t, k, user2, "miscellaneous", nil)
	e.evaluate(t)
	if s := e.status(t, k, id2); s != "PAUSED/more_data_required" {
		t.Fatalf("%s", s)
	}
	if len(e.statusErrors(t, k, id2)) == 0 {
		t.Fatal("the pause has no errors to clear")
	}
	// Cancelling clears the pause's errors, as the contract's cancel example shows.
	if c := e.ok(t, k, "POST", "/partners/v2/verifications/"+id2+"/cancel", nil); get(c, "status.state") != "CANCELLED" || len(get(c, "status.errors").([]any)) != 0 {
		t.Errorf("cancel: %v", c["status"])
	}
	e.uploadDoc(t, k, user2, "paystubs", map[string]string{"employer": "Gamma", "pay_date": "2025-05-28"})
	if s := e.status(t, k, id2); s != "CANCELLED/cancelled_by_client" {
		t.Errorf("an upload reopened a cancelled verification: %s", s)
	}
}

// TestDocumentsRecovery: a verification left in report_generating (a crash
// after the step) is finished by the next evaluation, once.
func TestDocumentsRecovery(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	id := e.orderDocs(t, k, user, job("Acme", "previous", "2010-01-04", "2022-12-30"))
	e.advance(t, k, id, stDocsProc, verification.Status{State: "PROCESSING", Code: "report_generating"})
	e.evaluate(t)
	first := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	if get(first, "status.state") != "COMPLETED" {
		t.Fatalf("%v", first["status"])
	}
	// No current employment, no W-2 due (the job ended before 2023): complete but not eligible.
	if codes(e.statusErrors(t, k, id)) != "no_current_employment,insufficient_employment_history" {
		t.Errorf("errors %v", e.statusErrors(t, k, id))
	}
	if n := e.evaluate(t); n != 0 {
		t.Errorf("evaluated %d again", n)
	}
	if again := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil); jsonString(again) != jsonString(first) {
		t.Error("a second evaluation changed the verification")
	}
}

// TestDocumentsRefresh: a refreshed documents verification is judged on the
// user's uploads against the employments of the earlier verification.
func TestDocumentsRefresh(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	first := e.orderDocs(t, k, user, job("Acme", "active", "2015-01-05", nil))
	e.uploadDoc(t, k, user, "paystubs", map[string]string{"employer": "Acme", "pay_date": "2025-05-28"})
	e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "Acme", "tax_year": "2024"})
	e.uploadDoc(t, k, user, "W-2", map[string]string{"employer": "Acme", "tax_year": "2023"})
	e.evaluate(t)
	if s := e.status(t, k, first); s != "COMPLETED/completed" {
		t.Fatalf("first: %s", s)
	}
	r := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "doc-voi-mortgage"}})
	if get(r, "status.code") != "pending" {
		t.Errorf("refresh answered %v", r["status"])
	}
	e.evaluate(t)
	got := e.ok(t, k, "GET", "/partners/v2/verifications/"+r["id"].(string), nil)
	if get(got, "status.code") != "completed" || get(got, "report.id") == get(e.ok(t, k, "GET", "/partners/v2/verifications/"+first, nil), "report.id") {
		t.Errorf("refreshed: %v %v", got["status"], got["report"])
	}
}
