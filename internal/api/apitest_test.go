package api_test

// The harness every API test uses: a real SQLite store in t.TempDir(), the
// real router and auth behind an httptest.Server whose URL is the public URL
// (so next/previous and session links can be followed), an injectable clock,
// and two sandbox partners (A and B) plus a production key of A.

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
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"verigate/internal/api"
	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/gigsandbox"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/server"
	"verigate/internal/store"
	"verigate/internal/verification"
	"verigate/internal/verification/verificationtest"
)

// contractPath is the reference contract, relative to this package's directory.
const contractPath = "../../../shared/reference/partners-v2-openapi.yaml"

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	timestampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

// ---- clock ----

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// ---- environment ----

// key is an API key the tests authenticate with.
type key struct {
	ID, Secret, Client, Partner string
	Env                         store.Environment
}

type env struct {
	app    *server.App
	srv    *httptest.Server
	clock  *clock
	dbPath string
	// A and B are sandbox partners; AProd is a production key of partner A.
	A, B, AProd key
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, filepath.Join(t.TempDir(), "verigate.db"))
}

// newEnvOn is newEnv on the database at dbPath (an SQLite file, or a
// postgres:// URL, for which counts does not work).
func newEnvOn(t testing.TB, dbPath string, mods ...func(*server.Options)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, dbPath)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	var handler http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	// Production keys are served by the sandbox too, configured explicitly:
	// these tests are about tenancy, and internal/server tests environments.
	sandbox := map[string]datasource.Connector{"payroll": payrollsandbox.New(), "banking": banksandbox.New(), "gig": gigsandbox.New()}
	opts := server.Options{
		PublicURL: srv.URL, Now: clk.Now,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Connectors: datasource.Registry{Sandbox: sandbox, Production: sandbox},
	}
	for _, mod := range mods {
		mod(&opts)
	}
	app, err := server.New(ctx, st, opts)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	handler = app.Handler
	e := &env{app: app, srv: srv, clock: clk, dbPath: dbPath}
	mk := func(name string) key {
		k, err := app.Keys.CreatePartner(ctx, name, "test", store.Sandbox)
		if err != nil {
			t.Fatalf("create partner %s: %v", name, err)
		}
		return key{ID: k.ID, Secret: k.Secret, Client: k.ClientID, Partner: k.PartnerID, Env: k.Environment}
	}
	e.A, e.B = mk("Partner A"), mk("Partner B")
	pk, err := app.Keys.CreateKeyForClient(ctx, e.A.Client, "prod", store.Production)
	if err != nil {
		t.Fatalf("create production key: %v", err)
	}
	e.AProd = key{ID: pk.ID, Secret: pk.Secret, Client: pk.ClientID, Partner: pk.PartnerID, Env: pk.Environment}
	if e.AProd.Partner != e.A.Partner {
		t.Fatalf("production key belongs to partner %s, want %s", e.AProd.Partner, e.A.Partner)
	}
	return e
}

// ---- requests ----

type resp struct {
	Status int
	Header http.Header
	Body   []byte
	method string
	url    string
}

func (r resp) String() string {
	return fmt.Sprintf("%s %s → %d %s", r.method, r.url, r.Status, bytes.TrimSpace(r.Body))
}

// obj decodes the body as a JSON object.
func (r resp) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%s: body is not a JSON object: %v", r, err)
	}
	return m
}

// req describes one request; zero values mean "the usual".
type req struct {
	key    *key
	method string
	path   string // a path, or an absolute URL
	body   any    // nil, string/[]byte (sent raw), or a value sent as JSON
	// contentType overrides application/json; "-" sends none.
	contentType string
	header      map[string]string
	user, pass  string // raw Basic credentials when key is nil and user != ""
}

