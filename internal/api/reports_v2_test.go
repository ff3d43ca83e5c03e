package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"verigate/internal/pdftest"
	"verigate/internal/store"
)

// syncedUser returns a user of k whose sandbox payroll account (test_1)
// is connected and aggregated, and that account.
func (e *env) syncedUser(t testing.TB, k key, extra map[string]any) (string, store.Account) {
	t.Helper()
	user := e.createUser(t, k, extra)
	acct := e.connectSandbox(t, k, e.orderID(t, k, user, "voie"), "item_000000001")
	if n := e.aggregateAll(t); n != 1 {
		t.Fatalf("aggregated %d accounts, want 1", n)
	}
	acct, err := e.app.Store.Account(context.Background(), acct.ID)
	if err != nil || acct.ScannedAt == nil {
		t.Fatalf("aggregated account: %+v %v", acct, err)
	}
	return user, acct
}

func TestV2Reports(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user, acct := e.syncedUser(t, k, map[string]any{"external_id": "July_Connection"})
	e.clock.Advance(time.Minute)

	got := e.ok(t, k, "POST", "/v2/reports/voie", map[string]any{"user": strings.ToUpper(user), "metadata": map[string]any{"purpose": "Risk Assessment", "n": 1.5}})
	id, _ := got["id"].(string)
	if !uuidRE.MatchString(id) {
		t.Fatalf("report id %v", got["id"])
	}
	synced := acct.ScannedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	at := e.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	want := map[string]any{
		"id": id, "user": user, "reference_id": id, "generated_at": at, "created_at": at, "type": "voie", "status": "generated",
		"file_url": e.srv.URL + "/v2/reports/" + id + "/pdf", "json_url": e.srv.URL + "/v2/reports/" + id + "/json",
		"last_synced_at": synced,
		"accounts":       []any{map[string]any{"id": acct.ID, "item": "item_000000001", "last_synced_at": synced}},
		"metadata":       map[string]any{"purpose": "Risk Assessment", "n": 1.5},
		"external_id":    "July_Connection",
	}
	for _, d := range diff("", toJSON(t, want), toJSON(t, got)) {
		t.Errorf("created report: %s", d)
	}
	if g := e.ok(t, k, "GET", "/v2/reports/"+id, nil); jsonString(g) != jsonString(got) {
		t.Errorf("GET differs from the creation:\n%v\n%v", g, got)
	}

	// The files: the JSON report of the user's data, the PDF, for the owner only.
	jr := e.raw(t, &k, "GET", got["json_url"].(string), nil, "")
	if jr.Status != 200 || jr.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("json: %s", jr)
	}
	rep := jsonOf(t, jr)
	if rep["id"] != id || rep["type"] != "voie" || rep["user"] != user || get(rep, "identity.full_name") != "Bob Jones" || rep["data_source"] != "payroll" {
		t.Errorf("JSON report head: %v", rep)
	}
	if _, ok := rep["verification"]; ok {
		t.Errorf("a user report names a verification: %v", rep["verification"])
	}
	if emps, _ := rep["employments"].([]any); len(emps) == 0 {
		t.Error("the report lists no employment")
	}
	if inc, _ := rep["income"].([]any); len(inc) == 0 {
		t.Error("a voie report shows no income")
	}
	pr := e.raw(t, &k, "GET", got["file_url"].(string), nil, "")
	if pr.Status != 200 || pr.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %v", pr.Status, pr.Header)
	}
	doc, err := pdftest.Read(pr.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{id, "Requested for user " + user, "Bob Jones", "Verification of Income and Employment"} {
		if !strings.Contains(doc.Text(), w) {
			t.Errorf("PDF lacks %q", w)
		}
	}
	for _, other := range []key{e.B, e.AProd} {
		detailOf(t, e.call(t, other, "GET", "/v2/reports/"+id, nil), 404)
		for _, u := range []string{got["file_url"].(string), got["json_url"].(string)} {
			if r := e.raw(t, &other, "GET", u, nil, ""); r.Status != http.StatusNotFound {
				t.Errorf("%s as another tenant: %d", u, r.Status)
			}
		}
		if r := e.call(t, other, "DELETE", "/v2/reports/"+id, nil); r.Status != http.StatusNotFound {
			t.Errorf("DELETE as another tenant: %s", r)
		}
	}
	if r := e.raw(t, nil, "GET", got["file_url"].(string), nil, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("without credentials: %d", r.Status)
	}
	// A user report is a /v2 resource: Partners v2 does not serve its files.
	if r := e.raw(t, &k, "GET", "/partners/v2/reports/"+id+"/pdf", nil, ""); r.Status != http.StatusNotFound {
		t.Errorf("user report on Partners v2: %d", r.Status)
	}

	// voe: no income; no metadata is {}; a user without external_id has null.
	e.clock.Advance(time.Second)
	voe := e.ok(t, k, "POST", "/v2/reports/voe", map[string]any{"user": user})
	if voe["type"] != "voe" || fmt.Sprint(voe["metadata"]) != "map[]" || voe["external_id"] != "July_Connection" {
		t.Errorf("voe: %v", voe)
	}
	if rep := jsonOf(t, e.raw(t, &k, "GET", voe["json_url"].(string), nil, "")); rep["income"] != nil || rep["type"] != "voe" {
		t.Errorf("voe report has income or the wrong type: %v", rep["income"])
	}
	other, _ := e.syncedUser(t, k, nil)
	third := e.ok(t, k, "POST", "/v2/reports/voe", map[string]any{"user": other})
	if v, ok := third["external_id"]; !ok || v != nil {
		t.Errorf("external_id without one: %v", third)
	}

	// List: newest first, by user, paginated on /v2.
	for q, want := range map[string][]string{"": {third["id"].(string), voe["id"].(string), id}, "?user=" + user: {voe["id"].(string), id}, "?user=" + other: {third["id"].(string)}} {
		if ids, _, _ := e.listed(t, k, "/v2/reports"+q); fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("%q: %v, want %v", q, ids, want)
		}
	}
	ids, next, _ := e.listed(t, k, "/v2/reports?limit=2")
	if len(ids) != 2 || next == "" {
		t.Fatalf("first page %v next %q", ids, next)
	}
	if ids, _, _ := e.listed(t, k, next); fmt.Sprint(ids) != fmt.Sprint([]string{id}) {
		t.Errorf("second page %v", ids)
	}
	if ids, _, _ := e.listed(t, e.B, "/v2/reports"); len(ids) != 0 {
		t.Errorf("another tenant lists %v", ids)
	}

	// Delete: 204, then the report, its files and its listing are gone.
	if r := e.call(t, k, "DELETE", "/v2/reports/"+id, nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("delete: %s", r)
	}
	detailOf(t, e.call(t, k, "GET", "/v2/reports/"+id, nil), 404)
	detailOf(t, e.call(t, k, "DELETE", "/v2/reports/"+id, nil), 404)
	if r := e.raw(t, &k, "GET", got["file_url"].(string), nil, ""); r.Status != http.StatusNotFound {
		t.Errorf("deleted report's file: %d", r.Status)
	}
	if ids, _, _ := e.listed(t, k, "/v2/reports?user="+user); fmt.Sprint(ids) != fmt.Sprint([]string{voe["id"].(string)}) {
		t.Errorf("after deletion: %v", ids)
	}
	if _, err := e.app.Reports.Files.Get(id + ".pdf"); err == nil {
		t.Error("the deleted report's PDF is still stored")
	}
}

