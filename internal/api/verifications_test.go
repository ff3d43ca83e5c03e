package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"verigate/internal/store"
)

const unknownID = "0196f0a0-0000-7000-8000-000000000001"

func TestVerificationOrderDataSources(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	for typ, ds := range map[string]string{
		"voie": "payroll", "voe": "payroll",
		"voa": "banking", "voi": "banking", "voai": "banking", "voe-transactions": "banking",
		"doc-voi-mortgage": "documents",
	} {
		v := e.order(t, k, user, typ)
		if v["data_source"] != ds {
			t.Errorf("%s: data_source %v, want %s", typ, v["data_source"], ds)
		}
		if get(v, "report.type") != typ || get(v, "status.state") != "PENDING" || get(v, "status.code") != "pending" {
			t.Errorf("%s: %v", typ, v)
		}
		if v["user"] != user || v["client"] != k.Client || v["channel"] != "api" {
			t.Errorf("%s: user/client/channel: %v", typ, v)
		}
		if v["created_at"] != v["updated_at"] || !timestampRE.MatchString(v["created_at"].(string)) {
			t.Errorf("%s: timestamps %v %v", typ, v["created_at"], v["updated_at"])
		}
		h, err := e.app.Store.StatusHistory(context.Background(), v["id"].(string))
		if err != nil || len(h) != 1 || h[0].State != "PENDING" || h[0].Code != "pending" {
			t.Errorf("%s: history %+v, %v", typ, h, err)
		}
		// Retrieve answers the same object.
		sameAsExample(t, v, e.ok(t, k, "GET", "/partners/v2/verifications/"+v["id"].(string), nil))
	}
	// Employments are ignored (not validated, not stored) for payroll and banking.
	for _, typ := range []string{"voie", "voa"} {
		v := e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{
			"user": user, "report": map[string]any{"type": typ},
			"employments": []any{map[string]any{"employer": "", "status": "bogus"}},
		})
		if emps, _ := v["employments"].([]any); emps == nil || len(emps) != 0 {
			t.Errorf("%s: employments %v, want []", typ, v["employments"])
		}
	}
	// Boundaries that are accepted.
	for _, cfg := range []map[string]any{
		{"income_stream_confidence_minimum": 0},
		{"income_stream_confidence_minimum": 100},
		{"report_custom_fields": []any{cf(1), cf(2), cf(3), cf(4), cf(5)}},
		{"from_date": "2024-01-01", "income_from_date": "2024-01-01T10:00:00+02:00", "bank_accounts": []any{"acc_1"}},
	} {
		v := e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "voai", "configuration": cfg}})
		if get(v, "report.configuration") == nil {
			t.Errorf("configuration %v not echoed: %v", cfg, v)
		}
	}
	v := e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "voai",
		"configuration": map[string]any{"from_date": "2024-01-01", "income_from_date": "2024-01-01T10:00:00+02:00"}}})
	if get(v, "report.configuration.from_date") != "2024-01-01T00:00:00Z" || get(v, "report.configuration.income_from_date") != "2024-01-01T08:00:00Z" {
		t.Errorf("dates not normalised to UTC date-times: %v", get(v, "report.configuration"))
	}
}

func cf(i int) map[string]any {
	return map[string]any{"label": fmt.Sprintf("l%d", i), "value": "v", "shown": true}
}

