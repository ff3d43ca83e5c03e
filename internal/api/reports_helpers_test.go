package api_test

// Helpers for the report, upload and receipt tests: requests whose answers
// are files (which send() would reject for not being JSON), multipart
// uploads, and driving a sandbox connection to completion.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"verigate/internal/datasource"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/store"
)

// raw performs a request without send()'s JSON expectations, checking only
// what every response must have: no 5xx and an X-Request-Id.
func (e *env) raw(t testing.TB, k *key, method, url string, body []byte, contentType string) resp {
	t.Helper()
	if !strings.HasPrefix(url, "http") {
		url = e.srv.URL + url
	}
	hr, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	if k != nil {
		hr.SetBasicAuth(k.ID, k.Secret)
	}
	hresp, err := e.srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer hresp.Body.Close()
	b, _ := io.ReadAll(hresp.Body)
	out := resp{Status: hresp.StatusCode, Header: hresp.Header, Body: b, method: method, url: url}
	if out.Status >= 500 {
		t.Errorf("server error: %s", out)
	}
	if out.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s: no X-Request-Id", out)
	}
	return out
}

// filePart is one file of a multipart upload.
type filePart struct {
	field, name, contentType string
	data                     []byte
}

// multipartBody encodes fields and files as multipart/form-data.
func multipartBody(t testing.TB, fields map[string]string, files ...filePart) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.name))
		if f.contentType != "" {
			h.Set("Content-Type", f.contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// upload posts one document through send(), so a 200 is checked against the contract.
func (e *env) upload(t testing.TB, k key, fields map[string]string, files ...filePart) resp {
	t.Helper()
	body, ct := multipartBody(t, fields, files...)
	return e.send(t, req{key: &k, method: "POST", path: "/partners/v2/user-uploads", body: body, contentType: ct})
}

// Minimal files of each accepted type, and one that is not.
var (
	pdfFile  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngFile  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	jpegFile = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
	textFile = []byte("this is not a document, just text pretending to be a PDF\n")
)

// uploadDoc uploads a PDF of documentType for user with the stated fields and returns its id.
func (e *env) uploadDoc(t testing.TB, k key, user, documentType string, stated map[string]string) string {
	t.Helper()
	fields := map[string]string{"user": user, "document_type": documentType}
	for f, v := range stated {
		fields[f] = v
	}
	r := e.upload(t, k, fields, filePart{"upload", documentType + ".pdf", "application/pdf", pdfFile})
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %s", r)
	}
	return r.obj(t)["id"].(string)
}

// status returns a verification's "STATE/code".
func (e *env) status(t testing.TB, k key, id string) string {
	t.Helper()
	v := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	return fmt.Sprintf("%s/%s", get(v, "status.state"), get(v, "status.code"))
}

// connectSandbox drives the connection flow of a payroll verification as
// the borrower would: open the session link, choose an item, sign in as
// test_1 and pass MFA. The account then waits for aggregation.
func (e *env) connectSandbox(t testing.TB, k key, verificationID, item string) store.Account {
	t.Helper()
	return e.connectSandboxAs(t, k, verificationID, item, "test_1", "8081")
}

// connectSandboxAs is connectSandbox signing in as another sandbox user,
// with that user's MFA code.
func (e *env) connectSandboxAs(t testing.TB, k key, verificationID, item, login, code string) store.Account {
	t.Helper()
	ctx := context.Background()
	// The sandbox's data follows the test clock, like the rest of the app.
	if sb, ok := e.app.Aggregator.Connectors.Sandbox["payroll"].(*payrollsandbox.Connector); ok {
		sb.Now = e.clock.Now
	}
	s := e.ok(t, k, "POST", "/partners/v2/sessions", map[string]any{"verification": verificationID})
	link, _ := s["link"].(string)
	tok := strings.TrimPrefix(link, e.srv.URL+"/connect/")
	c, err := e.app.Sessions.Open(tok)
	if err != nil {
		t.Fatalf("open link %q: %v", link, err)
	}
	if _, err := e.app.Flow.Open(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.Select(ctx, c, item); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.SignIn(ctx, c, datasource.Credentials{Username: login, Password: "passgood"}); err != nil {
		t.Fatal(err)
	}
	st, err := e.app.Flow.Verify(ctx, c, code)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.app.Store.Account(ctx, st.Session.AccountID)
	if err != nil {
		t.Fatalf("connected account: %v", err)
	}
	return a
}

// aggregateAll runs the aggregation worker until no account waits.
func (e *env) aggregateAll(t testing.TB) int {
	t.Helper()
	n := 0
	for {
		did, err := e.app.Aggregator.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("aggregate: %v", err)
		}
		if !did {
			return n
		}
		n++
	}
}

// evaluate runs the documents evaluator once.
func (e *env) evaluate(t testing.TB) int {
	t.Helper()
	n, err := e.app.Documents.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("evaluate documents: %v", err)
	}
	return n
}

// jsonOf decodes a file response's JSON body.
func jsonOf(t testing.TB, r resp) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return m
}

// db opens the test database directly, closed with the test.
func (e *env) db(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func jsonDecoder(b []byte) *json.Decoder { return json.NewDecoder(bytes.NewReader(b)) }