// send performs r and applies the checks every response must pass: never
// 5xx, always an X-Request-Id, JSON error bodies, and success bodies that
// conform to the contract.
func (e *env) send(t testing.TB, r req) resp {
	t.Helper()
	u := r.path
	if !strings.HasPrefix(u, "http") {
		u = e.srv.URL + u
	}
	var body io.Reader
	ct := "application/json"
	switch b := r.body.(type) {
	case nil:
		ct = ""
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	if r.contentType != "" {
		ct = r.contentType
	}
	hr, err := http.NewRequest(r.method, u, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if ct != "" && ct != "-" {
		hr.Header.Set("Content-Type", ct)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	switch {
	case r.key != nil:
		hr.SetBasicAuth(r.key.ID, r.key.Secret)
	case r.user != "":
		hr.SetBasicAuth(r.user, r.pass)
	}
	hresp, err := e.srv.Client().Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, u, err)
	}
	defer hresp.Body.Close()
	b, err := io.ReadAll(hresp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", r.method, u, err)
	}
	out := resp{Status: hresp.StatusCode, Header: hresp.Header, Body: b, method: r.method, url: u}
	if out.Status >= 500 && !(hr.URL.Path == "/readyz" && out.Status == http.StatusServiceUnavailable) {
		t.Errorf("server error: %s", out)
	}
	if id := out.Header.Get("X-Request-Id"); id == "" {
		t.Errorf("%s: no X-Request-Id", out)
	}
	path := hr.URL.Path
	if !strings.HasPrefix(path, "/connect/") && out.Status != http.StatusNoContent {
		if ct := out.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q, want application/json", out, ct)
		}
		if out.Status >= 400 {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 {
				t.Errorf("%s: error body is not a non-empty JSON object", out)
			}
		}
	}
	if out.Status < 300 && strings.HasPrefix(path, "/partners/v2/") {
		checkContract(t, hr, out)
	}
	if out.Status < 300 && strings.HasPrefix(path, "/v2/") {
		checkV2Contract(t, hr, out)
	}
	return out
}

// call sends method path with body as k.
func (e *env) call(t testing.TB, k key, method, path string, body any) resp {
	t.Helper()
	return e.send(t, req{key: &k, method: method, path: path, body: body})
}

// ok sends a request that must answer 200 and returns its JSON object.
func (e *env) ok(t testing.TB, k key, method, path string, body any) map[string]any {
	t.Helper()
	r := e.call(t, k, method, path, body)
	if r.Status != http.StatusOK {
		t.Fatalf("want 200: %s", r)
	}
	return r.obj(t)
}

// fieldError asserts a 400 with messages for field and returns them.
func fieldError(t testing.TB, r resp, field string) []string {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Errorf("want 400 on %q: %s", field, r)
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Errorf("%s: %v", r, err)
		return nil
	}
	msgs, ok := m[field].([]any)
	if !ok || len(msgs) == 0 {
		t.Errorf("want an error list for %q: %s", field, r)
		return nil
	}
	out := make([]string, 0, len(msgs))
	for _, x := range msgs {
		s, ok := x.(string)
		if !ok || s == "" {
			t.Errorf("%q: message %v is not a non-empty string", field, x)
		}
		out = append(out, s)
	}
	return out
}

// detailOf asserts status and a {"detail": "..."} body, returning the detail.
func detailOf(t testing.TB, r resp, status int) string {
	t.Helper()
	if r.Status != status {
		t.Errorf("want %d: %s", status, r)
		return ""
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Errorf("%s: %v", r, err)
		return ""
	}
	d, ok := m["detail"].(string)
	if !ok || d == "" || len(m) != 1 {
		t.Errorf(`want {"detail": "..."}: %s`, r)
	}
	return d
}

// ---- fixtures ----

func (e *env) createUser(t testing.TB, k key, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"client": k.Client, "first_name": "Jane", "last_name": "Doe"}
	for f, v := range extra {
		body[f] = v
	}
	m := e.ok(t, k, "POST", "/partners/v2/users", body)
	id, _ := m["id"].(string)
	if !uuidRE.MatchString(id) {
		t.Fatalf("created user id %q is not a UUID", id)
	}
	return id
}

