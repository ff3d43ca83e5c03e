package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/linkflow"
	"verigate/internal/server"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
	"verigate/internal/verification"
)

// The refusals of payroll and banking orders and sessions in an environment
// without a connector, as docs/api.md documents them.
const (
	noPayroll = `{"report.type":["No payroll data source is configured for the production environment; a sandbox key can use the sandbox."]}`
	noBanking = `{"report.type":["No banking data source is configured for the production environment; a sandbox key can use the sandbox."]}`
	noSession = `{"verification":["No payroll data source is configured for the production environment; a sandbox key can use the sandbox."]}`
)

type apiKey struct{ id, secret, client string }

// envs is a wired verigate on a fresh SQLite file with a sandbox key and a
// production key of the same partner.
type envs struct {
	t             *testing.T
	st            *sqlstore.Store
	db            string
	app           *server.App
	srv           *httptest.Server
	sandbox, prod apiKey
}

func newEnvs(t *testing.T, connectors datasource.Registry) *envs {
	t.Helper()
	ctx := context.Background()
	e := &envs{t: t, db: filepath.Join(t.TempDir(), "verigate.db")}
	var err error
	if e.st, err = server.OpenStore(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	var handler http.Handler = http.NotFoundHandler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.app = e.wire(connectors)
	handler = e.app.Handler
	k, err := e.app.Keys.CreatePartner(ctx, "Partner", "sandbox", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	e.sandbox = apiKey{k.ID, k.Secret, k.ClientID}
	pk, err := e.app.Keys.CreateKeyForClient(ctx, k.ClientID, "production", store.Production)
	if err != nil {
		t.Fatal(err)
	}
	e.prod = apiKey{pk.ID, pk.Secret, pk.ClientID}
	return e
}

// wire makes another App over the same store and public URL.
func (e *envs) wire(connectors datasource.Registry) *server.App {
	e.t.Helper()
	app, err := server.New(context.Background(), e.st, server.Options{PublicURL: e.srv.URL,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Connectors: connectors})
	if err != nil {
		e.t.Fatal(err)
	}
	return app
}

func (e *envs) call(k apiKey, method, path string, body any) (int, string) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth(k.id, k.secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, strings.TrimSpace(string(out))
}

func (e *envs) ok(k apiKey, method, path string, body any) map[string]any {
	e.t.Helper()
	status, out := e.call(k, method, path, body)
	if status != http.StatusOK {
		e.t.Fatalf("%s %s: %d %s", method, path, status, out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *envs) user(k apiKey) string {
	e.t.Helper()
	return e.ok(k, "POST", "/partners/v2/users", map[string]any{"client": k.client, "first_name": "Jane", "last_name": "Doe"})["id"].(string)
}

func (e *envs) order(k apiKey, user, typ string) string {
	e.t.Helper()
	return e.ok(k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": typ}})["id"].(string)
}

// open opens a session link as the borrower's browser does.
func (e *envs) open(link string) session.Claims {
	e.t.Helper()
	c, err := e.app.Sessions.Open(strings.TrimPrefix(link, e.srv.URL+"/connect/"))
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.Flow.Open(context.Background(), c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// rows counts the rows of the tables an order or a session could write.
func (e *envs) rows() map[string]int {
	e.t.Helper()
	db, err := sql.Open("sqlite", e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int{}
	for _, table := range []string{"verifications", "verification_status_history", "webhook_events", "accounts", "account_refreshes", "connect_sessions"} {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// counting serves a data source through another connector under its own
// catalog and counts what it is asked to do.
type counting struct {
	datasource.Connector
	catalog             datasource.Catalog
	signIns, aggregates atomic.Int32
}

func (c *counting) Catalog() datasource.Catalog { return c.catalog }

func (c *counting) SignIn(ctx context.Context, itemID string, cred datasource.Credentials) (datasource.SignInResult, error) {
	c.signIns.Add(1)
	return c.Connector.SignIn(ctx, itemID, cred)
}

func (c *counting) Aggregate(ctx context.Context, conn datasource.Connection) (datasource.Data, error) {
	c.aggregates.Add(1)
	return c.Connector.Aggregate(ctx, conn)
}

// countingBank is counting for a bank, with its own institutions.
type countingBank struct {
	*counting
	institutions *datasource.InstitutionCatalog
}

func (c *countingBank) Institutions() *datasource.InstitutionCatalog { return c.institutions }

// productionConnectors returns a payroll connector whose only item is
// item_000000001 named "Production Employer", and a bank connector whose
// only institution is ins_000000001 named "Production Bank"; both connect
// through the sandbox underneath.
func productionConnectors() (*counting, *countingBank) {
	payroll := &counting{Connector: payrollsandbox.New(), catalog: datasource.NewStaticCatalog([]datasource.Item{{
		ID: "item_000000001", Name: "Production Employer", Kind: datasource.KindEmployer,
		Status: datasource.StatusHealthy, MappingStatus: datasource.MappingVerified}})}
	inst := datasource.NewInstitutionCatalog([]datasource.Institution{{ID: "ins_000000001", Name: "Production Bank",
		ChildInstitutions: []string{}}})
	bank := &countingBank{counting: &counting{Connector: banksandbox.New(), catalog: inst.Items()}, institutions: inst}
	return payroll, bank
}

func TestEnvironmentNames(t *testing.T) {
	if string(store.Sandbox) != datasource.EnvSandbox || string(store.Production) != datasource.EnvProduction {
		t.Fatalf("store environments %q, %q differ from datasource's %q, %q",
			store.Sandbox, store.Production, datasource.EnvSandbox, datasource.EnvProduction)
	}
}

// By default nothing serves production: payroll and banking orders,
// refreshes and sessions of a production key are refused at once and write
// nothing, while its documents orders and the sandbox key work as before.
func TestProductionRefusedWithoutConnector(t *testing.T) {
	e := newEnvs(t, datasource.Registry{})
	user := e.user(e.prod)
	before := e.rows()
	for _, tc := range []struct{ path, typ, want string }{
		{"/partners/v2/verifications", "voie", noPayroll},
		{"/partners/v2/verifications", "voe", noPayroll},
		{"/partners/v2/verifications", "voa", noBanking},
		{"/partners/v2/verifications", "voi", noBanking},
		{"/partners/v2/verifications/refresh", "voie", noPayroll},
		{"/partners/v2/verifications/refresh", "voai", noBanking},
	} {
		status, body := e.call(e.prod, "POST", tc.path, map[string]any{"user": user, "report": map[string]any{"type": tc.typ}})
		if status != http.StatusBadRequest || body != tc.want {
			t.Errorf("%s %s: %d %s; want 400 %s", tc.path, tc.typ, status, body, tc.want)
		}
	}
	if after := e.rows(); !equalCounts(before, after) {
		t.Errorf("refused orders wrote rows: %v → %v", before, after)
	}
	if got := e.ok(e.prod, "GET", "/partners/v2/verifications", nil)["results"].([]any); len(got) != 0 {
		t.Errorf("production lists %d verifications", len(got))
	}

	// A production payroll verification made while a connector was
	// configured gets no session once none is.
	prodPayroll, _ := productionConnectors()
	configured := e.wire(datasource.Registry{Production: map[string]datasource.Connector{"payroll": prodPayroll}})
	p, err := configured.Keys.Authenticate(context.Background(), e.prod.id, e.prod.secret)
	if err != nil {
		t.Fatal(err)
	}
	var in verification.OrderInput
	if err := json.Unmarshal([]byte(`{"user": "`+user+`", "report": {"type": "voie"}}`), &in); err != nil {
		t.Fatal(err)
	}
	v, err := configured.Verifs.Order(context.Background(), p, in)
	if err != nil {
		t.Fatal(err)
	}
	before = e.rows()
	status, body := e.call(e.prod, "POST", "/partners/v2/sessions", map[string]any{"verification": v.ID})
	if status != http.StatusBadRequest || body != noSession {
		t.Errorf("production session: %d %s; want 400 %s", status, body, noSession)
	}
	if after := e.rows(); !equalCounts(before, after) {
		t.Errorf("the refused session wrote rows: %v → %v", before, after)
	}
	// A link made then shows no sandbox item now.
	var sin session.CreateInput
	if err := json.Unmarshal([]byte(`{"verification": "`+v.ID+`"}`), &sin); err != nil {
		t.Fatal(err)
	}
	sv, err := configured.Sessions.Create(context.Background(), p, sin)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := e.app.Sessions.Open(strings.TrimPrefix(sv.Link, e.srv.URL+"/connect/"))
	if err != nil {
		t.Fatal(err)
	}
	if items, err := e.app.Flow.Items(context.Background(), claims, "", 0); err == nil || len(items) != 0 {
		t.Errorf("production link without a connector lists %d items, %v", len(items), err)
	}
	res, err := http.Get(sv.Link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "This connection is not available yet") || strings.Contains(string(page), "Whole Goods") || strings.Contains(string(page), sandboxdata.PasswordGood) {
		t.Errorf("production link page: %d %s", res.StatusCode, page)
	}

	// Documents need no connector; the sandbox key is served by the sandbox.
	e.ok(e.prod, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "doc-voi-mortgage"},
		"employments": []any{map[string]any{"employer": "Acme", "status": "active", "hire_date": "2020-01-02"}}})
	sandboxV := e.order(e.sandbox, e.user(e.sandbox), "voie")
	s := e.ok(e.sandbox, "POST", "/partners/v2/sessions", map[string]any{"verification": sandboxV})
	items, err := e.app.Flow.Items(context.Background(), e.open(s["link"].(string)), "", 1)
	if err != nil || len(items) != 1 || items[0].Name != "Whole Goods" {
		t.Errorf("sandbox items %+v, %v", items, err)
	}
}

func equalCounts(a, b map[string]int) bool {
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	return len(a) == len(b)
}

// connect drives a session link as the borrower would: choose the item,
// sign in without a code and, for a bank, share every account.
func (e *envs) connect(link, item, login string) {
	e.t.Helper()
	ctx := context.Background()
	c := e.open(link)
	if _, err := e.app.Flow.Select(ctx, c, item); err != nil {
		e.t.Fatal(err)
	}
	st, err := e.app.Flow.SignIn(ctx, c, datasource.Credentials{Username: login, Password: sandboxdata.PasswordNoMFA})
	if err != nil {
		e.t.Fatal(err)
	}
	if st.Session.Stage == linkflow.StageAccounts {
		var ids []string
		for _, a := range st.Accounts {
			ids = append(ids, a.ID)
		}
		if st, err = e.app.Flow.Share(ctx, c, ids); err != nil {
			e.t.Fatal(err)
		}
	}
	if st.Session.Stage != linkflow.StageConnecting {
		e.t.Fatalf("connected session at stage %q (%s)", st.Session.Stage, st.Session.ErrorCode)
	}
	if found, err := e.app.Aggregator.RunOnce(ctx); !found || err != nil {
		e.t.Fatalf("aggregation: found %v, %v", found, err)
	}
}

// report returns the JSON report of a completed verification.
func (e *envs) report(k apiKey, id string) string {
	e.t.Helper()
	v := e.ok(k, "GET", "/partners/v2/verifications/"+id, nil)
	if state := v["status"].(map[string]any)["state"]; state != "COMPLETED" {
		e.t.Fatalf("verification %s is %v", id, state)
	}
	status, body := e.call(k, "GET", strings.TrimPrefix(v["report"].(map[string]any)["json_url"].(string), e.srv.URL), nil)
	if status != http.StatusOK {
		e.t.Fatalf("report: %d %s", status, body)
	}
	return body
}

func (e *envs) itemNames(link string) []string {
	e.t.Helper()
	items, err := e.app.Flow.Items(context.Background(), e.open(link), "", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, it := range items {
		names = append(names, it.Name)
	}
	return names
}

// Connectors configured for production serve production tenants, in the
// link pages, the aggregation and the report; sandbox tenants keep the
// sandbox.
func TestProductionConnectorServesProduction(t *testing.T) {
	payroll, bank := productionConnectors()
	e := newEnvs(t, datasource.Registry{Production: map[string]datasource.Connector{"payroll": payroll, "banking": bank}})

	// Session items are checked against the environment's catalog.
	pv := e.order(e.prod, e.user(e.prod), "voie")
	sv := e.order(e.sandbox, e.user(e.sandbox), "voie")
	only := func(item string) map[string]any {
		return map[string]any{"items": []string{item}}
	}
	if status, body := e.call(e.prod, "POST", "/partners/v2/sessions", map[string]any{"verification": pv, "configuration": only("item_000000002")}); status != http.StatusBadRequest ||
		body != `{"configuration.items":["Unknown item ids: item_000000002."]}` {
		t.Errorf("production session for a sandbox-only item: %d %s", status, body)
	}
	e.ok(e.sandbox, "POST", "/partners/v2/sessions", map[string]any{"verification": sv, "configuration": only("item_000000002")})

	// Production payroll: the production catalog, sign-in and aggregation.
	link := e.ok(e.prod, "POST", "/partners/v2/sessions", map[string]any{"verification": pv})["link"].(string)
	if got := e.itemNames(link); strings.Join(got, "|") != "Production Employer" {
		t.Errorf("production payroll items %q", got)
	}
	e.connect(link, "item_000000001", "test_1")
	if payroll.signIns.Load() != 1 || payroll.aggregates.Load() != 1 {
		t.Errorf("production payroll connector: %d sign-ins, %d aggregations; want 1, 1", payroll.signIns.Load(), payroll.aggregates.Load())
	}
	e.report(e.prod, pv)

	// Sandbox payroll: the sandbox catalog, then the gig sandbox's
	// platforms; the production connector is not asked.
	link = e.ok(e.sandbox, "POST", "/partners/v2/sessions", map[string]any{"verification": sv})["link"].(string)
	if got := e.itemNames(link); len(got) != 58+6 || got[0] != "Whole Goods" || got[58] != "Hopwell Rides" {
		t.Errorf("sandbox payroll items %q", got)
	}
	e.connect(link, "item_000000001", "test_1")
	e.report(e.sandbox, sv)
	if payroll.signIns.Load() != 1 || payroll.aggregates.Load() != 1 {
		t.Errorf("a sandbox connection used the production connector: %d sign-ins, %d aggregations", payroll.signIns.Load(), payroll.aggregates.Load())
	}

	// Banking: each environment's institutions name the report's institution.
	for _, tc := range []struct {
		name      string
		k         apiKey
		want, not string
		signIns   int32
	}{
		{"production", e.prod, "Production Bank", "Harborview National Bank", 1},
		{"sandbox", e.sandbox, "Harborview National Bank", "Production Bank", 1},
	} {
		v := e.order(tc.k, e.user(tc.k), "voa")
		link := e.ok(tc.k, "POST", "/partners/v2/sessions", map[string]any{"verification": v})["link"].(string)
		if got := e.itemNames(link); got[0] != tc.want || strings.Contains(strings.Join(got, "|"), tc.not) {
			t.Errorf("%s institutions %q", tc.name, got)
		}
		e.connect(link, "ins_000000001", "test_2")
		var names []string
		institutionNames(decodeJSON(t, e.report(tc.k, v)), &names)
		if len(names) == 0 || strings.Join(names, "|") != strings.Repeat("|"+tc.want, len(names))[1:] {
			t.Errorf("%s report's institution names %q; want only %q", tc.name, names, tc.want)
		}
		if bank.signIns.Load() != tc.signIns || bank.aggregates.Load() != tc.signIns {
			t.Errorf("%s: production bank connector: %d sign-ins, %d aggregations; want %d", tc.name, bank.signIns.Load(), bank.aggregates.Load(), tc.signIns)
		}
	}
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// institutionNames collects every institution_name in a decoded report.
func institutionNames(v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "institution_name" {
				*out = append(*out, s)
			}
			institutionNames(x, out)
		}
	case []any:
		for _, x := range v {
			institutionNames(x, out)
		}
	}
}

// Sandbox orders are taken as before even for a data source the sandbox
// has no connector for; only production refuses them.
func TestSandboxOrdersWithoutConnector(t *testing.T) {
	e := newEnvs(t, datasource.Registry{Sandbox: map[string]datasource.Connector{"payroll": payrollsandbox.New()}})
	v := e.order(e.sandbox, e.user(e.sandbox), "voa")
	e.ok(e.sandbox, "POST", "/partners/v2/sessions", map[string]any{"verification": v})
	if status, body := e.call(e.prod, "POST", "/partners/v2/verifications", map[string]any{"user": e.user(e.prod), "report": map[string]any{"type": "voa"}}); status != http.StatusBadRequest || body != noBanking {
		t.Errorf("production banking order: %d %s", status, body)
	}
}