func TestVerificationOrderValidation(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	other := e.createUser(t, e.B, nil)
	emp := func(f string, v any) map[string]any {
		m := map[string]any{"employer": "Acme", "status": "previous", "hire_date": "2020-01-01", "termination_date": "2021-01-01"}
		if v == "<absent>" {
			delete(m, f)
		} else {
			m[f] = v
		}
		return m
	}
	docs := func(emps ...any) map[string]any {
		return map[string]any{"user": user, "report": map[string]any{"type": "doc-voi-mortgage"}, "employments": emps}
	}
	banking := func(cfg map[string]any) map[string]any {
		return map[string]any{"user": user, "report": map[string]any{"type": "voai", "configuration": cfg}}
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"user missing", map[string]any{"report": map[string]any{"type": "voie"}}, "user"},
		{"user null", map[string]any{"user": nil, "report": map[string]any{"type": "voie"}}, "user"},
		{"user not a uuid", map[string]any{"user": "u1", "report": map[string]any{"type": "voie"}}, "user"},
		{"report missing", map[string]any{"user": user}, "report"},
		{"report null", map[string]any{"user": user, "report": nil}, "report"},
		{"report.type missing", map[string]any{"user": user, "report": map[string]any{}}, "report.type"},
		{"report.type unknown", map[string]any{"user": user, "report": map[string]any{"type": "vox"}}, "report.type"},
		{"report.type upper case", map[string]any{"user": user, "report": map[string]any{"type": "VOIE"}}, "report.type"},
		{"report.type a number", map[string]any{"user": user, "report": map[string]any{"type": 1}}, "report.type"},
		{"documents without employments", map[string]any{"user": user, "report": map[string]any{"type": "doc-voi-mortgage"}}, "employments"},
		{"documents with no employments", docs(), "employments"},
		{"employer missing", docs(emp("employer", "<absent>")), "employments.0.employer"},
		{"employer blank", docs(emp("employer", " ")), "employments.0.employer"},
		{"status missing", docs(emp("status", "<absent>")), "employments.0.status"},
		{"status unknown", docs(emp("status", "current")), "employments.0.status"},
		{"hire_date missing", docs(emp("hire_date", "<absent>")), "employments.0.hire_date"},
		{"hire_date not a date", docs(emp("hire_date", "2020-13-01")), "employments.0.hire_date"},
		{"hire_date US format", docs(emp("hire_date", "01/02/2020")), "employments.0.hire_date"},
		{"termination_date not a date", docs(emp("termination_date", "soon")), "employments.0.termination_date"},
		{"termination before hire", docs(emp("termination_date", "2019-12-31")), "employments.0.termination_date"},
		{"active with termination_date", docs(map[string]any{"employer": "Acme", "status": "active", "hire_date": "2020-01-01", "termination_date": "2021-01-01"}), "employments.0.termination_date"},
		{"second employment bad", docs(emp("status", "active"), emp("employer", "<absent>")), "employments.1.employer"},
		{"configuration on payroll", map[string]any{"user": user, "report": map[string]any{"type": "voie", "configuration": map[string]any{}}}, "report.configuration"},
		{"configuration on documents", map[string]any{"user": user, "employments": []any{emp("status", "previous")}, "report": map[string]any{"type": "doc-voi-mortgage", "configuration": map[string]any{"from_date": "2024-01-01"}}}, "report.configuration"},
		{"six custom fields", banking(map[string]any{"report_custom_fields": []any{cf(1), cf(2), cf(3), cf(4), cf(5), cf(6)}}), "report.configuration.report_custom_fields"},
		{"custom field without label", banking(map[string]any{"report_custom_fields": []any{map[string]any{"value": "v"}}}), "report.configuration.report_custom_fields.0.label"},
		{"confidence 101", banking(map[string]any{"income_stream_confidence_minimum": 101}), "report.configuration.income_stream_confidence_minimum"},
		{"confidence -1", banking(map[string]any{"income_stream_confidence_minimum": -1}), "report.configuration.income_stream_confidence_minimum"},
		{"confidence 50.5", banking(map[string]any{"income_stream_confidence_minimum": 50.5}), "report.configuration.income_stream_confidence_minimum"},
		{"confidence a string", banking(map[string]any{"income_stream_confidence_minimum": "50"}), "report.configuration.income_stream_confidence_minimum"},
		{"from_date not a date", banking(map[string]any{"from_date": "last year"}), "report.configuration.from_date"},
		{"bank account blank", banking(map[string]any{"bank_accounts": []any{""}}), "report.configuration.bank_accounts"},
		{"loan officer email", map[string]any{"user": user, "report": map[string]any{"type": "voie"}, "loan": map[string]any{"officer_email": "nobody"}}, "loan.officer_email"},
		{"loan number blank", map[string]any{"user": user, "report": map[string]any{"type": "voie"}, "loan": map[string]any{"number": ""}}, "loan.number"},
		{"loan null", map[string]any{"user": user, "report": map[string]any{"type": "voie"}, "loan": nil}, "loan"},
		{"billing cost center a number", map[string]any{"user": user, "report": map[string]any{"type": "voie"}, "billing": map[string]any{"cost_center": 5}}, "billing.cost_center"},
	}
	before := e.counts(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fieldError(t, e.call(t, k, "POST", "/partners/v2/verifications", c.body), c.field)
		})
	}
	// Unknown users and other partners' users are not found, alike.
	unknown := e.call(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": unknownID, "report": map[string]any{"type": "voie"}})
	foreign := e.call(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": other, "report": map[string]any{"type": "voie"}})
	detailOf(t, unknown, 404)
	detailOf(t, foreign, 404)
	if string(unknown.Body) != string(foreign.Body) {
		t.Errorf("another partner's user answers differently from an unknown one: %s vs %s", foreign, unknown)
	}
	if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rejected orders wrote rows: before %v, after %v", before, after)
	}
}