func (e *env) order(t testing.TB, k key, user, reportType string) map[string]any {
	t.Helper()
	body := map[string]any{"user": user, "report": map[string]any{"type": reportType}}
	if reportType == "doc-voi-mortgage" {
		body["employments"] = []any{map[string]any{"employer": "Acme", "status": "active", "hire_date": "2020-01-02", "termination_date": nil}}
	}
	return e.ok(t, k, "POST", "/partners/v2/verifications", body)
}

func (e *env) orderID(t testing.TB, k key, user, reportType string) string {
	t.Helper()
	return e.order(t, k, user, reportType)["id"].(string)
}

// advance moves a verification through the status machine, step by step,
// with the event that leads to each status.
func (e *env) advance(t testing.TB, k key, id string, steps ...verification.Status) {
	t.Helper()
	verificationtest.Advance(t, e.app.Verifs, store.Scope{PartnerID: k.Partner, Environment: k.Env}, id, steps...)
}

var (
	stUserSession = verification.Status{State: verification.StateProcessing, Code: verification.CodeUserSessionStarted}
	stAuthed      = verification.Status{State: verification.StateProcessing, Code: verification.CodeAuthenticated}
	stCompleted   = verification.Status{State: verification.StateCompleted, Code: verification.CodeCompleted}
	stDocsProc    = verification.Status{State: verification.StateProcessing, Code: verification.CodeDocumentsProcessing}
	stMoreData    = verification.Status{State: verification.StatePaused, Code: verification.CodeMoreDataRequired}
	stCancelled   = verification.Status{State: verification.StateCancelled, Code: verification.CodeCancelledByClient}
)

// pauseConnection puts a payroll/banking verification into PAUSED/more_data_required.
func (e *env) pauseConnection(t testing.TB, k key, id string) {
	e.advance(t, k, id, stUserSession, stAuthed, stMoreData)
}

// pauseDocuments puts a documents verification into PAUSED/more_data_required.
func (e *env) pauseDocuments(t testing.TB, k key, id string) {
	e.advance(t, k, id, stDocsProc, stMoreData)
}

