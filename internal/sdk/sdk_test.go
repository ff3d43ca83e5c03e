package sdk_test

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"verigate/internal/sdk"
	"verigate/internal/server"
)

// newVerigate serves a whole verigate, so the SDK is fetched by its public path.
func newVerigate(t *testing.T) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "verigate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://verigate.test", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestServedFiles(t *testing.T) {
	srv := newVerigate(t)
	for _, c := range []struct{ path, contentType, marker string }{
		{sdk.ScriptPath, "text/javascript; charset=utf-8", "global.Verigate = "},
		{sdk.PlatformPath, "text/javascript; charset=utf-8", "global.Argyle = "},
		{sdk.PlatformAliasPath, "text/javascript; charset=utf-8", "global.Argyle = "},
		{sdk.TypesPath, "application/typescript; charset=utf-8", "declare namespace Verigate"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		req.Header.Set("Origin", "https://partner.example")
		resp, body := get(t, req)
		if resp.StatusCode != 200 || !strings.Contains(string(body), c.marker) {
			t.Fatalf("GET %s: %d %.80s", c.path, resp.StatusCode, body)
		}
		for header, want := range map[string]string{
			"Content-Type":                 c.contentType,
			"Cache-Control":                "public, max-age=86400",
			"X-Content-Type-Options":       "nosniff",
			"Access-Control-Allow-Origin":  "*",
			"Cross-Origin-Resource-Policy": "cross-origin",
		} {
			if got := resp.Header.Get(header); got != want {
				t.Errorf("GET %s: %s: %q, want %q", c.path, header, got, want)
			}
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("GET %s sets a cookie", c.path)
		}
		etag := resp.Header.Get("ETag")
		req, _ = http.NewRequest("GET", srv.URL+c.path, nil)
		req.Header.Set("If-None-Match", etag)
		if resp, _ := get(t, req); etag == "" || resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %s: %d, want 304", c.path, etag, resp.StatusCode)
		}
		req, _ = http.NewRequest("HEAD", srv.URL+c.path, nil)
		if resp, body := get(t, req); resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Type") != c.contentType {
			t.Errorf("HEAD %s: %d %q", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	req, _ := http.NewRequest("POST", srv.URL+sdk.ScriptPath, nil)
	if resp, _ := get(t, req); resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	for _, path := range []string{"/sdk/", "/sdk/v1/", "/sdk/v2/verigate.js", "/sdk/v1/verigate.min.js", "/argyle.web.v4.js", "/sdk/argyle.web.v5.js"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if resp, _ := get(t, req); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestDocsGiveTheIntegrityHash computes the hash of the script as served
// and checks that docs/sdk.md (and the example partner site) give it.
func TestDocsGiveTheIntegrityHash(t *testing.T) {
	srv := newVerigate(t)
	req, _ := http.NewRequest("GET", srv.URL+sdk.ScriptPath, nil)
	_, body := get(t, req)
	sum := sha512.Sum384(body)
	want := "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
	if got := sdk.Integrity(); got != want {
		t.Fatalf("Integrity() = %s, the served file hashes to %s", got, want)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "sdk.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `integrity="`+want+`"`) {
		t.Errorf("docs/sdk.md does not give the script's integrity hash; it is %s", want)
	}
}

// TestDeclarationsMatchTheScript checks that the TypeScript declarations
// name every option and message type the script knows.
func TestDeclarationsMatchTheScript(t *testing.T) {
	js, dts := string(sdk.Script()), readTypes(t)
	for _, m := range regexp.MustCompile(`(?:options|config)\.(\w+)`).FindAllStringSubmatch(js, -1) {
		if !strings.Contains(dts, m[1]+"?:") && !strings.Contains(dts, m[1]+":") {
			t.Errorf("option %s is not declared", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`case "(\w+)":`).FindAllStringSubmatch(js, -1) {
		if !strings.Contains(dts, `"`+m[1]+`"`) {
			t.Errorf("message type %s is not declared", m[1])
		}
	}
	if strings.Contains(js, "import ") || strings.Contains(js, "require(") {
		t.Error("the script has a dependency")
	}
	// Two interfaces (Argyle and Verigate) on one modal: still small.
	if len(js) > 32<<10 {
		t.Errorf("the script is %d bytes; keep it small", len(js))
	}
}

func readTypes(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("verigate.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