// page fetches one list page (path or absolute URL) and returns its ids, next and previous.
func (e *env) page(t testing.TB, k key, u string) (ids []string, next, prev string) {
	t.Helper()
	m := e.ok(t, k, "GET", u, nil)
	results, ok := m["results"].([]any)
	if !ok {
		t.Fatalf("no results list: %v", m)
	}
	for _, r := range results {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	for _, f := range []string{"next", "previous"} {
		v, present := m[f]
		if !present {
			t.Fatalf("%s missing from the list envelope", f)
		}
		if s, _ := v.(string); s != "" {
			if !strings.HasPrefix(s, e.srv.URL+"/partners/v2/verifications?") {
				t.Errorf("%s %q is not an absolute URL of this server", f, s)
			}
			if f == "next" {
				next = s
			} else {
				prev = s
			}
		}
	}
	return ids, next, prev
}

func TestVerificationList(t *testing.T) {
	e := newEnv(t)
	k := e.A
	u1 := e.createUser(t, k, nil)
	u2 := e.createUser(t, k, nil)
	var all []string // newest first
	types := []string{"voie", "voa", "doc-voi-mortgage"}
	for i := 0; i < 15; i++ {
		e.clock.Advance(time.Millisecond)
		user := u1
		if i%2 == 1 {
			user = u2
		}
		body := map[string]any{"user": user, "report": map[string]any{"type": types[i%3]}, "loan": map[string]any{"number": fmt.Sprintf("L%d", i%4)}}
		if types[i%3] == "doc-voi-mortgage" {
			body["employments"] = []any{map[string]any{"employer": "Acme", "status": "active", "hire_date": "2020-01-02"}}
		}
		v := e.ok(t, k, "POST", "/partners/v2/verifications", body)
		all = append([]string{v["id"].(string)}, all...)
	}
	// Another partner's and another environment's verifications never show.
	e.orderID(t, e.B, e.createUser(t, e.B, nil), "voie")
	e.orderID(t, e.AProd, e.createUser(t, e.AProd, nil), "voie")

	ids, next, prev := e.page(t, k, "/partners/v2/verifications")
	if fmt.Sprint(ids) != fmt.Sprint(all[:10]) {
		t.Errorf("default page: got %v, want the 10 newest %v", ids, all[:10])
	}
	if next == "" || prev != "" {
		t.Errorf("first page: next %q previous %q", next, prev)
	}
	m := e.ok(t, k, "GET", "/partners/v2/verifications?limit=200", nil)
	var created []string
	for _, r := range m["results"].([]any) {
		created = append(created, r.(map[string]any)["created_at"].(string))
	}
	for i := 1; i < len(created); i++ {
		if created[i] >= created[i-1] {
			t.Errorf("not newest first: created_at %v", created)
			break
		}
	}
	if m["next"] != nil || m["previous"] != nil {
		t.Errorf("one page holds everything, yet next %v previous %v", m["next"], m["previous"])
	}
	if ids, _, _ := e.page(t, k, "/partners/v2/verifications?limit=1"); fmt.Sprint(ids) != fmt.Sprint(all[:1]) {
		t.Errorf("limit=1: %v", ids)
	}
	for _, bad := range []string{"0", "201", "-1", "abc", "1.5", "10abc"} {
		fieldError(t, e.call(t, k, "GET", "/partners/v2/verifications?limit="+bad, nil), "limit")
	}

	// Filters.
	filter := func(q string, want func(i int) bool) {
		t.Helper()
		var expect []string
		for j, id := range all {
			i := 14 - j // creation index
			if want(i) {
				expect = append(expect, id)
			}
		}
		ids, _, _ := e.page(t, k, "/partners/v2/verifications?limit=200&"+q)
		if fmt.Sprint(ids) != fmt.Sprint(expect) {
			t.Errorf("%s: got %v, want %v", q, ids, expect)
		}
	}
	filter("user="+u2, func(i int) bool { return i%2 == 1 })
	filter("user="+strings.ToUpper(u2), func(i int) bool { return i%2 == 1 })
	filter("report_type=voa", func(i int) bool { return i%3 == 1 })
	filter("loan_number=L2", func(i int) bool { return i%4 == 2 })
	filter("loan_number=L2&user="+u1, func(i int) bool { return i%4 == 2 && i%2 == 0 })
	filter("loan_number=nothing", func(i int) bool { return false })
	filter("user="+unknownID, func(i int) bool { return false })

	// Move a few verifications along and filter by status.
	e.advance(t, k, all[14], stUserSession)           // i=0, voie
	e.advance(t, k, all[12], stDocsProc)              // i=2, documents
	e.advance(t, k, all[11], stUserSession, stAuthed) // i=3, voie
	filter("status_state=PROCESSING", func(i int) bool { return i == 0 || i == 2 || i == 3 })
	filter("status_state=PENDING", func(i int) bool { return i != 0 && i != 2 && i != 3 })
	filter("status_code=documents_processing", func(i int) bool { return i == 2 })
	filter("status_code=authenticated&status_state=PROCESSING", func(i int) bool { return i == 3 })
	filter("status_state=COMPLETED", func(i int) bool { return false })

	for q, field := range map[string]string{
		"status_state=processing": "status_state", "status_state=DONE": "status_state",
		"status_code=PENDING": "status_code", "status_code=finished": "status_code",
		"report_type=VOIE": "report_type", "report_type=x": "report_type",
		"user=abc":   "user",
		"cursor=!!!": "cursor", "cursor=abc": "cursor",
		"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{}`)):                                  "cursor",
		"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{"a":"x"}`)):                           "cursor",
		"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{"a":"`+all[0]+`","b":"`+all[1]+`"}`)): "cursor",
		"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`[1]`)):                                 "cursor",
	} {
		fieldError(t, e.call(t, k, "GET", "/partners/v2/verifications?"+q, nil), field)
	}
}

// walk follows next links from u to the end, then previous links back to
// the start, and returns the ids seen each way (both newest first).
func (e *env) walk(t testing.TB, k key, u string, between func()) (forward, backward []string, pages int) {
	t.Helper()
	var last string
	for u != "" {
		if pages++; pages > 100 {
			t.Fatal("next links never end")
		}
		ids, next, _ := e.page(t, k, u)
		if len(ids) == 0 {
			t.Errorf("page %s is empty", u)
		}
		forward = append(forward, ids...)
		last, u = u, next
		if between != nil {
			between()
		}
	}
	// Back from the last page.
	ids, _, prev := e.page(t, k, last)
	backward = ids
	for n := 0; prev != ""; n++ {
		if n > 100 {
			t.Fatal("previous links never end")
		}
		if between != nil {
			between()
		}
		var ids []string
		ids, _, prev = e.page(t, k, prev)
		if len(ids) == 0 {
			t.Error("a previous page is empty")
		}
		backward = append(ids, backward...)
	}
	return forward, backward, pages
}

func noDuplicates(t testing.TB, what string, ids []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s: %s appears twice", what, id)
		}
		seen[id] = true
	}
}

