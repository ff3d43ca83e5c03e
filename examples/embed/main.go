// Command embed is a tiny partner site that shows the verigate Web SDK in
// use: its server creates a user, a verification and a session with the
// partner's API key (never in the browser), and its page opens the session's
// link in the SDK's modal and lists the callbacks as they fire.
//
// Start verigate allowing this site to frame the connection pages, then this
// site with a sandbox key (see README.md, "Embed the connection pages"):
//
//	go run ./cmd/verigate --frame-ancestors http://127.0.0.1:8090
//	go run ./examples/embed --key-id <api_key_id> --key-secret <api_key_secret> --client <client>
//
// and open http://127.0.0.1:8090.
package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// sdkIntegrity pins the SDK that verigate serves at /sdk/v1/verigate.js
// (docs/sdk.md gives the current value; a test keeps the two equal).
const sdkIntegrity = "sha384-2uDNsN8k75dndFUpsYW0b8g6R9CEiAnOdxvW2LFqh1fuylXK3dd2zyVL1lBg6ab2"

//go:embed index.html app.js app.css
var files embed.FS

var page = template.Must(template.ParseFS(files, "index.html"))

// config is what the site needs to know about verigate and the partner.
type config struct {
	Verigate  string // verigate's base URL, e.g. http://127.0.0.1:8080
	KeyID     string
	KeySecret string
	Client    string // the partner's client id, for new users
	Integrity string // the SDK's integrity value; "" leaves it unchecked
	HTTP      *http.Client
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(args []string) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	addr := fs.String("addr", env("EMBED_ADDR", "127.0.0.1:8090"), "listen address of this partner site (env EMBED_ADDR)")
	var c config
	fs.StringVar(&c.Verigate, "verigate", env("VERIGATE_URL", "http://127.0.0.1:8080"), "verigate's base URL (env VERIGATE_URL)")
	fs.StringVar(&c.KeyID, "key-id", env("VERIGATE_KEY_ID", ""), "partner API key id (env VERIGATE_KEY_ID)")
	fs.StringVar(&c.KeySecret, "key-secret", env("VERIGATE_KEY_SECRET", ""), "partner API key secret (env VERIGATE_KEY_SECRET)")
	fs.StringVar(&c.Client, "client", env("VERIGATE_CLIENT", ""), "the partner's client id (env VERIGATE_CLIENT)")
	fs.StringVar(&c.Integrity, "integrity", sdkIntegrity, `the SDK's Subresource Integrity value; "" to load it unchecked`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.KeyID == "" || c.KeySecret == "" || c.Client == "" {
		return errors.New("--key-id, --key-secret and --client are required (they are printed on verigate's first start, or by `go run ./cmd/verigate keys create --json`)")
	}
	h, err := newSite(c)
	if err != nil {
		return err
	}
	log.Printf("partner site on http://%s (verigate at %s must be started with --frame-ancestors http://%s)", *addr, c.Verigate, *addr)
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

// newSite serves the partner page, its assets, and POST /session.
func newSite(c config) (http.Handler, error) {
	u, err := url.Parse(c.Verigate)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--verigate %q is not an http(s) URL", c.Verigate)
	}
	c.Verigate = strings.TrimRight(c.Verigate, "/")
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	verigateOrigin := u.Scheme + "://" + u.Host
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		err := page.Execute(&buf, map[string]string{"VerigateURL": c.Verigate, "SDKURL": c.Verigate + "/sdk/v1/verigate.js", "Integrity": c.Integrity})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// A strict policy: the SDK needs no inline script or style; the page
		// may load it from verigate and frame verigate, nothing else.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' "+verigateOrigin+
			"; frame-src "+verigateOrigin+"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
	})
	for _, name := range []string{"app.js", "app.css"} {
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) {
			http.ServeFileFS(w, r, files, name)
		})
	}
	mux.HandleFunc("POST /session", func(w http.ResponseWriter, r *http.Request) {
		// A real partner creates the session for its signed-in borrower; this
		// demo makes a new user each time.
		link, err := c.session(r.Context(), r.URL.Query().Get("kind"))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err != nil {
			log.Printf("create session: %v", err)
			w.WriteHeader(http.StatusBadGateway)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"connect_url": link})
	})
	return mux, nil
}

// session creates a user, a verification (payroll income and employment,
// or banking assets for kind "banking") and a session, and returns its link.
func (c config) session(ctx context.Context, kind string) (string, error) {
	report := "voie"
	if kind == "banking" {
		report = "voai"
	}
	var user, verification struct{ ID string }
	if err := c.call(ctx, "/partners/v2/users", map[string]any{"client": c.Client, "first_name": "Jane", "last_name": "Doe"}, &user); err != nil {
		return "", err
	}
	if err := c.call(ctx, "/partners/v2/verifications", map[string]any{"user": user.ID, "report": map[string]any{"type": report}}, &verification); err != nil {
		return "", err
	}
	var s struct{ Link string }
	if err := c.call(ctx, "/partners/v2/sessions", map[string]any{"verification": verification.ID}, &s); err != nil {
		return "", err
	}
	return s.Link, nil
}

// call posts a JSON body to the partner API and decodes the answer.
func (c config) call(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Verigate+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.KeyID, c.KeySecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, out)
}
