package api_test

// Webhook subscription and delivery routes through the real router, auth and
// an SQLite store in t.TempDir(). This file keeps its own small harness
// (names prefixed wh) so that it does not depend on the shared one.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"verigate/internal/server"
	"verigate/internal/store"
)

var (
	whUUID  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	whStamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

// whContractPath is the reference contract, relative to this package's directory.
const whContractPath = "../../../shared/reference/partners-v2-openapi.yaml"

type whKey struct {
	ID, Secret, Client, Partner string
}

type whEnv struct {
	app *server.App
	srv *httptest.Server
	mu  sync.Mutex
	now time.Time
	// A and B are sandbox partners; AProd is a production key of partner A.
	A, B, AProd whKey
}

func (e *whEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *whEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func newWhEnv(t *testing.T) *whEnv {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "verigate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &whEnv{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	var h http.Handler = http.NotFoundHandler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.app, err = server.New(ctx, st, server.Options{PublicURL: e.srv.URL, Now: e.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h = e.app.Handler
	mk := func(name string) whKey {
		k, err := e.app.Keys.CreatePartner(ctx, name, "test", store.Sandbox)
		if err != nil {
			t.Fatal(err)
		}
		return whKey{k.ID, k.Secret, k.ClientID, k.PartnerID}
	}
	e.A, e.B = mk("A"), mk("B")
	pk, err := e.app.Keys.CreateKeyForClient(ctx, e.A.Client, "prod", store.Production)
	if err != nil {
		t.Fatal(err)
	}
	e.AProd = whKey{pk.ID, pk.Secret, pk.ClientID, pk.PartnerID}
	return e
}

type whResp struct {
	status int
	header http.Header
	body   []byte
	what   string
}

func (r whResp) String() string {
	return fmt.Sprintf("%s → %d %s", r.what, r.status, bytes.TrimSpace(r.body))
}

func (r whResp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%s: not a JSON object: %v", r, err)
	}
	return m
}

// do sends a request as k (nil: no credentials); body is sent as JSON unless it is a string.
func (e *whEnv) do(t *testing.T, k *whKey, method, path string, body any) whResp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	u := path
	if !strings.HasPrefix(u, "http") {
		u = e.srv.URL + path
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if k != nil {
		req.SetBasicAuth(k.ID, k.Secret)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := whResp{status: resp.StatusCode, header: resp.Header, body: raw, what: method + " " + path}
	if r.status >= 500 {
		t.Errorf("server error: %s", r)
	}
	if r.status != http.StatusNoContent && resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: Content-Type %q", r, resp.Header.Get("Content-Type"))
	}
	return r
}

func (e *whEnv) ok(t *testing.T, k whKey, method, path string, body any) map[string]any {
	t.Helper()
	r := e.do(t, &k, method, path, body)
	if r.status != http.StatusOK {
		t.Fatalf("want 200: %s", r)
	}
	return r.obj(t)
}

// subscribe creates a subscription for k and returns its view.
func (e *whEnv) subscribe(t *testing.T, k whKey, url string, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"events": []string{"verifications.updated", "verifications.creation_failed"}, "name": "hook", "url": url}
	for f, v := range extra {
		body[f] = v
	}
	return e.ok(t, k, "POST", "/partners/v2/webhooks", body)
}

// orderFor creates a user and orders a payroll verification, raising one event.
func (e *whEnv) orderFor(t *testing.T, k whKey) string {
	t.Helper()
	user := e.ok(t, k, "POST", "/partners/v2/users", map[string]any{"client": k.Client, "first_name": "Jane"})["id"].(string)
	return e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "voie"}})["id"].(string)
}

// drain runs the dispatcher until nothing is due at the test clock's time.
func (e *whEnv) drain(t *testing.T) {
	t.Helper()
	for range 100 {
		did, err := e.app.Dispatcher.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			return
		}
	}
	t.Fatal("the dispatcher never ran dry")
}

func whFieldError(t *testing.T, r whResp, field string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Errorf("want 400 on %s: %s", field, r)
		return
	}
	var m map[string]any
	json.Unmarshal(r.body, &m)
	if msgs, _ := m[field].([]any); len(msgs) == 0 {
		t.Errorf("want messages for %q: %s", field, r)
	}
}