func TestVerificationPagination(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	other := e.createUser(t, k, nil)
	var all []string // newest first
	for i := 0; i < 21; i++ {
		all = append([]string{e.orderID(t, k, user, "voie")}, all...)
		e.orderID(t, k, other, "voe") // filtered out below
	}
	for _, limit := range []int{1, 7, 5, 20, 21, 200} {
		q := fmt.Sprintf("/partners/v2/verifications?limit=%d&user=%s", limit, user)
		fwd, back, pages := e.walk(t, k, q, nil)
		noDuplicates(t, "forward", fwd)
		noDuplicates(t, "backward", back)
		if fmt.Sprint(fwd) != fmt.Sprint(all) {
			t.Errorf("limit %d: forward walk %v, want %v", limit, fwd, all)
		}
		if fmt.Sprint(back) != fmt.Sprint(all) {
			t.Errorf("limit %d: backward walk %v, want %v", limit, back, all)
		}
		if want := (len(all) + limit - 1) / limit; pages != want {
			t.Errorf("limit %d: %d pages, want %d", limit, pages, want)
		}
	}
	// next and previous keep the filters and the limit.
	_, next, _ := e.page(t, k, "/partners/v2/verifications?limit=3&user="+user+"&report_type=voie")
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("limit") != "3" || q.Get("user") != user || q.Get("report_type") != "voie" || q.Get("cursor") == "" {
		t.Errorf("next %q lost a parameter", next)
	}
	// A cursor is tied to nothing but position: another key following it sees only its own objects.
	if ids, _, _ := e.page(t, e.B, next); len(ids) != 0 {
		t.Errorf("partner B following A's next link sees %v", ids)
	}

	// Inserts between page fetches neither duplicate nor skip anything: the
	// forward walk sees exactly what existed when it started, the way back
	// reaches the new ones too.
	var inserted []string
	fwd, back, _ := e.walk(t, k, "/partners/v2/verifications?limit=4&user="+user, func() {
		inserted = append([]string{e.orderID(t, k, user, "voie")}, inserted...)
	})
	noDuplicates(t, "forward with inserts", fwd)
	noDuplicates(t, "backward with inserts", back)
	if fmt.Sprint(fwd) != fmt.Sprint(all) {
		t.Errorf("forward walk with inserts: %v, want %v", fwd, all)
	}
	everything := append(append([]string{}, inserted...), all...)
	if fmt.Sprint(back) != fmt.Sprint(everything) {
		t.Errorf("backward walk with inserts: %v, want %v", back, everything)
	}
	// And a fresh walk sees everything once.
	fwd, _, _ = e.walk(t, k, "/partners/v2/verifications?limit=6&user="+user, nil)
	if fmt.Sprint(fwd) != fmt.Sprint(everything) {
		t.Errorf("fresh walk: %v, want %v", fwd, everything)
	}
}