func (e *env) connectAccount(t testing.TB, user, dataSource string) {
	t.Helper()
	now := e.clock.Now()
	err := e.app.Store.CreateAccount(context.Background(), store.Account{
		ID: store.NewID(), UserID: user, DataSource: dataSource, Item: "item_000000001", Source: "test",
		ConnectionStatus: "connected", CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
}

// counts returns the number of rows of every table that requests write to,
// read through a separate connection to the SQLite file.
func (e *env) counts(t testing.TB) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", e.dbPath)
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	defer db.Close()
	out := map[string]int{}
	for _, table := range []string{"partners", "clients", "api_keys", "users", "verifications", "verification_status_history", "accounts"} {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	// A changed row bumps its version; sum them so updates are seen too.
	for _, table := range []string{"users", "verifications"} {
		var n int
		if err := db.QueryRow("SELECT COALESCE(SUM(version), 0) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("sum versions %s: %v", table, err)
		}
		out[table+".versions"] = n
	}
	return out
}

// unchanged asserts that fn writes nothing to the database.
func (e *env) unchanged(t testing.TB, what string, fn func()) {
	t.Helper()
	before := e.counts(t)
	fn()
	if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("%s wrote to the database: before %v, after %v", what, before, after)
	}
}

// ---- contract ----

var (
	contractOnce sync.Once
	contractDoc  *openapi3.T
	contractErr  error
)

// contract returns the loaded reference contract, or nil when the file is missing.
func contract(t testing.TB) *openapi3.T {
	t.Helper()
	contractOnce.Do(func() {
		if _, err := os.Stat(contractPath); err != nil {
			return
		}
		l := openapi3.NewLoader()
		contractDoc, contractErr = l.LoadFromFile(contractPath)
	})
	if contractErr != nil {
		t.Fatalf("load contract: %v", contractErr)
	}
	return contractDoc
}

// needContract skips a test that is only about the contract when the file is missing.
func needContract(t testing.TB) *openapi3.T {
	t.Helper()
	doc := contract(t)
	if doc == nil {
		t.Skipf("contract checks skipped: %s not found (CI has it beside the repository)", contractPath)
	}
	return doc
}

// findOperation matches a request path against the contract's path templates.
func findOperation(doc *openapi3.T, method, path string) (string, *openapi3.PathItem, *openapi3.Operation, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best string
	var bestItem *openapi3.PathItem
	var bestParams map[string]string
	bestLiterals := -1
	for tmpl, item := range doc.Paths.Map() {
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		params := map[string]string{}
		literals := 0
		match := true
		for i, s := range ts {
			switch {
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
				params[s[1:len(s)-1]] = segs[i]
			case s == segs[i]:
				literals++
			default:
				match = false
			}
		}
		// POST /v2/reports/{type} and GET /v2/reports/{id} match the same
		// paths: of equally literal templates, the one with the method wins.
		better := literals > bestLiterals ||
			literals == bestLiterals && bestItem != nil && bestItem.GetOperation(method) == nil && item.GetOperation(method) != nil
		if match && better {
			best, bestItem, bestParams, bestLiterals = tmpl, item, params, literals
		}
	}
	if bestItem == nil {
		return "", nil, nil, nil
	}
	return best, bestItem, bestItem.GetOperation(method), bestParams
}

var validationOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		openapi3.EnableFormatValidation(),
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)),
	},
}