// ---- contract ----

var (
	whContractOnce sync.Once
	whContractDoc  *openapi3.T
	whContractErr  error
)

// whContract loads the reference contract, skipping when it is not beside the repository.
func whContract(t *testing.T) *openapi3.T {
	t.Helper()
	whContractOnce.Do(func() {
		if _, err := os.Stat(whContractPath); err != nil {
			return
		}
		whContractDoc, whContractErr = openapi3.NewLoader().LoadFromFile(whContractPath)
	})
	if whContractErr != nil {
		t.Fatal(whContractErr)
	}
	if whContractDoc == nil {
		t.Skipf("%s not found", whContractPath)
	}
	return whContractDoc
}

// whValidate checks a 200 of POST /partners/v2/webhooks against the contract's response schema.
func whValidate(t *testing.T, doc *openapi3.T, r whResp) {
	t.Helper()
	const path = "/partners/v2/webhooks"
	item := doc.Paths.Find(path)
	hr, _ := http.NewRequest("POST", "http://verigate"+path, nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: hr, Route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: "POST", Operation: item.Post},
		},
		Status: r.status, Header: r.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()}},
	}
	in.SetBodyBytes(r.body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s does not conform to the contract: %v", r, err)
	}
}

// ---- tests ----

// The contract's request example creates a subscription; the answer
// conforms to the contract and never carries the secret.
func TestWebhookCreateContractExample(t *testing.T) {
	doc := whContract(t)
	e := newWhEnv(t)
	example := doc.Paths.Find("/partners/v2/webhooks").Post.RequestBody.Value.Content.Get("application/json").Example
	raw, _ := json.Marshal(example)
	if !strings.Contains(string(raw), `"secret":"optional-secret"`) {
		t.Fatalf("unexpected contract example %s", raw)
	}
	for _, k := range []whKey{e.A, e.AProd} {
		r := e.do(t, &k, "POST", "/partners/v2/webhooks", string(raw))
		if r.status != http.StatusOK {
			t.Fatalf("create: %s", r)
		}
		whValidate(t, doc, r)
		if strings.Contains(string(r.body), "optional-secret") {
			t.Errorf("the secret came back: %s", r)
		}
		got := r.obj(t)
		keys := make([]string, 0, len(got))
		for f := range got {
			keys = append(keys, f)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "config,created_at,events,has_secret,id,name,url" {
			t.Errorf("fields %v", keys)
		}
		if !whUUID.MatchString(fmt.Sprint(got["id"])) || !whStamp.MatchString(fmt.Sprint(got["created_at"])) ||
			got["name"] != "name-for-the-webhook-subscription" || got["url"] != "https://your-webhook-backend.com" ||
			fmt.Sprint(got["events"]) != "[verifications.updated]" || got["has_secret"] != true ||
			fmt.Sprint(got["config"]) != "map[include_resource:true]" {
			t.Errorf("created %v", got)
		}
		if got["created_at"] != "2025-06-01T12:00:00.000Z" {
			t.Errorf("created_at %v does not come from the clock", got["created_at"])
		}
		// GET returns the same view.
		same := e.ok(t, k, "GET", "/partners/v2/webhooks/"+got["id"].(string), nil)
		if fmt.Sprint(same) != fmt.Sprint(got) {
			t.Errorf("GET %v, created %v", same, got)
		}
	}
	// Without a secret or config: has_secret false, include_resource false; events deduplicated.
	got := e.ok(t, e.A, "POST", "/partners/v2/webhooks", map[string]any{
		"events": []string{"verifications.creation_failed", "verifications.creation_failed"}, "name": "  plain  ", "url": "http://127.0.0.1:9/h"})
	if got["has_secret"] != false || fmt.Sprint(got["config"]) != "map[include_resource:false]" ||
		fmt.Sprint(got["events"]) != "[verifications.creation_failed]" || got["name"] != "plain" {
		t.Errorf("plain subscription %v", got)
	}
	// An empty secret means no secret.
	got = e.ok(t, e.A, "POST", "/partners/v2/webhooks", map[string]any{"events": []string{"verifications.updated"}, "name": "n", "url": "http://x.test/", "secret": ""})
	if got["has_secret"] != false {
		t.Errorf("empty secret: %v", got)
	}
}

func TestWebhookListGetDelete(t *testing.T) {
	e := newWhEnv(t)
	first := e.subscribe(t, e.A, "https://hooks.example.com/1", map[string]any{"secret": "s3cr3t-value"})
	e.advance(time.Second)
	second := e.subscribe(t, e.A, "https://hooks.example.com/2", nil)
	e.subscribe(t, e.B, "https://hooks.example.com/b", nil)
	ids := func(k whKey) []string {
		list := e.ok(t, k, "GET", "/partners/v2/webhooks", nil)
		if _, ok := list["next"]; !ok {
			t.Errorf("list has no next: %v", list)
		}
		var out []string
		for _, s := range list["results"].([]any) {
			out = append(out, s.(map[string]any)["id"].(string))
		}
		return out
	}
	if got := ids(e.A); fmt.Sprint(got) != fmt.Sprint([]string{second["id"].(string), first["id"].(string)}) {
		t.Errorf("A's list %v, want newest first", got)
	}
	if got := ids(e.AProd); len(got) != 0 {
		t.Errorf("production sees sandbox subscriptions: %v", got)
	}
	raw := e.do(t, &e.A, "GET", "/partners/v2/webhooks", nil)
	if strings.Contains(string(raw.body), "s3cr3t-value") {
		t.Error("the list shows a secret")
	}
	id := first["id"].(string)
	if got := e.ok(t, e.A, "GET", "/partners/v2/webhooks/"+strings.ToUpper(id), nil); got["id"] != id || got["has_secret"] != true {
		t.Errorf("GET (upper-case id): %v", got)
	}
	r := e.do(t, &e.A, "DELETE", "/partners/v2/webhooks/"+id, nil)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("delete: %s", r)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := e.do(t, &e.A, m, "/partners/v2/webhooks/"+id, nil); r.status != http.StatusNotFound {
			t.Errorf("%s after delete: %s", m, r)
		}
	}
	if r := e.do(t, &e.A, "GET", "/partners/v2/webhooks/"+id+"/deliveries", nil); r.status != http.StatusNotFound {
		t.Errorf("deliveries after delete: %s", r)
	}
	if got := ids(e.A); fmt.Sprint(got) != fmt.Sprint([]string{second["id"].(string)}) {
		t.Errorf("list after delete %v", got)
	}
	for _, bad := range []string{"not-a-uuid", "0196f0a0-0000-7000-8000-000000000001"} {
		if r := e.do(t, &e.A, "GET", "/partners/v2/webhooks/"+bad, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %s", bad, r)
		}
	}
	if r := e.do(t, &e.A, "PUT", "/partners/v2/webhooks/"+id, map[string]any{}); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %s", r)
	}
}