func TestVerificationUpdate(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	user := e.createUser(t, k, nil)
	v := e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{
		"user": user, "report": map[string]any{"type": "voie"},
		"loan":    map[string]any{"number": "L1", "borrower_id": "B1"},
		"billing": map[string]any{"cost_center": "C1"},
	})
	id := v["id"].(string)
	e.clock.Advance(time.Second)
	got := e.ok(t, k, "PATCH", "/partners/v2/verifications/"+id, map[string]any{
		"loan": map[string]any{"borrower_id": "B2", "officer_email": "o@example.com"},
	})
	if fmt.Sprint(get(got, "loan")) != fmt.Sprint(map[string]any{"number": "L1", "borrower_id": "B2", "officer_email": "o@example.com"}) {
		t.Errorf("loan not merged: %v", got["loan"])
	}
	if fmt.Sprint(get(got, "billing")) != fmt.Sprint(map[string]any{"cost_center": "C1"}) {
		t.Errorf("billing changed: %v", got["billing"])
	}
	if get(got, "status.state") != "PROCESSING" {
		t.Errorf("state after PATCH: %v", got["status"])
	}
	if got["updated_at"] == got["created_at"] || got["created_at"] != v["created_at"] {
		t.Errorf("timestamps after PATCH: created %v updated %v", got["created_at"], got["updated_at"])
	}
	got = e.ok(t, k, "PATCH", "/partners/v2/verifications/"+id, map[string]any{"billing": map[string]any{"cost_center": "C2"}, "loan": map[string]any{"number": "L9"}})
	if get(got, "billing.cost_center") != "C2" || get(got, "loan.number") != "L9" || get(got, "loan.borrower_id") != "B2" {
		t.Errorf("second PATCH: %v", got)
	}
	h, err := e.app.Store.StatusHistory(ctx, id)
	if err != nil || len(h) != 3 || h[1].State != "PROCESSING" || h[1].Reason == "" || h[2].State != "PROCESSING" {
		t.Errorf("history after two updates: %+v %v", h, err)
	}
	// The loan number filter follows the update.
	if ids, _, _ := e.page(t, k, "/partners/v2/verifications?loan_number=L9"); fmt.Sprint(ids) != fmt.Sprint([]string{id}) {
		t.Errorf("loan_number=L9: %v", ids)
	}
	if ids, _, _ := e.page(t, k, "/partners/v2/verifications?loan_number=L1"); len(ids) != 0 {
		t.Errorf("loan_number=L1 after the update: %v", ids)
	}
	// Employments are ignored on a payroll verification.
	got = e.ok(t, k, "PATCH", "/partners/v2/verifications/"+id, map[string]any{"employments": []any{map[string]any{"employer": "X"}}})
	if emps, _ := got["employments"].([]any); len(emps) != 0 {
		t.Errorf("payroll verification got employments %v", got["employments"])
	}

	// Documents: employments only while PAUSED.
	doc := e.orderID(t, k, user, "doc-voi-mortgage")
	emps := []any{map[string]any{"employer": "New Co", "status": "active", "hire_date": "2024-03-01", "termination_date": nil}}
	e.unchanged(t, "a refused employments update", func() {
		msg := detailOf(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+doc, map[string]any{"employments": emps}), 409)
		if !strings.Contains(msg, "PENDING") || !strings.Contains(msg, "PAUSED") {
			t.Errorf("409 message %q does not name the state", msg)
		}
	})
	e.advance(t, k, doc, stDocsProc)
	e.unchanged(t, "a refused employments update", func() {
		msg := detailOf(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+doc, map[string]any{"employments": emps}), 409)
		if !strings.Contains(msg, "PROCESSING") {
			t.Errorf("409 message %q does not name the state", msg)
		}
	})
	e.advance(t, k, doc, stMoreData)
	e.unchanged(t, "rejected updates", func() {
		fieldError(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+doc, map[string]any{"employments": []any{}}), "employments")
		fieldError(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+doc, map[string]any{"employments": []any{map[string]any{"employer": "X", "status": "active", "hire_date": "2020-01-01", "termination_date": "2021-01-01"}}}), "employments.0.termination_date")
		fieldError(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+doc, map[string]any{"loan": map[string]any{"officer_email": "bad"}}), "loan.officer_email")
		fieldError(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+doc, map[string]any{"billing": nil}), "billing")
	})
	got = e.ok(t, k, "PATCH", "/partners/v2/verifications/"+doc, map[string]any{"employments": emps})
	if get(got, "status.state") != "PROCESSING" || get(got, "status.code") != "documents_processing" {
		t.Errorf("documents after PATCH: %v", got["status"])
	}
	sameAsExample(t, map[string]any{"x": emps}, map[string]any{"x": got["employments"]})

	// Terminal verifications cannot be updated.
	done := e.orderID(t, k, user, "voie")
	e.advance(t, k, done, stUserSession, stAuthed, stCompleted)
	msg := detailOf(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+done, map[string]any{"loan": map[string]any{"number": "1"}}), 409)
	if !strings.Contains(msg, "COMPLETED") {
		t.Errorf("409 message %q does not name COMPLETED", msg)
	}
	cancelled := e.orderID(t, k, user, "voa")
	e.pauseConnection(t, k, cancelled)
	e.ok(t, k, "POST", "/partners/v2/verifications/"+cancelled+"/cancel", nil)
	msg = detailOf(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+cancelled, map[string]any{}), 409)
	if !strings.Contains(msg, "CANCELLED") {
		t.Errorf("409 message %q does not name CANCELLED", msg)
	}
	detailOf(t, e.call(t, k, "PATCH", "/partners/v2/verifications/"+unknownID, map[string]any{}), 404)
}

