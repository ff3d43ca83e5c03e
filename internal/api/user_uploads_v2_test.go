package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"verigate/internal/pdftest"
)

// uploadV2 posts one document to /v2/user-uploads through send(), so a 200
// is checked against the /v2 document.
func (e *env) uploadV2(t testing.TB, k key, fields map[string]string, files ...filePart) resp {
	t.Helper()
	body, ct := multipartBody(t, fields, files...)
	return e.send(t, req{key: &k, method: "POST", path: "/v2/user-uploads", body: body, contentType: ct})
}

func TestV2UserUploads(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user, user2 := e.createUser(t, k, nil), e.createUser(t, k, nil)
	pdf := func(name string) filePart { return filePart{"upload", name, "application/pdf", pdfFile} }

	r := e.uploadV2(t, k, map[string]string{"user": user, "document_type": "proof-of-identity"}, pdf("my_drivers_license.pdf"))
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %s", r)
	}
	first := r.obj(t)
	id, account := first["id"].(string), first["account"].(string)
	if doc := v2Contract(t); doc != nil {
		// UserUpload's example (no OCR results), with verigate's ids and URL.
		w := toJSON(t, doc.Components.Schemas["UserUpload"].Value.Example).(map[string]any)
		w["id"], w["account"], w["file_url"] = id, account, e.srv.URL+"/v2/user-uploads/"+id+"/file"
		sameAsExample(t, w, first)
	}
	// The same upload on both surfaces; only file_url names the surface.
	g := e.ok(t, k, "GET", "/v2/user-uploads/"+strings.ToUpper(id), nil)
	p := jsonOf(t, e.raw(t, &k, "GET", "/partners/v2/user-uploads/"+id, nil, "")) // not in the Partners v2 contract
	if p["file_url"] != e.srv.URL+"/partners/v2/user-uploads/"+id+"/file" || g["file_url"] != first["file_url"] {
		t.Errorf("file_url: partners %v, /v2 %v", p["file_url"], g["file_url"])
	}
	delete(p, "file_url")
	delete(g, "file_url")
	for _, d := range diff("", p, g) {
		t.Errorf("/v2 and /partners/v2 differ: %s", d)
	}
	f := e.raw(t, &k, "GET", first["file_url"].(string), nil, "")
	if f.Status != 200 || !bytes.Equal(f.Body, pdfFile) || f.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download on /v2: %d %v", f.Status, f.Header)
	}

	// More uploads, then the list and its filters, newest first.
	w2 := e.uploadV2(t, k, map[string]string{"user": user, "document_type": "W-2", "tax_year": "2024"}, pdf("w2.pdf")).obj(t)["id"].(string)
	other := e.uploadV2(t, k, map[string]string{"user": user2, "document_type": "W-2"}, pdf("w2.pdf")).obj(t)
	foreignUser := e.createUser(t, e.B, nil)
	foreign := e.uploadV2(t, e.B, map[string]string{"user": foreignUser, "document_type": "W-2"}, pdf("w2.pdf")).obj(t)
	for q, want := range map[string][]string{
		"":                                     {other["id"].(string), w2, id},
		"?user=" + user:                        {w2, id},
		"?account=" + account:                  {w2, id},
		"?account=" + strings.ToUpper(account): {w2, id},
		"?document_type=W-2":                   {other["id"].(string), w2},
		"?user=" + user + "&document_type=proof-of-identity": {id},
		"?user=" + foreignUser:                               nil,
		"?account=" + foreign["account"].(string):            nil,
	} {
		if ids, _, _ := e.listed(t, k, "/v2/user-uploads"+q); fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("%q: %v, want %v", q, ids, want)
		}
	}
	ids, next, _ := e.listed(t, k, "/v2/user-uploads?limit=2")
	if len(ids) != 2 || next == "" {
		t.Fatalf("first page %v, next %q", ids, next)
	}
	if ids, _, prev := e.listed(t, k, next); fmt.Sprint(ids) != fmt.Sprint([]string{id}) || prev == "" {
		t.Errorf("second page %v, previous %q", ids, prev)
	}
	page := e.ok(t, k, "GET", "/v2/user-uploads?user="+user, nil)
	for _, u := range page["results"].([]any) {
		if url, _ := u.(map[string]any)["file_url"].(string); !strings.HasPrefix(url, e.srv.URL+"/v2/user-uploads/") {
			t.Errorf("listed file_url %q", url)
		}
	}

	// Bad input and other tenants.
	e.unchanged(t, "refused upload requests", func() {
		for _, q := range []string{"?user=nope", "?account=nope", "?document_type=selfie", "?limit=0", "?cursor=x"} {
			name := strings.SplitN(strings.TrimPrefix(q, "?"), "=", 2)[0]
			fieldError(t, e.call(t, k, "GET", "/v2/user-uploads"+q, nil), name)
		}
		fieldError(t, e.uploadV2(t, k, map[string]string{"user": user, "document_type": "selfie"}, pdf("a.pdf")), "document_type")
		fieldError(t, e.uploadV2(t, k, map[string]string{"user": user, "document_type": "W-2"}, filePart{"upload", "a.pdf", "application/pdf", textFile}), "upload")
		fieldError(t, e.uploadV2(t, k, map[string]string{"user": user, "document_type": "W-2"}), "upload")
		detailOf(t, e.uploadV2(t, k, map[string]string{"user": foreignUser, "document_type": "W-2"}, pdf("a.pdf")), 404)
		detailOf(t, e.call(t, k, "POST", "/v2/user-uploads", map[string]any{"user": user}), 415)
		for _, o := range []key{e.B, e.AProd} {
			detailOf(t, e.call(t, o, "GET", "/v2/user-uploads/"+id, nil), 404)
			if r := e.raw(t, &o, "GET", first["file_url"].(string), nil, ""); r.Status != http.StatusNotFound {
				t.Errorf("file as another tenant: %d", r.Status)
			}
		}
		detailOf(t, e.call(t, k, "GET", "/v2/user-uploads/"+unknownID, nil), 404)
		detailOf(t, e.call(t, k, "GET", "/v2/user-uploads/nope", nil), 404)
		detailOf(t, e.call(t, k, "DELETE", "/v2/user-uploads/"+id, nil), 405)
	})
	if r := e.raw(t, nil, "GET", first["file_url"].(string), nil, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("download without credentials: %d", r.Status)
	}
}

