package api_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"verigate/internal/pdftest"
)

func TestReceipts(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, map[string]any{"first_name": "Zoë", "last_name": "Smith"})
	order := func(typ, loan, cost string) string {
		return e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": typ},
			"loan": map[string]any{"number": loan}, "billing": map[string]any{"cost_center": cost}})["id"].(string)
	}
	post := func(k *key, body []byte) resp {
		return e.raw(t, k, "POST", "/partners/v2/receipts", body, "application/json")
	}

	// No completed verification yet: a receipt that says so.
	empty := post(&k, []byte(`{"user":"`+user+`"}`))
	if empty.Status != 200 {
		t.Fatalf("receipt: %s", empty)
	}
	if doc, err := pdftest.Read(empty.Body); err != nil || !strings.Contains(doc.Text(), "nothing is billable") {
		t.Errorf("empty receipt: %v %q", err, doc.Text())
	}

	voie := order("voie", "LN-100", "CC-East")
	e.advance(t, k, voie, stUserSession, stAuthed, stCompleted)
	e.clock.Advance(3600e9)
	voa := order("voa", "LN-200", "CC-West")
	e.advance(t, k, voa, stUserSession, stAuthed, stCompleted)
	pending := order("voe", "LN-300", "CC-None")
	other := e.createUser(t, k, nil)
	e.advance(t, k, e.orderID(t, k, other, "voie"), stUserSession, stAuthed, stCompleted)

	r := post(&k, []byte(`{"user":"`+strings.ToUpper(user)+`"}`))
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" ||
		r.Header.Get("Content-Disposition") != `attachment; filename="receipt.pdf"` || r.Header.Get("Content-Length") != strconv.Itoa(len(r.Body)) {
		t.Fatalf("receipt: %d %v", r.Status, r.Header)
	}
	if doc := contract(t); doc != nil {
		hr, _ := http.NewRequest("POST", e.srv.URL+"/partners/v2/receipts", bytes.NewReader(nil))
		if err := contractError(doc, hr, r); err != nil {
			t.Errorf("receipt does not conform to the contract: %v", err)
		}
	}
	doc, err := pdftest.Read(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := doc.Text()
	for _, want := range []string{voie, voa, "LN-100", "LN-200", "CC-East", "CC-West", "voie", "voa", "Zoë Smith", "2025-06-01 12:00", "2025-06-01 13:00", "SANDBOX"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	for _, not := range []string{pending, "LN-300"} {
		if strings.Contains(text, not) {
			t.Errorf("receipt lists the uncompleted %q", not)
		}
	}
	if !strings.Contains(text, "Billable transactions") || !strings.Contains(text, "voa: 1, voie: 1") {
		t.Errorf("receipt summary missing:\n%s", text)
	}
	if strings.Index(text, voie) > strings.Index(text, voa) {
		t.Error("receipt is not oldest first")
	}

	// Refusals.
	detailOf(t, e.call(t, e.B, "POST", "/partners/v2/receipts", map[string]any{"user": user}), 404)
	detailOf(t, e.call(t, e.AProd, "POST", "/partners/v2/receipts", map[string]any{"user": user}), 404)
	detailOf(t, e.call(t, k, "POST", "/partners/v2/receipts", map[string]any{"user": unknownID}), 404)
	fieldError(t, e.call(t, k, "POST", "/partners/v2/receipts", map[string]any{}), "user")
	fieldError(t, e.call(t, k, "POST", "/partners/v2/receipts", map[string]any{"user": "nope"}), "user")
	detailOf(t, e.send(t, req{method: "POST", path: "/partners/v2/receipts", body: map[string]any{"user": user}}), 401)
	detailOf(t, e.send(t, req{key: &k, method: "POST", path: "/partners/v2/receipts", body: "user=x", contentType: "application/x-www-form-urlencoded"}), 415)
	detailOf(t, e.call(t, k, "GET", "/partners/v2/receipts", nil), 405)
}
