package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"verigate/internal/sdk"
	"verigate/internal/server"
	"verigate/internal/store"
)

// The example's page and session endpoint against an in-process verigate;
// internal/connect's TestBrowserEmbed drives the page in a browser.

func TestPinnedIntegrityIsTheServedScripts(t *testing.T) {
	if sdkIntegrity != sdk.Integrity() {
		t.Errorf("sdkIntegrity = %s; the SDK verigate serves hashes to %s", sdkIntegrity, sdk.Integrity())
	}
}

func TestSite(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "verigate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var app *server.App
	vg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.Handler.ServeHTTP(w, r) }))
	defer vg.Close()
	if app, err = server.New(ctx, st, server.Options{PublicURL: vg.URL, Log: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	key, err := app.Keys.CreatePartner(ctx, "Partner", "embed example", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newSite(config{Verigate: "ftp://nope"}); err == nil {
		t.Error("an ftp:// verigate URL was accepted")
	}
	h, err := newSite(config{Verigate: vg.URL + "/", KeyID: key.ID, KeySecret: key.Secret, Client: key.ClientID, Integrity: sdkIntegrity})
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(h)
	defer site.Close()

	resp, body := fetch(t, "GET", site.URL+"/")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /: %d", resp.StatusCode)
	}
	for _, want := range []string{`<script src="` + vg.URL + `/sdk/v1/verigate.js" integrity="` + sdkIntegrity + `" crossorigin="anonymous" defer>`,
		`<script src="/app.js" defer>`, `id="connect-payroll"`, `id="events"`} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("page does not contain %s:\n%s", want, body)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' "+vg.URL+";") || !strings.Contains(csp, "frame-src "+vg.URL+";") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	for _, path := range []string{"/app.js", "/app.css"} {
		if resp, _ := fetch(t, "GET", site.URL+path); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}

	// Each POST /session makes a user, a verification and a session, and returns the link.
	for kind, source := range map[string]string{"payroll": "payroll", "banking": "banking"} {
		resp, body := fetch(t, "POST", site.URL+"/session?kind="+kind)
		var s struct {
			ConnectURL string `json:"connect_url"`
		}
		if err := json.Unmarshal([]byte(body), &s); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(s.ConnectURL, vg.URL+"/connect/") {
			t.Fatalf("POST /session?kind=%s: %d %s", kind, resp.StatusCode, body)
		}
		resp, page := fetch(t, "GET", s.ConnectURL)
		if resp.StatusCode != 200 || !strings.Contains(page, `data-stage="search"`) {
			t.Errorf("%s link: %d", source, resp.StatusCode)
		}
	}

	// A wrong key is reported as a bad gateway, with verigate's answer.
	bad, _ := newSite(config{Verigate: vg.URL, KeyID: key.ID, KeySecret: "wrong", Client: key.ClientID})
	badSite := httptest.NewServer(bad)
	defer badSite.Close()
	if resp, body := fetch(t, "POST", badSite.URL+"/session"); resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "401") {
		t.Errorf("POST /session with a wrong key: %d %s", resp.StatusCode, body)
	}
}

func TestFlags(t *testing.T) {
	t.Setenv("VERIGATE_KEY_ID", "")
	if err := run([]string{"--verigate", "http://127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "--key-id") {
		t.Errorf("run without a key: %v", err)
	}
}

func fetch(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