func TestVerificationCancel(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	cancel := func(id string) resp { return e.call(t, k, "POST", "/partners/v2/verifications/"+id+"/cancel", nil) }
	wantConflict := func(id, state string) {
		t.Helper()
		before := e.counts(t)
		msg := detailOf(t, cancel(id), 409)
		if !strings.Contains(msg, state) {
			t.Errorf("409 message %q does not name %s", msg, state)
		}
		if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a refused cancel wrote: %v → %v", before, after)
		}
	}
	pending := e.orderID(t, k, user, "voie")
	wantConflict(pending, "PENDING")
	processing := e.orderID(t, k, user, "doc-voi-mortgage")
	e.advance(t, k, processing, stDocsProc)
	wantConflict(processing, "PROCESSING")
	completed := e.orderID(t, k, user, "voa")
	e.advance(t, k, completed, stUserSession, stAuthed, stCompleted)
	wantConflict(completed, "COMPLETED")

	for _, typ := range []string{"doc-voi-mortgage", "voie", "voai"} {
		id := e.orderID(t, k, user, typ)
		if typ == "doc-voi-mortgage" {
			e.pauseDocuments(t, k, id)
		} else {
			e.pauseConnection(t, k, id)
		}
		if s := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)["status"]; get(s, "state") != "PAUSED" {
			t.Fatalf("%s: not paused: %v", typ, s)
		}
		got := e.ok(t, k, "POST", "/partners/v2/verifications/"+id+"/cancel", nil)
		if get(got, "status.state") != "CANCELLED" || get(got, "status.code") != "cancelled_by_client" {
			t.Errorf("%s: after cancel %v", typ, got["status"])
		}
		h, err := e.app.Store.StatusHistory(context.Background(), id)
		if err != nil || len(h) == 0 || h[len(h)-1].State != "CANCELLED" || h[len(h)-1].Code != "cancelled_by_client" {
			t.Errorf("%s: history %+v %v", typ, h, err)
		}
		wantConflict(id, "CANCELLED")
		if s := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)["status"]; get(s, "state") != "CANCELLED" {
			t.Errorf("%s: retrieve after cancel: %v", typ, s)
		}
	}
	detailOf(t, cancel(unknownID), 404)
	detailOf(t, cancel("nope"), 404)
}

