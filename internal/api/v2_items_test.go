package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"verigate/internal/datasource"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/logo"
	"verigate/internal/server"
)

func ids(t *testing.T, page map[string]any) []string {
	t.Helper()
	var out []string
	for _, r := range page["results"].([]any) {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

func TestV2ItemsAndEmployerSearch(t *testing.T) {
	e := newEnv(t)
	first := e.ok(t, e.A, "GET", "/v2/items", nil)
	if got := ids(t, first); len(got) != 10 || got[0] != "item_000000001" || first["next"] == nil {
		t.Fatalf("first page = %v", got)
	}
	// Bank institutions (kind bank) are not items of this API.
	all := e.ok(t, e.A, "GET", "/v2/items?limit=200", nil)
	for _, r := range all["results"].([]any) {
		if k := r.(map[string]any)["kind"]; k == "bank" {
			t.Fatalf("a bank is listed: %v", r)
		}
	}
	// Walking forwards then backwards gives the same pages.
	second := e.ok(t, e.A, "GET", first["next"].(string), nil)
	back := e.ok(t, e.A, "GET", second["previous"].(string), nil)
	if g, w := ids(t, back), ids(t, first); len(g) != len(w) || g[0] != w[0] || g[9] != w[9] {
		t.Errorf("previous of the second page = %v, want %v", g, w)
	}
	if ids(t, second)[0] != "item_000000011" {
		t.Errorf("second page = %v", ids(t, second))
	}

	// A search ranks matches and scores them.
	s := e.ok(t, e.A, "GET", "/v2/items?q=mart", nil)["results"].([]any)
	if len(s) < 2 || s[0].(map[string]any)["name"] != "Mart Foods" || s[0].(map[string]any)["matching_score"] == nil {
		t.Errorf("q=mart = %v", s)
	}
	if got := ids(t, e.ok(t, e.A, "GET", "/v2/items?id=item_000000002,item_000000003&id=item_000000004", nil)); len(got) != 3 {
		t.Errorf("by ids = %v", got)
	}
	gig := e.ok(t, e.A, "GET", "/v2/items?kind=gig&limit=200", nil)["results"].([]any)
	for _, r := range gig {
		if r.(map[string]any)["kind"] != "gig" {
			t.Errorf("kind=gig lists %v", r)
		}
	}
	if len(gig) == 0 {
		t.Error("no gig items")
	}
	// Two payroll items and one gig platform are not healthy.
	for _, q := range []string{"status=issues,unavailable", "status=issues&status=unavailable"} {
		if got := ids(t, e.ok(t, e.A, "GET", "/v2/items?"+q, nil)); strings.Join(got, " ") != "item_000000049 item_000000058 item_000100006" {
			t.Errorf("%s = %v", q, got)
		}
	}

	item := e.ok(t, e.A, "GET", "/v2/items/item_000000001", nil)
	if item["features"] == nil || item["status"] != "healthy" || item["known_limitations"] == nil {
		t.Errorf("item = %v", item)
	}
	detailOf(t, e.call(t, e.A, "GET", "/v2/items/item_999999999", nil), http.StatusNotFound)

	emp := e.ok(t, e.A, "GET", "/v2/employer-search?q=whole&status=healthy&status=issues&limit=5", nil)["results"].([]any)
	if len(emp) != 1 || len(emp[0].(map[string]any)) != 6 || emp[0].(map[string]any)["name"] != "Whole Goods" {
		t.Errorf("employer search = %v", emp)
	}

	for _, c := range []struct{ q, field string }{
		{"status=broken", "status"}, {"kind=bank", "kind"}, {"mapping_status=x", "mapping_status"}, {"limit=201", "limit"},
		{"limit=0", "limit"}, {"cursor=zzz", "cursor"}, {"min_matching_score=0.5", "min_matching_score"},
		{"q=a&min_matching_score=2", "min_matching_score"}, {"filter_set=nope", "filter_set"},
		{"filter_set=0190a0c2-1111-7000-8000-000000000001", "filter_set"},
	} {
		fieldError(t, e.call(t, e.A, "GET", "/v2/items?"+c.q, nil), c.field)
	}
	fieldError(t, e.call(t, e.A, "GET", "/v2/employer-search?status=nope", nil), "status")
}

// TestV2ItemsEveryConnector: the catalog is every connector the
// environment has; production without connectors lists nothing.
func TestV2ItemsEveryConnector(t *testing.T) {
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gig := datasource.NewStaticCatalog([]datasource.Item{{ID: "item_gig_000001", Name: "Zoomcart Gig", Kind: datasource.KindGig,
		Status: datasource.StatusHealthy, MappingStatus: datasource.MappingVerified, LogoURL: "https://logos.example/z.png"}})
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	app, err := server.New(ctx, st, server.Options{PublicURL: srv.URL, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Connectors: datasource.Registry{Sandbox: map[string]datasource.Connector{"payroll": payrollsandbox.New(), "gig": catalogOnly{gig}}}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = app.Handler
	e := &env{app: app, srv: srv}
	k, err := app.Keys.CreatePartner(ctx, "P", "test", "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	sb := key{ID: k.ID, Secret: k.Secret, Client: k.ClientID, Partner: k.PartnerID, Env: k.Environment}
	pk, err := app.Keys.CreateKeyForClient(ctx, k.ClientID, "prod", "production")
	if err != nil {
		t.Fatal(err)
	}
	prod := key{ID: pk.ID, Secret: pk.Secret, Client: pk.ClientID, Partner: pk.PartnerID, Env: pk.Environment}

	got := e.ok(t, sb, "GET", "/v2/items?q=zoomcart", nil)["results"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["logo_url"] != "https://logos.example/z.png" {
		t.Errorf("gig item search = %v", got)
	}
	if it := e.ok(t, sb, "GET", "/v2/items/item_gig_000001", nil); it["kind"] != "gig" {
		t.Errorf("gig item = %v", it)
	}
	if got := e.ok(t, prod, "GET", "/v2/items", nil)["results"].([]any); len(got) != 0 {
		t.Errorf("production without connectors lists %d items", len(got))
	}
	if got := e.ok(t, prod, "GET", "/v2/employer-search?q=whole", nil)["results"].([]any); len(got) != 0 {
		t.Errorf("production employer search = %v", got)
	}
	detailOf(t, e.call(t, prod, "GET", "/v2/items/item_000000001", nil), http.StatusNotFound)
}

// catalogOnly is a connector that only has a catalog.
type catalogOnly struct{ c datasource.Catalog }

func (c catalogOnly) Catalog() datasource.Catalog { return c.c }
func (catalogOnly) SignIn(context.Context, string, datasource.Credentials) (datasource.SignInResult, error) {
	return datasource.SignInResult{}, datasource.ErrInvalidCredentials
}
func (catalogOnly) Verify(context.Context, datasource.Challenge, string) (datasource.Connection, error) {
	return datasource.Connection{}, datasource.ErrInvalidCredentials
}
func (catalogOnly) Aggregate(context.Context, datasource.Connection) (datasource.Data, error) {
	return datasource.Data{}, datasource.ErrInvalidCredentials
}

func TestV2ItemFilters(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"name": "Key paystub fields", "filters": map[string]any{
		"status":         map[string]any{"eq": "healthy"},
		"field_coverage": map[string]any{"paystubs": map[string]any{"gross_pay": map[string]any{"supported": map[string]any{"eq": true}}}},
	}}
	f := e.ok(t, e.A, "POST", "/v2/item-filters", body)
	id := f["id"].(string)
	if f["name"] != "Key paystub fields" || !uuidRE.MatchString(id) {
		t.Fatalf("created %v", f)
	}
	got := e.ok(t, e.A, "GET", "/v2/item-filters/"+id, nil)
	if got["filters"].(map[string]any)["status"].(map[string]any)["eq"] != "healthy" {
		t.Errorf("filter = %v", got)
	}
	healthy := ids(t, e.ok(t, e.A, "GET", "/v2/items?limit=200&filter_set="+id, nil))
	allPage := e.ok(t, e.A, "GET", "/v2/items?limit=200", nil)
	all, gigs := ids(t, allPage), 0
	for _, r := range allPage["results"].([]any) {
		if r.(map[string]any)["kind"] == "gig" && strings.HasPrefix(r.(map[string]any)["id"].(string), "item_0001") {
			gigs++ // the gig sandbox's platforms report no paystubs
		}
	}
	if gigs == 0 || len(healthy) != len(all)-2-gigs {
		t.Errorf("the filter keeps %d of %d items (%d gig platforms), want all but the 2 unhealthy payroll items and the gig platforms", len(healthy), len(all), gigs)
	}
	// Replace keeps the id; a filter no item passes lists nothing.
	rep := e.ok(t, e.A, "PUT", "/v2/item-filters/"+id, map[string]any{"name": "none", "filters": map[string]any{
		"field_coverage": map[string]any{"paystubs": map[string]any{"no_such_field": map[string]any{"supported": true}}}}})
	if rep["id"] != id || rep["name"] != "none" {
		t.Errorf("replaced = %v", rep)
	}
	if got := ids(t, e.ok(t, e.A, "GET", "/v2/items?filter_set="+id, nil)); len(got) != 0 {
		t.Errorf("an unsatisfiable filter lists %v", got)
	}
	if l := e.ok(t, e.A, "GET", "/v2/item-filters", nil)["results"].([]any); len(l) != 1 {
		t.Errorf("list = %v", l)
	}
	// Other tenants see nothing.
	detailOf(t, e.call(t, e.B, "GET", "/v2/item-filters/"+id, nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.AProd, "PUT", "/v2/item-filters/"+id, map[string]any{"name": "x"}), http.StatusNotFound)
	fieldError(t, e.call(t, e.B, "GET", "/v2/items?filter_set="+id, nil), "filter_set")
	if l := e.ok(t, e.B, "GET", "/v2/item-filters", nil)["results"].([]any); len(l) != 0 {
		t.Errorf("B lists %v", l)
	}
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{}, "name"},
		{map[string]any{"name": " "}, "name"},
		{map[string]any{"name": "x", "filters": "no"}, "filters"},
		{map[string]any{"name": "x", "filters": map[string]any{"colour": 1}}, "filters.colour"},
		{map[string]any{"name": "x", "filters": map[string]any{"status": map[string]any{"eq": "fine"}}}, "filters.status.eq"},
		{map[string]any{"name": "x", "filters": map[string]any{"field_coverage": map[string]any{"pets": map[string]any{}}}}, "filters.field_coverage.pets"},
		{map[string]any{"name": "x", "filters": map[string]any{"field_coverage": map[string]any{"paystubs": map[string]any{"gross_pay": map[string]any{"supported": map[string]any{"gt": true}}}}}}, "filters.field_coverage.paystubs.gross_pay.supported"},
	} {
		fieldError(t, e.call(t, e.A, "POST", "/v2/item-filters", c.body), c.field)
	}
	if r := e.call(t, e.A, "DELETE", "/v2/item-filters/"+id, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %s", r)
	}
	detailOf(t, e.call(t, e.A, "GET", "/v2/item-filters/"+id, nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.A, "DELETE", "/v2/item-filters/"+id, nil), http.StatusNotFound)
	detailOf(t, e.call(t, e.A, "GET", "/v2/item-filters/x", nil), http.StatusNotFound)
}

// TestV2ItemLogos: an item whose data source gives no logo gets the URL of
// its drawn tile, which anyone can load (an <img> sends no credentials):
// the item's initials on its colour, the same as the Link pages draw.
func TestV2ItemLogos(t *testing.T) {
	e := newEnv(t)
	want := e.srv.URL + fmt.Sprintf("/logos/%d/WG.svg", logo.Colour("Whole Goods"))
	found := e.ok(t, e.A, "GET", "/v2/employer-search?q=whole", nil)["results"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["logo_url"] != want {
		t.Fatalf("employer search = %v, want logo_url %s", found, want)
	}
	if got := e.ok(t, e.A, "GET", "/v2/items/item_000000001", nil)["logo_url"]; got != want {
		t.Errorf("item logo_url = %v, want %s", got, want)
	}
	for _, it := range e.ok(t, e.A, "GET", "/v2/items?limit=200", nil)["results"].([]any) {
		if u, _ := it.(map[string]any)["logo_url"].(string); !strings.HasPrefix(u, e.srv.URL+"/logos/") {
			t.Errorf("item %v has logo_url %q", it.(map[string]any)["id"], u)
		}
	}

	res, err := http.Get(want)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: %d %v", want, res.StatusCode, res.Header)
	}
	c := logo.Colour("Whole Goods")
	if !strings.Contains(string(body), `fill="`+logo.Palette[c]+`"`) || !strings.Contains(string(body), ">WG</text>") {
		t.Errorf("tile = %s", body)
	}

	for _, p := range []string{"/logos/8/WG.svg", "/logos/5/wg.svg", "/logos/5/WG.png", "/logos/5/WGX.svg", "/logos/5/",
		"/logos/5/WG.svg/x", "/logos/5/%3Cb%3E.svg"} {
		res, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s: %d %s %s", p, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
}