// A deleted subscription gets no new deliveries and its pending ones stop.
func TestWebhookDeleteStopsDeliveries(t *testing.T) {
	e := newWhEnv(t)
	var mu sync.Mutex
	hits := 0
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mu.Lock(); hits++; mu.Unlock() }))
	defer rcv.Close()
	sub := e.subscribe(t, e.A, rcv.URL, nil)["id"].(string)
	e.orderFor(t, e.A)
	e.do(t, &e.A, "DELETE", "/partners/v2/webhooks/"+sub, nil)
	e.orderFor(t, e.A)
	e.drain(t)
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("a deleted subscription received %d deliveries", hits)
	}
}

func TestWebhookValidation(t *testing.T) {
	e := newWhEnv(t)
	base := func() map[string]any {
		return map[string]any{"events": []string{"verifications.updated"}, "name": "n", "url": "https://hooks.example.com/x"}
	}
	with := func(f string, v any) map[string]any {
		b := base()
		if v == nil {
			delete(b, f)
		} else {
			b[f] = v
		}
		return b
	}
	null := json.RawMessage("null")
	for _, c := range []struct {
		name  string
		key   whKey
		body  map[string]any
		field string
	}{
		{"missing events", e.A, with("events", nil), "events"},
		{"null events", e.A, with("events", null), "events"},
		{"empty events", e.A, with("events", []string{}), "events"},
		{"unknown event", e.A, with("events", []string{"verifications.updated", "users.created"}), "events"},
		{"events not a list", e.A, with("events", "verifications.updated"), "events"},
		{"missing name", e.A, with("name", nil), "name"},
		{"blank name", e.A, with("name", "   "), "name"},
		{"long name", e.A, with("name", strings.Repeat("n", 201)), "name"},
		{"missing url", e.A, with("url", nil), "url"},
		{"relative url", e.A, with("url", "/hooks"), "url"},
		{"ftp url", e.A, with("url", "ftp://hooks.example.com/"), "url"},
		{"no host", e.A, with("url", "https://"), "url"},
		{"not a url", e.A, with("url", "hooks example"), "url"},
		{"credentials", e.A, with("url", "https://user:pw@hooks.example.com/"), "url"},
		{"url not a string", e.A, with("url", 42), "url"},
		{"null secret", e.A, with("secret", null), "secret"},
		{"long secret", e.A, with("secret", strings.Repeat("s", 501)), "secret"},
		{"include_resource not a bool", e.A, with("config", map[string]any{"include_resource": "yes"}), ""},
		{"production loopback", e.AProd, with("url", "http://127.0.0.1:8080/h"), "url"},
		{"production localhost", e.AProd, with("url", "http://localhost/h"), "url"},
		{"production private", e.AProd, with("url", "https://10.1.2.3/h"), "url"},
		{"production private 192.168", e.AProd, with("url", "https://192.168.0.10/h"), "url"},
		{"production link-local", e.AProd, with("url", "http://169.254.169.254/latest/meta-data"), "url"},
		{"production ipv6 loopback", e.AProd, with("url", "http://[::1]:8080/h"), "url"},
		{"production ipv6 unique local", e.AProd, with("url", "http://[fd00::1]/h"), "url"},
		{"production carrier-grade nat", e.AProd, with("url", "http://100.64.0.1/h"), "url"},
		{"production .internal", e.AProd, with("url", "http://metadata.google.internal/h"), "url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, &c.key, "POST", "/partners/v2/webhooks", c.body)
			if c.field == "" {
				if r.status != http.StatusBadRequest {
					t.Errorf("want 400: %s", r)
				}
				return
			}
			whFieldError(t, r, c.field)
		})
	}
	// Not JSON, or not an object.
	for _, raw := range []string{"", "{", "[]", `{"events": ["verifications.updated"]} {}`} {
		if r := e.do(t, &e.A, "POST", "/partners/v2/webhooks", raw); r.status != http.StatusBadRequest {
			t.Errorf("body %q: %s", raw, r)
		}
	}
	// Several problems are reported together.
	r := e.do(t, &e.A, "POST", "/partners/v2/webhooks", map[string]any{})
	for _, f := range []string{"events", "name", "url"} {
		whFieldError(t, r, f)
	}
	// None of that created anything.
	for _, k := range []whKey{e.A, e.AProd} {
		if list := e.ok(t, k, "GET", "/partners/v2/webhooks", nil); len(list["results"].([]any)) != 0 {
			t.Errorf("a refused request created a subscription: %v", list)
		}
	}
	// Sandbox keys may point at local receivers; production keys at public ones.
	for _, u := range []string{"http://127.0.0.1:8080/h", "http://localhost:3000/h", "http://10.1.2.3/h", "http://[::1]/h"} {
		e.ok(t, e.A, "POST", "/partners/v2/webhooks", with("url", u))
	}
	for _, u := range []string{"https://hooks.example.com/x", "https://203.0.114.7/h", "http://[2001:db8::1]/h"} {
		e.ok(t, e.AProd, "POST", "/partners/v2/webhooks", with("url", u))
	}
}