func TestV2Receipts(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, map[string]any{"first_name": "Zoë", "last_name": "Smith"})
	voie := e.ok(t, k, "POST", "/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "voie"},
		"loan": map[string]any{"number": "LN-100"}})["id"].(string)
	e.advance(t, k, voie, stUserSession, stAuthed, stCompleted)

	r := e.raw(t, &k, "POST", "/v2/receipts", []byte(`{"user":"`+user+`"}`), "application/json")
	if r.Status != 200 || r.Header.Get("Content-Disposition") != `attachment; filename="receipt.pdf"` {
		t.Fatalf("receipt: %s", r)
	}
	hr, _ := http.NewRequest("POST", e.srv.URL+"/v2/receipts", nil)
	checkV2Contract(t, hr, r)
	doc, err := pdftest.Read(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{voie, "LN-100", "Zoë Smith", "voie: 1"} {
		if !strings.Contains(doc.Text(), want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	// The same bytes as on Partners v2.
	if p := e.raw(t, &k, "POST", "/partners/v2/receipts", []byte(`{"user":"`+user+`"}`), "application/json"); !bytes.Equal(p.Body, r.Body) {
		t.Error("the /v2 receipt differs from the Partners v2 one")
	}
	detailOf(t, e.call(t, e.B, "POST", "/v2/receipts", map[string]any{"user": user}), 404)
	detailOf(t, e.call(t, e.AProd, "POST", "/v2/receipts", map[string]any{"user": user}), 404)
	fieldError(t, e.call(t, k, "POST", "/v2/receipts", map[string]any{}), "user")
	fieldError(t, e.call(t, k, "POST", "/v2/receipts", map[string]any{"user": "nope"}), "user")
	detailOf(t, e.call(t, k, "GET", "/v2/receipts", nil), 405)
}