func TestVerificationRefresh(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	refresh := func(body map[string]any) resp {
		return e.call(t, k, "POST", "/partners/v2/verifications/refresh", body)
	}
	body := func(typ string) map[string]any {
		return map[string]any{"user": user, "report": map[string]any{"type": typ}}
	}
	before := e.counts(t)
	for _, c := range []struct{ typ, says string }{{"voie", "payroll"}, {"voa", "banking"}, {"doc-voi-mortgage", "documents"}} {
		msgs := fieldError(t, refresh(body(c.typ)), "user")
		if len(msgs) == 0 || !strings.Contains(msgs[0], c.says) {
			t.Errorf("%s: message %v does not say what is missing", c.typ, msgs)
		}
	}
	if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused refreshes wrote: %v → %v", before, after)
	}
	// A disconnected account, or one of the other data source, does not count.
	now := e.clock.Now()
	if err := e.app.Store.CreateAccount(context.Background(), store.Account{ID: store.NewID(), UserID: user, DataSource: "payroll",
		Item: "item_1", Source: "test", ConnectionStatus: "disconnected", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	e.connectAccount(t, user, "banking")
	fieldError(t, refresh(body("voie")), "user")
	foreignUser := e.createUser(t, e.B, nil)
	before = e.counts(t)
	fieldError(t, refresh(map[string]any{"user": user}), "report")
	fieldError(t, refresh(map[string]any{"user": user, "report": map[string]any{"type": "voie", "configuration": map[string]any{}}}), "report.configuration")
	fieldError(t, refresh(map[string]any{"report": map[string]any{"type": "voie"}}), "user")
	detailOf(t, refresh(map[string]any{"user": unknownID, "report": map[string]any{"type": "voa"}}), 404)
	detailOf(t, refresh(map[string]any{"user": foreignUser, "report": map[string]any{"type": "voa"}}), 404)
	if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rejected refreshes wrote: %v → %v", before, after)
	}

	for _, typ := range []string{"voa", "voi", "voai", "voe-transactions"} {
		got := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": typ}, "loan": map[string]any{"number": "R1"}})
		if got["data_source"] != "banking" || get(got, "status.state") != "PENDING" || get(got, "report.type") != typ || get(got, "loan.number") != "R1" {
			t.Errorf("refresh %s: %v", typ, got)
		}
	}
	e.connectAccount(t, user, "payroll")
	first := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", body("voe"))
	second := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", body("voe"))
	if first["id"] == second["id"] || first["data_source"] != "payroll" {
		t.Errorf("refreshes: %v / %v", first, second)
	}
	h, err := e.app.Store.StatusHistory(context.Background(), first["id"].(string))
	if err != nil || len(h) != 1 || h[0].State != "PENDING" {
		t.Errorf("refreshed verification history %+v %v", h, err)
	}

	// Documents: needs an earlier documents verification.
	e.orderID(t, k, user, "doc-voi-mortgage")
	got := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", body("doc-voi-mortgage"))
	if got["data_source"] != "documents" || get(got, "status.state") != "PENDING" {
		t.Errorf("documents refresh: %v", got)
	}
	// The earlier verification belongs to the user: another user of the same partner has none.
	user2 := e.createUser(t, k, nil)
	fieldError(t, refresh(map[string]any{"user": user2, "report": map[string]any{"type": "doc-voi-mortgage"}}), "user")
}