func TestV2ReportRefusals(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user, _ := e.syncedUser(t, k, nil)
	fresh := e.createUser(t, k, nil)
	foreign := e.createUser(t, e.B, nil)
	before := e.countRows(t, "user_reports")
	for _, c := range []struct {
		path  string
		body  any
		field string
	}{
		{"/v2/reports/voie", map[string]any{}, "user"},
		{"/v2/reports/voie", map[string]any{"user": nil}, "user"},
		{"/v2/reports/voie", map[string]any{"user": "nope"}, "user"},
		{"/v2/reports/voie", map[string]any{"user": 7}, "user"},
		{"/v2/reports/voie", map[string]any{"user": user, "metadata": []any{1}}, "metadata"},
		{"/v2/reports/voie", map[string]any{"user": user, "metadata": "x"}, "metadata"},
		{"/v2/reports/voie", map[string]any{"user": user, "metadata": nil}, "metadata"},
		{"/v2/reports/voa", map[string]any{"user": user}, "type"},
		{"/v2/reports/VOIE", map[string]any{"user": user}, "type"},
		{"/v2/reports/voie-mortgage", map[string]any{"user": user}, "type"},
		{"/v2/reports/voe-mortgage", map[string]any{"user": user}, "type"},
		// No synced payroll account yet.
		{"/v2/reports/voie", map[string]any{"user": fresh}, "user"},
		{"/v2/reports/non_field_errors", []any{}, "non_field_errors"},
	} {
		fieldError(t, e.call(t, k, "POST", c.path, c.body), c.field)
	}
	detailOf(t, e.call(t, k, "POST", "/v2/reports/voie", map[string]any{"user": foreign}), 404)
	detailOf(t, e.call(t, k, "POST", "/v2/reports/voie", map[string]any{"user": unknownID}), 404)
	detailOf(t, e.call(t, e.AProd, "POST", "/v2/reports/voie", map[string]any{"user": user}), 404)
	detailOf(t, e.call(t, k, "POST", "/v2/reports/voie", `{"user":`), 400)
	// Metadata that is not valid text is refused with the rest of the body.
	detailOf(t, e.call(t, k, "POST", "/v2/reports/voie", "{\"user\": \""+user+"\", \"metadata\": {\"a\": \"\xff\"}}"), 400)
	detailOf(t, e.send(t, req{key: &k, method: "POST", path: "/v2/reports/voie", body: "user=x", contentType: "text/plain"}), 415)
	for _, q := range []string{"?user=nope", "?limit=201", "?cursor=zz"} {
		fieldError(t, e.call(t, k, "GET", "/v2/reports"+q, nil), strings.SplitN(q[1:], "=", 2)[0])
	}
	for _, p := range []string{"/v2/reports/nope", "/v2/reports/" + unknownID, "/v2/reports/" + unknownID + "/pdf", "/v2/reports/nope/json"} {
		detailOf(t, e.call(t, k, "GET", p, nil), 404)
	}
	detailOf(t, e.call(t, k, "DELETE", "/v2/reports/nope", nil), 404)
	detailOf(t, e.call(t, k, "PUT", "/v2/reports/"+unknownID, nil), 405)
	if n := e.countRows(t, "user_reports"); n != before {
		t.Errorf("refused requests stored %d reports", n-before)
	}

	// Ten a day per user; deleting one allows another; a day later, more.
	var made []string
	for i := 0; i < 10; i++ {
		made = append(made, e.ok(t, k, "POST", "/v2/reports/voe", map[string]any{"user": user})["id"].(string))
		e.clock.Advance(time.Minute)
	}
	msg := detailOf(t, e.call(t, k, "POST", "/v2/reports/voe", map[string]any{"user": user}), http.StatusTooManyRequests)
	if !strings.Contains(msg, "10 reports") {
		t.Errorf("429 message %q", msg)
	}
	if r := e.call(t, k, "DELETE", "/v2/reports/"+made[3], nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %s", r)
	}
	e.ok(t, k, "POST", "/v2/reports/voe", map[string]any{"user": user})
	detailOf(t, e.call(t, k, "POST", "/v2/reports/voe", map[string]any{"user": user}), http.StatusTooManyRequests)
	e.clock.Advance(24*time.Hour - 10*time.Minute + time.Millisecond) // the first is now more than a day old
	e.ok(t, k, "POST", "/v2/reports/voie", map[string]any{"user": user})
}

