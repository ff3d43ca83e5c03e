package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"verigate/internal/sdk"
	"verigate/internal/server"
)

// rawClient sends exactly the Accept-Encoding it is given and never
// decompresses, so tests see the bytes on the wire.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

func fetch(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newCompressServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "verigate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://verigate.test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	return srv
}

// TestCompressedScriptKeepsETagAndIntegrity fetches the SDK script gzipped:
// it is smaller, varies on Accept-Encoding, decompresses to the bytes its
// Subresource Integrity hash names, and its (weak) entity tag still
// answers a conditional request with 304.
func TestCompressedScriptKeepsETagAndIntegrity(t *testing.T) {
	srv := newCompressServer(t)
	url := srv.URL + sdk.ScriptPath

	plain, plainBody := fetch(t, "GET", url, nil)
	if plain.StatusCode != http.StatusOK || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("without Accept-Encoding: %d, Content-Encoding %q", plain.StatusCode, plain.Header.Get("Content-Encoding"))
	}
	strong := plain.Header.Get("ETag")
	if !strings.HasPrefix(strong, `"`) {
		t.Fatalf("identity ETag %q is not a strong tag", strong)
	}

	gz, gzBody := fetch(t, "GET", url, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", gz.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(gz.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q does not name Accept-Encoding", gz.Header.Get("Vary"))
	}
	if len(gzBody) >= len(plainBody) {
		t.Errorf("gzipped script %d bytes, plain %d", len(gzBody), len(plainBody))
	}
	decoded := gunzip(t, gzBody)
	if !bytes.Equal(decoded, plainBody) {
		t.Fatal("the gzipped script does not decompress to the plain script")
	}
	sum := sha512.Sum384(decoded)
	if got := "sha384-" + base64.StdEncoding.EncodeToString(sum[:]); got != sdk.Integrity() {
		t.Errorf("decompressed script hashes to %s, integrity attribute says %s", got, sdk.Integrity())
	}
	if got := gz.Header.Get("ETag"); got != "W/"+strong {
		t.Errorf("gzipped ETag %q, want W/%s", got, strong)
	}

	for _, tag := range []string{gz.Header.Get("ETag"), strong} {
		resp, body := fetch(t, "GET", url, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": tag})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and none", tag, resp.StatusCode, len(body))
		}
	}

	head, headBody := fetch(t, "HEAD", url, map[string]string{"Accept-Encoding": "gzip"})
	if head.Header.Get("Content-Encoding") != "" || len(headBody) != 0 {
		t.Errorf("HEAD: Content-Encoding %q, %d bytes", head.Header.Get("Content-Encoding"), len(headBody))
	}
}

// TestCompressionChoosesBySizeAndType compresses a large YAML document
// and not a small JSON error.
func TestCompressionChoosesBySizeAndType(t *testing.T) {
	srv := newCompressServer(t)
	ae := map[string]string{"Accept-Encoding": "gzip"}

	spec, body := fetch(t, "GET", srv.URL+"/openapi.yaml", ae)
	if spec.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("openapi.yaml: Content-Encoding %q, want gzip", spec.Header.Get("Content-Encoding"))
	}
	if len(gunzip(t, body)) <= len(body) {
		t.Error("openapi.yaml did not get smaller")
	}

	small, body := fetch(t, "GET", srv.URL+"/partners/v2/users", ae) // 401, a short JSON body
	if small.StatusCode != http.StatusUnauthorized || small.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix(body, []byte("{")) {
		t.Errorf("small JSON: %d, Content-Encoding %q, body %.40q", small.StatusCode, small.Header.Get("Content-Encoding"), body)
	}
	if !strings.Contains(small.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("small JSON: Vary %q does not name Accept-Encoding", small.Header.Get("Vary"))
	}
}