// contractError validates a success response against the contract's
// response schema for its operation. Routes the contract does not have
// (GET /partners/v2/users/{id}, verigate's addition) are checked against
// the PartnerUser schema.
func contractError(doc *openapi3.T, hr *http.Request, r resp) error {
	if handled, err := verigateAdditionError(hr, r); handled {
		return err // banking_test.go: bank data routes
	}
	tmpl, item, op, params := findOperation(doc, hr.Method, hr.URL.Path)
	if tmpl == "/partners/v2/users/{id}" && hr.Method == http.MethodGet {
		var v any
		if err := json.Unmarshal(r.Body, &v); err != nil {
			return err
		}
		return doc.Components.Schemas["PartnerUser"].Value.VisitJSON(v, append(validationOptions.SchemaValidationOptions, openapi3.VisitAsResponse())...)
	}
	if op == nil {
		for _, addition := range verigateAdditions {
			if strings.HasPrefix(hr.URL.Path, addition) {
				return additionError(hr, r) // verigate's own document, /openapi.yaml
			}
		}
		return fmt.Errorf("no contract operation for %s %s", hr.Method, hr.URL.Path)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: hr, PathParams: params,
			Route: &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: hr.Method, Operation: op},
		},
		Status: r.Status, Header: r.Header, Options: validationOptions,
	}
	in.SetBodyBytes(r.Body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

var (
	ownOnce sync.Once
	ownDoc  *openapi3.T
	ownErr  error
)

// additionError validates a success response of a verigate addition
// against verigate's own document (api.OpenAPI).
func additionError(hr *http.Request, r resp) error {
	ownOnce.Do(func() { ownDoc, ownErr = openapi3.NewLoader().LoadFromData(api.OpenAPI) })
	if ownErr != nil {
		return ownErr
	}
	tmpl, item, op, params := findOperation(ownDoc, hr.Method, hr.URL.Path)
	if op == nil {
		return fmt.Errorf("no operation in openapi.yaml for %s %s", hr.Method, hr.URL.Path)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: hr, PathParams: params,
			Route: &routers.Route{Spec: ownDoc, Path: tmpl, PathItem: item, Method: hr.Method, Operation: op},
		},
		Status: r.Status, Header: r.Header, Options: validationOptions,
	}
	in.SetBodyBytes(r.Body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// verigateAdditions are path prefixes of endpoints the contract does not have.
var verigateAdditions = []string{"/partners/v2/flows", "/partners/v2/experiences", "/partners/v2/api-keys", "/partners/v2/sandbox"}

func checkContract(t testing.TB, hr *http.Request, r resp) {
	t.Helper()
	doc := contract(t)
	if doc == nil {
		return
	}
	if err := contractError(doc, hr, r); err != nil {
		t.Errorf("%s\ndoes not conform to the contract: %v", r, err)
	}
}

// contractExample returns a named example (or the single example when name
// is "") of an operation's request body or 200 response, as plain JSON values.
func contractExample(t testing.TB, doc *openapi3.T, method, path string, response bool, name string) any {
	t.Helper()
	item := doc.Paths.Find(path)
	if item == nil {
		t.Fatalf("contract has no path %s", path)
	}
	op := item.GetOperation(method)
	if op == nil {
		t.Fatalf("contract has no %s %s", method, path)
	}
	var mt *openapi3.MediaType
	if response {
		mt = op.Responses.Status(200).Value.Content.Get("application/json")
	} else {
		mt = op.RequestBody.Value.Content.Get("application/json")
	}
	var v any
	if name == "" {
		v = mt.Example
	} else {
		ex, ok := mt.Examples[name]
		if !ok || ex.Value == nil {
			t.Fatalf("contract has no example %q for %s %s", name, method, path)
		}
		v = ex.Value.Value
	}
	if v == nil {
		t.Fatalf("contract has no example for %s %s", method, path)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

// ---- comparison ----

// diff lists where got differs from want, field by field.
func diff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object %v, got %v", path, w, got)}
		}
		var out []string
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			p := strings.TrimPrefix(path+"."+k, ".")
			switch {
			case !gok:
				out = append(out, fmt.Sprintf("%s: missing (want %v)", p, jsonString(wv)))
			case !wok:
				out = append(out, fmt.Sprintf("%s: unexpected field (got %v)", p, jsonString(gv)))
			default:
				out = append(out, diff(p, wv, gv)...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %s, got %s", path, jsonString(w), jsonString(got))}
		}
		var out []string
		for i := range w {
			out = append(out, diff(fmt.Sprintf("%s.%d", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %s, got %s", path, jsonString(want), jsonString(got))}
		}
		return nil
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// toJSON round-trips v into plain JSON values.
func toJSON(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

// set assigns a value at a dotted path of plain JSON objects.
func set(v any, path string, val any) {
	parts := strings.Split(path, ".")
	m := v.(map[string]any)
	for _, p := range parts[:len(parts)-1] {
		m = m[p].(map[string]any)
	}
	m[parts[len(parts)-1]] = val
}

func get(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// sameAsExample compares a response to a contract example field by field.
// Timestamps (created_at, updated_at) must be well-formed and are then
// taken from the response; every other field, ids included (the caller
// substitutes the real ids into want), must be equal.
func sameAsExample(t testing.TB, want any, got map[string]any, ignore ...string) {
	t.Helper()
	want = toJSON(t, want)
	wm := want.(map[string]any)
	for _, f := range []string{"created_at", "updated_at"} {
		if _, ok := wm[f]; ok {
			s, _ := got[f].(string)
			if !timestampRE.MatchString(s) {
				t.Errorf("%s %q is not RFC 3339 UTC with milliseconds", f, s)
			}
			wm[f] = got[f]
		}
	}
	for _, f := range ignore {
		if get(got, f) == nil {
			t.Errorf("%s missing from the response", f)
		}
		set(wm, f, get(got, f))
	}
	for _, d := range diff("", want, toJSON(t, got)) {
		t.Errorf("differs from the contract example: %s", d)
	}
}