// whRoutes are every webhook route with the given subscription and delivery ids.
func whRoutes(sub, delivery string) [][2]string {
	return [][2]string{
		{"POST", "/partners/v2/webhooks"},
		{"GET", "/partners/v2/webhooks"},
		{"GET", "/partners/v2/webhooks/" + sub},
		{"DELETE", "/partners/v2/webhooks/" + sub},
		{"GET", "/partners/v2/webhooks/" + sub + "/deliveries"},
		{"POST", "/partners/v2/webhooks/" + sub + "/deliveries/" + delivery + "/retry"},
	}
}

func TestWebhookRoutesNeedAuth(t *testing.T) {
	e := newWhEnv(t)
	sub := e.subscribe(t, e.A, "https://hooks.example.com/x", nil)["id"].(string)
	for _, rt := range whRoutes(sub, "0196f0a0-0000-7000-8000-000000000001") {
		body := any(nil)
		if rt[0] == "POST" {
			body = map[string]any{}
		}
		for name, k := range map[string]*whKey{"no credentials": nil, "wrong secret": {ID: e.A.ID, Secret: "wrong"}, "unknown key": {ID: "nobody", Secret: "x"}} {
			r := e.do(t, k, rt[0], rt[1], body)
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s, %s %s: %s", name, rt[0], rt[1], r)
			}
		}
	}
	if got := e.ok(t, e.A, "GET", "/partners/v2/webhooks/"+sub, nil); got["id"] != sub {
		t.Error("a refused DELETE removed the subscription")
	}
}