// TestV2VerificationReportURLs: a completed verification read on /v2 links
// its report files on /v2, which serve the same bytes as on Partners v2.
func TestV2VerificationReportURLs(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	id := e.ok(t, k, "POST", "/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "voe"}})["id"].(string)
	e.connectSandbox(t, k, id, "item_000000001")
	e.aggregateAll(t)
	g := e.ok(t, k, "GET", "/v2/verifications/"+id, nil)
	p := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	rid, _ := get(g, "report.id").(string)
	if get(g, "status.state") != "COMPLETED" || !uuidRE.MatchString(rid) {
		t.Fatalf("verification: %v", g)
	}
	for _, f := range []string{"pdf", "json"} {
		gu, pu := get(g, "report."+map[string]string{"pdf": "file_url", "json": "json_url"}[f]), get(p, "report."+map[string]string{"pdf": "file_url", "json": "json_url"}[f])
		if gu != e.srv.URL+"/v2/reports/"+rid+"/"+f || pu != e.srv.URL+"/partners/v2/reports/"+rid+"/"+f {
			t.Errorf("%s URLs: /v2 %v, Partners v2 %v", f, gu, pu)
		}
		gr, pr := e.raw(t, &k, "GET", gu.(string), nil, ""), e.raw(t, &k, "GET", pu.(string), nil, "")
		if gr.Status != 200 || string(gr.Body) != string(pr.Body) || gr.Header.Get("ETag") != pr.Header.Get("ETag") {
			t.Errorf("%s on /v2: %d, same bytes %v", f, gr.Status, string(gr.Body) == string(pr.Body))
		}
		if r := e.raw(t, &e.B, "GET", gu.(string), nil, ""); r.Status != http.StatusNotFound {
			t.Errorf("%s as another tenant: %d", f, r.Status)
		}
	}
	// A verification's report is not a /v2 report object.
	detailOf(t, e.call(t, k, "GET", "/v2/reports/"+rid, nil), 404)
	var list map[string]any
	json.Unmarshal(e.call(t, k, "GET", "/v2/verifications?user="+user, nil).Body, &list)
	if res, _ := list["results"].([]any); len(res) != 1 || get(res[0], "report.file_url") != get(g, "report.file_url") {
		t.Errorf("listed report URL: %v", list)
	}
}
