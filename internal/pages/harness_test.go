package pages_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver the accounts are counted with

	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/store"
)

// harness is a verigate on a fresh SQLite file, served over HTTP with the
// sandbox connector, plus a partner site that records where links return.
type harness struct {
	t       *testing.T
	app     *server.App
	srv     *httptest.Server // verigate; its URL is the public URL
	partner *httptest.Server // the partner's site; /return records its query
	key     partner.NewKey
	dbPath  string
	offset  atomic.Int64 // how far the clock runs ahead of the real one
	returns chan url.Values
	// aggregate runs one aggregation when the harness does not aggregate in the background.
	aggregate func() bool
}

type harnessOptions struct {
	// manualAggregation leaves aggregation to h.aggregate instead of a running worker.
	manualAggregation bool
	frameAncestors    []string
	// wrap replaces the sandbox connector with one built on it.
	wrap func(*payrollsandbox.Connector) datasource.Connector
	// connectingMin is server.Options.ConnectingMinimum (none by default, so tests do not wait).
	connectingMin time.Duration
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, returns: make(chan url.Values, 16), dbPath: filepath.Join(t.TempDir(), "verigate.db")}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := server.OpenStore(ctx, h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	h.partner = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/return" {
			select {
			case h.returns <- r.URL.Query():
			default:
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>Partner</title><h1>Back at the partner</h1><p id=q>%s</p>", r.URL.RawQuery)
	}))
	t.Cleanup(h.partner.Close)

	var handler atomic.Pointer[http.Handler]
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)

	sb := payrollsandbox.New()
	sb.SlowDelay = 2 * time.Second
	sb.Now = h.now
	var cx datasource.Connector = sb
	if o.wrap != nil {
		cx = o.wrap(sb)
	}
	bank := banksandbox.New()
	bank.SlowDelay = 2 * time.Second
	bank.Now = h.now
	log := slog.New(slog.NewTextHandler(&testLog{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.app, err = server.New(ctx, st, server.Options{PublicURL: h.srv.URL, Now: h.now, Log: log,
		Connectors: datasource.Registry{Sandbox: map[string]datasource.Connector{"payroll": cx, "banking": bank}}, FrameAncestors: o.frameAncestors,
		ConnectingMinimum: o.connectingMin})
	if err != nil {
		t.Fatal(err)
	}
	handler.Store(&h.app.Handler)

	var wg sync.WaitGroup
	if o.manualAggregation {
		h.aggregate = func() bool {
			did, err := h.app.Aggregator.RunOnce(ctx)
			if err != nil {
				t.Errorf("aggregate: %v", err)
			}
			return did
		}
	} else {
		wg.Go(func() { h.app.Aggregator.Run(ctx, 1) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })

	h.key, err = h.app.Keys.CreatePartner(ctx, "Partner", "test", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.offset.Load())) }

// advance moves the clock forward.
func (h *harness) advance(d time.Duration) { h.offset.Add(int64(d)) }

// testLog sends the app's warnings and errors to the test log while the test runs.
type testLog struct{ t *testing.T }

func (l *testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// api calls the partner API and decodes the answer into out; it fails the
// test unless the status is 200.
func (h *harness) api(method, path string, body, out any) {
	h.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	req.SetBasicAuth(h.key.ID, h.key.Secret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// flow is a session made through the API.
type flow struct {
	h            *harness
	link         string // the session's link
	base         string // its path, /connect/<token>
	verification string
	user         string
}

// newSession creates a user, a payroll verification and a session with configuration cfg.
func (h *harness) newSession(cfg map[string]any) *flow {
	h.t.Helper()
	return h.newSessionFor("voie", cfg)
}

// newBankSession creates a user, a banking (voai) verification and a session with configuration cfg.
func (h *harness) newBankSession(cfg map[string]any) *flow {
	h.t.Helper()
	return h.newSessionFor("voai", cfg)
}

// newSessionFor creates a user, a verification of a report type and a session with configuration cfg.
func (h *harness) newSessionFor(reportType string, cfg map[string]any) *flow {
	h.t.Helper()
	var user struct{ ID string }
	h.api("POST", "/partners/v2/users", map[string]any{"client": h.key.ClientID, "first_name": "Bob", "last_name": "Jones"}, &user)
	var v struct{ ID string }
	h.api("POST", "/partners/v2/verifications", map[string]any{"user": user.ID, "report": map[string]any{"type": reportType}}, &v)
	return h.sessionFor(v.ID, user.ID, cfg)
}

// sessionFor creates another session for an existing verification.
func (h *harness) sessionFor(verification, user string, cfg map[string]any) *flow {
	h.t.Helper()
	body := map[string]any{"verification": verification}
	if cfg != nil {
		body["configuration"] = cfg
	}
	var s struct{ Link string }
	h.api("POST", "/partners/v2/sessions", body, &s)
	u, err := url.Parse(s.Link)
	if err != nil || !strings.HasPrefix(s.Link, h.srv.URL+"/connect/") {
		h.t.Fatalf("link %q is not under %s", s.Link, h.srv.URL)
	}
	return &flow{h: h, link: s.Link, base: u.Path, verification: verification, user: user}
}

// status returns the verification's state and code through the API.
func (f *flow) status() string {
	f.h.t.Helper()
	var v struct {
		Status struct{ State, Code string }
	}
	f.h.api("GET", "/partners/v2/verifications/"+f.verification, nil, &v)
	return v.Status.State + "/" + v.Status.Code
}

// wantStatus checks the verification's status, waiting a little for background work.
func (f *flow) wantStatus(want string) {
	f.h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := f.status()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			f.h.t.Fatalf("verification status %s, want %s", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// items returns the user's items_connected through the API.
func (f *flow) items() []string {
	f.h.t.Helper()
	var u struct {
		ItemsConnected []string `json:"items_connected"`
	}
	f.h.api("GET", "/partners/v2/users/"+f.user, nil, &u)
	return u.ItemsConnected
}

// accounts counts the user's accounts in the database.
func (f *flow) accounts() int {
	f.h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.h.dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		f.h.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM accounts WHERE user_id = ?`, f.user).Scan(&n); err != nil {
		f.h.t.Fatal(err)
	}
	return n
}

// waitReturn waits for the browser to arrive at the partner's /return.
func (h *harness) waitReturn() url.Values {
	h.t.Helper()
	select {
	case q := <-h.returns:
		return q
	case <-time.After(10 * time.Second):
		h.t.Fatal("the browser did not come back to the partner's redirect_url")
		return nil
	}
}

// client is an HTTP client that does not follow redirects.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get fetches a page of verigate without following redirects.
func (h *harness) get(path string) (*http.Response, string) {
	h.t.Helper()
	resp, err := client.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// post posts a form to verigate without following redirects.
func (h *harness) post(path string, form url.Values) (*http.Response, string) {
	h.t.Helper()
	resp, err := client.PostForm(h.srv.URL+path, form)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// csrf reads the CSRF token from a page's form.
func csrf(t *testing.T, page string) string {
	t.Helper()
	const marker = `name="csrf" value="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no CSRF field in %s", page)
	}
	rest := page[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}