// Another partner's (or another environment's) subscription is not found on every route.
func TestWebhookIsolation(t *testing.T) {
	e := newWhEnv(t)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer rcv.Close()
	bSub := e.subscribe(t, e.B, rcv.URL, nil)["id"].(string)
	aSub := e.subscribe(t, e.A, rcv.URL, nil)["id"].(string)
	e.orderFor(t, e.B)
	e.drain(t)
	bDeliveries := e.ok(t, e.B, "GET", "/partners/v2/webhooks/"+bSub+"/deliveries", nil)["results"].([]any)
	if len(bDeliveries) != 1 {
		t.Fatalf("B's deliveries: %v (A's order must not reach B and vice versa)", bDeliveries)
	}
	bDel := bDeliveries[0].(map[string]any)["id"].(string)
	if got := e.ok(t, e.A, "GET", "/partners/v2/webhooks/"+aSub+"/deliveries", nil)["results"].([]any); len(got) != 0 {
		t.Errorf("A got a delivery for B's event: %v", got)
	}
	for _, k := range []whKey{e.A, e.AProd} {
		for _, rt := range whRoutes(bSub, bDel)[2:] {
			if r := e.do(t, &k, rt[0], rt[1], nil); r.status != http.StatusNotFound {
				t.Errorf("%s %s as another partner: %s", rt[0], rt[1], r)
			}
		}
	}
	// Production keys of A do not see A's sandbox subscription either.
	for _, rt := range whRoutes(aSub, bDel)[2:] {
		if r := e.do(t, &e.AProd, rt[0], rt[1], nil); r.status != http.StatusNotFound {
			t.Errorf("%s %s from production: %s", rt[0], rt[1], r)
		}
	}
	// B's delivery under A's own subscription is not found either.
	if r := e.do(t, &e.A, "POST", "/partners/v2/webhooks/"+aSub+"/deliveries/"+bDel+"/retry", nil); r.status != http.StatusNotFound {
		t.Errorf("retry of B's delivery under A's subscription: %s", r)
	}
	// B's subscription is intact.
	if got := e.ok(t, e.B, "GET", "/partners/v2/webhooks/"+bSub, nil); got["id"] != bSub {
		t.Errorf("B's subscription after A's attempts: %v", got)
	}
}

