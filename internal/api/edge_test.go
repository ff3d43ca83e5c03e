package api_test

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBodyCutShort: a body that ends before its Content-Length is a 400
// that names no socket address.
func TestBodyCutShort(t *testing.T) {
	e := newEnv(t)
	u, _ := url.Parse(e.srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth := base64.StdEncoding.EncodeToString([]byte(e.A.ID + ":" + e.A.Secret))
	io.WriteString(conn, "POST /partners/v2/users HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "+auth+
		"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"client\": ")
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(body), "127.0.0.1") || strings.Contains(string(body), "tcp") {
		t.Fatalf("a body cut short: %d %s", resp.StatusCode, body)
	}
}

// TestTextIsValidatedAtTheEdge: bodies that are not valid UTF-8, and key
// ids that are not text, are refused before anything reads the database.
func TestTextIsValidatedAtTheEdge(t *testing.T) {
	e := newEnv(t)
	e.unchanged(t, "bad text", func() {
		for _, body := range []string{
			`{"client": "` + e.A.Client + `", "first_name": "Ann` + "\xff" + `"}`,
			`{"client": "` + e.A.Client + `", "external_metadata": {"note": "` + "\xc3\x28" + `"}}`,
		} {
			got := e.send(t, req{key: &e.A, method: "POST", path: "/partners/v2/users", body: body})
			if d := detailOf(t, got, http.StatusBadRequest); !strings.Contains(d, "UTF-8") {
				t.Errorf("body %q: %s", body, got)
			}
		}
	})
	for _, id := range []string{"\x00" + e.A.ID, e.A.ID + "\xff", "\xc3\x28"} {
		got := e.send(t, req{key: &key{ID: id, Secret: e.A.Secret}, method: "GET", path: "/partners/v2/users/" + e.createUser(t, e.A, nil)})
		if got.Status != http.StatusUnauthorized {
			t.Errorf("key id %q: %s", id, got)
		}
	}
}

// TestExternalMetadataIsBounded: external_metadata holds at most 16 KiB of JSON.
func TestExternalMetadataIsBounded(t *testing.T) {
	e := newEnv(t)
	fits := map[string]any{"client": e.A.Client, "external_metadata": map[string]any{"note": strings.Repeat("a", 16<<10-20)}}
	if got := e.call(t, e.A, "POST", "/partners/v2/users", fits); got.Status != http.StatusOK {
		t.Fatalf("metadata just under the bound: %s", got)
	}
	e.unchanged(t, "oversized metadata", func() {
		big := map[string]any{"client": e.A.Client, "external_metadata": map[string]any{"note": strings.Repeat("a", 900<<10)}}
		fieldError(t, e.call(t, e.A, "POST", "/partners/v2/users", big), "external_metadata")
		big = map[string]any{"external_metadata": map[string]any{"note": strings.Repeat("a", 17<<10)}}
		fieldError(t, e.call(t, e.A, "POST", "/v2/users", big), "external_metadata")
	})
}

// TestUploadNamesAreSafe: an upload named to look like a page or a program,
// or hiding its extension behind a right-to-left override, is kept and
// downloaded under a plain name with its content's extension, as an attachment.
func TestUploadNamesAreSafe(t *testing.T) {
	e := newEnv(t)
	user := e.createUser(t, e.A, nil)
	r := e.upload(t, e.A, map[string]string{"user": user, "document_type": "paystubs"},
		filePart{"upload", "stub.html", "text/html", pdfFile}) // right-to-left overrides: documents.TestSafeFileName
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %s", r)
	}
	up := r.obj(t)
	if up["file_name"] != "stub.pdf" {
		t.Errorf("file_name %q", up["file_name"])
	}
	status, h, _ := e.download(t, &e.A, up["file_url"].(string))
	if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" || h.Get("Content-Disposition") != `attachment; filename=stub.pdf` {
		t.Errorf("download: %d %q %q", status, h.Get("Content-Type"), h.Get("Content-Disposition"))
	}
}

// TestFieldNamesMatchExactly: a field name in another case is an unknown
// field, as in the contracts, not the field.
func TestFieldNamesMatchExactly(t *testing.T) {
	e := newEnv(t)
	user := e.createUser(t, e.A, nil)
	e.unchanged(t, "case variants", func() {
		fieldError(t, e.call(t, e.A, "POST", "/partners/v2/users", map[string]any{"CLIENT": e.A.Client}), "client")
		fieldError(t, e.call(t, e.A, "POST", "/partners/v2/verifications", map[string]any{"USER": user, "report": map[string]any{"type": "voie"}}), "user")
		fieldError(t, e.call(t, e.A, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"Type": "voie"}}), "report.type")
	})
	// Values keep their case.
	got := e.ok(t, e.A, "POST", "/partners/v2/users", map[string]any{"client": e.A.Client, "first_name": "ANN"})
	if u := e.ok(t, e.A, "GET", "/partners/v2/users/"+got["id"].(string), nil); u["first_name"] != "ANN" {
		t.Errorf("first_name = %v", u["first_name"])
	}
}
