package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"verigate/internal/documents"
)

func TestUploadContract(t *testing.T) {
	doc := needContract(t)
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	r := e.upload(t, k, map[string]string{"user": user, "document_type": "proof-of-identity"},
		filePart{"upload", "my_drivers_license.pdf", "application/pdf", pdfFile})
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %s", r)
	}
	got := r.obj(t)
	id, _ := got["id"].(string)
	account, _ := got["account"].(string)
	if !uuidRE.MatchString(id) || !uuidRE.MatchString(account) {
		t.Fatalf("ids: %v", got)
	}
	// The operation has no example of its own: the schema's is the one.
	w := toJSON(t, doc.Components.Schemas["PartnerUserUpload"].Value.Example).(map[string]any)
	w["id"], w["account"], w["file_url"] = id, account, e.srv.URL+"/partners/v2/user-uploads/"+id+"/file"
	sameAsExample(t, w, got)

	// The account uploads belong to is the contract's upload account (the
	// accounts list example's item_000012271 / doc_upload_item, whose id is
	// the upload example's account).
	acct := e.ok(t, k, "GET", "/partners/v2/accounts/"+account, nil)
	if acct["item"] != "item_000012271" || acct["source"] != "doc_upload_item" {
		t.Errorf("documents account: item %v, source %v", acct["item"], acct["source"])
	}

	// The upload itself, and the file, only for its partner.
	g := e.raw(t, &k, "GET", "/partners/v2/user-uploads/"+id, nil, "")
	var v any
	if err := jsonUnmarshal(g.Body, &v); err != nil || g.Status != 200 {
		t.Fatalf("get upload: %s", g)
	}
	if err := doc.Components.Schemas["PartnerUserUpload"].Value.VisitJSON(v, openapi3.VisitAsResponse()); err != nil {
		t.Errorf("GET upload does not match PartnerUserUpload: %v", err)
	}
	f := e.raw(t, &k, "GET", got["file_url"].(string), nil, "")
	if f.Status != 200 || !bytes.Equal(f.Body, pdfFile) || f.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(f.Header.Get("Content-Disposition"), "my_drivers_license.pdf") {
		t.Errorf("download: %d %v", f.Status, f.Header)
	}
	for _, other := range []key{e.B, e.AProd} {
		for _, p := range []string{"/partners/v2/user-uploads/" + id, "/partners/v2/user-uploads/" + id + "/file"} {
			if r := e.raw(t, &other, "GET", p, nil, ""); r.Status != http.StatusNotFound {
				t.Errorf("%s as another tenant: %d", p, r.Status)
			}
		}
	}
	if r := e.raw(t, nil, "GET", got["file_url"].(string), nil, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("download without credentials: %d", r.Status)
	}
	// A second upload goes to the same documents account.
	second := e.upload(t, k, map[string]string{"user": user, "document_type": "W-2", "employer": "Acme", "tax_year": "2024"},
		filePart{"upload", "w2.png", "application/pdf", pngFile}).obj(t)
	if second["account"] != account {
		t.Errorf("second upload in account %v, first in %s", second["account"], account)
	}
	if get(second, "metadata.employment.employer") != "Acme" || get(second, "metadata.employment.tax_year") != float64(2024) {
		t.Errorf("stated metadata: %v", second["metadata"])
	}
	// The type comes from the bytes, not the part's header.
	f = e.raw(t, &k, "GET", second["file_url"].(string), nil, "")
	if f.Header.Get("Content-Type") != "image/png" {
		t.Errorf("PNG sent as application/pdf is served as %s", f.Header.Get("Content-Type"))
	}
}

func jsonUnmarshal(b []byte, v any) error { return jsonDecoder(b).Decode(v) }

func TestUploadRejects(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	foreign := e.createUser(t, e.B, nil)
	fields := func(extra ...string) map[string]string {
		m := map[string]string{"user": user, "document_type": "paystubs"}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	pdf := filePart{"upload", "stub.pdf", "application/pdf", pdfFile}
	count := func() int { return e.countRows(t, "user_uploads") }
	before := count()

	for _, c := range []struct {
		name   string
		fields map[string]string
		files  []filePart
		field  string
	}{
		{"text posing as a PDF", fields(), []filePart{{"upload", "stub.pdf", "application/pdf", textFile}}, "upload"},
		{"GIF", fields(), []filePart{{"upload", "a.gif", "image/gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")}}, "upload"},
		{"empty file", fields(), []filePart{{"upload", "empty.pdf", "application/pdf", nil}}, "upload"},
		{"no file", fields(), nil, "upload"},
		{"two files", fields(), []filePart{pdf, {"upload", "b.png", "image/png", pngFile}}, "upload"},
		{"file in another field", fields(), []filePart{pdf, {"other", "b.png", "image/png", pngFile}}, "other"},
		{"no user", map[string]string{"document_type": "paystubs"}, []filePart{pdf}, "user"},
		{"bad user", fields("user", "nope"), []filePart{pdf}, "user"},
		{"bad document type", fields("document_type", "selfie"), []filePart{pdf}, "document_type"},
		{"no document type", map[string]string{"user": user}, []filePart{pdf}, "document_type"},
		{"bad pay date", fields("pay_date", "05/01/2025"), []filePart{pdf}, "pay_date"},
		{"future pay date", fields("pay_date", "2025-07-01"), []filePart{pdf}, "pay_date"},
		{"tax year on a paystub", fields("tax_year", "2024"), []filePart{pdf}, "tax_year"},
		{"bad tax year", fields("document_type", "W-2", "tax_year", "24"), []filePart{pdf}, "tax_year"},
		{"period ends before it starts", fields("period_start", "2025-05-10", "period_end", "2025-05-01"), []filePart{pdf}, "period_end"},
		{"blank employer", fields("employer", "  "), []filePart{pdf}, "employer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fieldError(t, e.upload(t, k, c.fields, c.files...), c.field)
		})
	}
	// Another partner's user, an unknown user, the production key of the same partner.
	detailOf(t, e.upload(t, k, fields("user", foreign), pdf), 404)
	detailOf(t, e.upload(t, k, fields("user", unknownID), pdf), 404)
	detailOf(t, e.upload(t, e.AProd, fields(), pdf), 404)
	// Not multipart; no credentials.
	detailOf(t, e.call(t, k, "POST", "/partners/v2/user-uploads", map[string]any{"user": user}), 415)
	body, ct := multipartBody(t, fields(), pdf)
	detailOf(t, e.send(t, req{method: "POST", path: "/partners/v2/user-uploads", body: body, contentType: ct}), 401)
	detailOf(t, e.send(t, req{key: &k, method: "POST", path: "/partners/v2/user-uploads", body: "--x\r\nbroken", contentType: "multipart/form-data; boundary=x"}), 400)

	// Size: 10 MiB is accepted, one byte more is 413.
	big := make([]byte, documents.MaxUploadSize)
	copy(big, pdfFile)
	if r := e.upload(t, k, fields(), filePart{"upload", "big.pdf", "application/pdf", big}); r.Status != 200 {
		t.Errorf("10 MiB upload: %d", r.Status)
	}
	before++
	tooBig := append(big, 0)
	detailOf(t, e.upload(t, k, fields(), filePart{"upload", "big.pdf", "application/pdf", tooBig}), 413)
	if n := count(); n != before {
		t.Errorf("rejected uploads were stored: %d rows, want %d", n, before)
	}
}