func TestWebhookDeliveriesPagination(t *testing.T) {
	e := newWhEnv(t)
	sub := e.subscribe(t, e.A, "http://127.0.0.1:9/never-called", nil)["id"].(string)
	var verifs []string
	for range 7 {
		verifs = append(verifs, e.orderFor(t, e.A))
		e.advance(time.Millisecond)
	}
	all := e.ok(t, e.A, "GET", "/partners/v2/webhooks/"+sub+"/deliveries?limit=50", nil)
	results := all["results"].([]any)
	if len(results) != 7 || all["next"] != nil || all["previous"] != nil {
		t.Fatalf("all deliveries: %v", all)
	}
	var want []string
	for i, d := range results {
		m := d.(map[string]any)
		want = append(want, m["id"].(string))
		// Newest first: the i-th delivery is for the (7-i)-th order.
		if m["verification"] != verifs[6-i] || m["event"] != "verifications.updated" || m["state"] != "pending" ||
			m["attempts"] != float64(0) || m["last_status_code"] != nil || m["last_error"] != nil || m["delivered_at"] != nil ||
			!whStamp.MatchString(fmt.Sprint(m["next_attempt_at"])) || !whStamp.MatchString(fmt.Sprint(m["created_at"])) || !whUUID.MatchString(m["id"].(string)) {
			t.Errorf("delivery %d: %v", i, m)
		}
	}
	// Forward with limit=3: 3, 3, 1.
	var forward []string
	var pages []map[string]any
	next := "/partners/v2/webhooks/" + sub + "/deliveries?limit=3"
	for next != "" {
		page := e.ok(t, e.A, "GET", next, nil)
		pages = append(pages, page)
		for _, d := range page["results"].([]any) {
			forward = append(forward, d.(map[string]any)["id"].(string))
		}
		next, _ = page["next"].(string)
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || !strings.HasPrefix(next, e.srv.URL+"/partners/v2/webhooks/"+sub+"/deliveries?") || u.Query().Get("limit") != "3" {
				t.Errorf("next link %q", next)
			}
		}
		if len(pages) > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if fmt.Sprint(forward) != fmt.Sprint(want) || len(pages) != 3 {
		t.Fatalf("forward walk %v in %d pages, want %v", forward, len(pages), want)
	}
	if pages[0]["previous"] != nil || pages[1]["previous"] == nil || pages[2]["previous"] == nil || pages[2]["next"] != nil {
		t.Errorf("links: %v", pages)
	}
	// Backward from the last page.
	var backward []string
	prev, _ := pages[2]["previous"].(string)
	for prev != "" {
		page := e.ok(t, e.A, "GET", prev, nil)
		var ids []string
		for _, d := range page["results"].([]any) {
			ids = append(ids, d.(map[string]any)["id"].(string))
		}
		backward = append(ids, backward...)
		prev, _ = page["previous"].(string)
		if len(backward) > 7 {
			t.Fatal("backward pagination does not end")
		}
	}
	if fmt.Sprint(backward) != fmt.Sprint(want[:6]) {
		t.Errorf("backward walk %v, want %v", backward, want[:6])
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=x", "cursor=garbage"} {
		whFieldError(t, e.do(t, &e.A, "GET", "/partners/v2/webhooks/"+sub+"/deliveries?"+q, nil), strings.SplitN(q, "=", 2)[0])
	}
}

// A delivery answered with 400 is not retried; the retry endpoint queues it again at once.
func TestWebhookRetryEndpoint(t *testing.T) {
	e := newWhEnv(t)
	var mu sync.Mutex
	var attempts []string
	status := http.StatusBadRequest
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, r.Header.Get("X-Verigate-Delivery")+"#"+r.Header.Get("X-Verigate-Attempt"))
		w.WriteHeader(status)
	}))
	defer rcv.Close()
	sub := e.subscribe(t, e.A, rcv.URL, map[string]any{"events": []string{"verifications.updated"}})["id"].(string)
	other := e.subscribe(t, e.A, rcv.URL, map[string]any{"events": []string{"verifications.creation_failed"}})["id"].(string)
	verif := e.orderFor(t, e.A)
	e.drain(t)
	e.advance(48 * time.Hour)
	e.drain(t)
	list := e.ok(t, e.A, "GET", "/partners/v2/webhooks/"+sub+"/deliveries", nil)["results"].([]any)
	if len(list) != 1 {
		t.Fatalf("deliveries %v", list)
	}
	d := list[0].(map[string]any)
	id := d["id"].(string)
	if d["state"] != "failed" || d["attempts"] != float64(1) || d["last_status_code"] != float64(400) || d["next_attempt_at"] != nil ||
		d["delivered_at"] != nil || d["verification"] != verif || !strings.Contains(fmt.Sprint(d["last_error"]), "400") {
		t.Fatalf("after a 400: %v", d)
	}
	if len(attempts) != 1 || attempts[0] != id+"#1" {
		t.Fatalf("attempts %v", attempts)
	}
	// The creation_failed-only subscription got nothing for an order.
	if got := e.ok(t, e.A, "GET", "/partners/v2/webhooks/"+other+"/deliveries", nil)["results"].([]any); len(got) != 0 {
		t.Errorf("a subscription got an event it did not ask for: %v", got)
	}

	// Not found: unknown, malformed, or another subscription's delivery.
	for _, p := range []string{
		"/partners/v2/webhooks/" + sub + "/deliveries/0196f0a0-0000-7000-8000-000000000001/retry",
		"/partners/v2/webhooks/" + sub + "/deliveries/not-a-uuid/retry",
		"/partners/v2/webhooks/" + other + "/deliveries/" + id + "/retry",
	} {
		if r := e.do(t, &e.A, "POST", p, nil); r.status != http.StatusNotFound {
			t.Errorf("POST %s: %s", p, r)
		}
	}
	if r := e.do(t, &e.A, "GET", "/partners/v2/webhooks/"+sub+"/deliveries/"+id+"/retry", nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET retry: %s", r)
	}

	status = http.StatusOK
	got := e.ok(t, e.A, "POST", "/partners/v2/webhooks/"+sub+"/deliveries/"+strings.ToUpper(id)+"/retry", nil)
	if got["id"] != id || got["state"] != "pending" || got["attempts"] != float64(1) || got["next_attempt_at"] != "2025-06-03T12:00:00.000Z" {
		t.Fatalf("retry answered %v", got)
	}
	e.drain(t)
	if len(attempts) != 2 || attempts[1] != id+"#2" {
		t.Fatalf("attempts after the retry %v", attempts)
	}
	got = e.ok(t, e.A, "GET", "/partners/v2/webhooks/"+sub+"/deliveries", nil)["results"].([]any)[0].(map[string]any)
	if got["state"] != "delivered" || got["attempts"] != float64(2) || got["last_status_code"] != float64(200) ||
		got["delivered_at"] != "2025-06-03T12:00:00.000Z" || got["next_attempt_at"] != nil || got["last_error"] != nil {
		t.Errorf("after the retry: %v", got)
	}
	// A delivered delivery may be sent again on request.
	e.ok(t, e.A, "POST", "/partners/v2/webhooks/"+sub+"/deliveries/"+id+"/retry", nil)
	e.drain(t)
	if len(attempts) != 3 || attempts[2] != id+"#3" {
		t.Errorf("attempts after retrying a delivered delivery %v", attempts)
	}
}

// Retrying a delivery whose attempt is in flight leaves that attempt's lease
// alone, so no second worker sends it at the same time.
func TestWebhookRetryWhileInFlight(t *testing.T) {
	e := newWhEnv(t)
	sub := e.subscribe(t, e.A, "http://127.0.0.1:9/h", nil)["id"].(string)
	e.orderFor(t, e.A)
	ctx := context.Background()
	now := e.clock()
	d, _, ok, err := e.app.Store.ClaimDelivery(ctx, now, now.Add(30*time.Second))
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	e.ok(t, e.A, "POST", "/partners/v2/webhooks/"+sub+"/deliveries/"+d.ID+"/retry", nil)
	if _, _, again, err := e.app.Store.ClaimDelivery(ctx, now, now.Add(30*time.Second)); err != nil || again {
		t.Fatalf("the delivery was claimed twice while its attempt was in flight (%v)", err)
	}
	// The in-flight attempt can still record its outcome.
	d.State, d.DeliveredAt, d.LeaseUntil = store.DeliveryDelivered, &now, now
	if err := e.app.Store.FinishDelivery(ctx, d); err != nil {
		t.Fatalf("finish after a retry request: %v", err)
	}
}
