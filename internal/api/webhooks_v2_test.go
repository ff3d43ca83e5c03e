package api_test

// /v2 webhooks: subscriptions, and the account, data and user events a
// connection and its data syncs raise, delivered by the dispatcher.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/webhook"
)

func TestV2WebhookSubscriptions(t *testing.T) {
	e := newEnv(t)
	k := e.A
	created := e.ok(t, k, "POST", "/v2/webhooks", map[string]any{
		"events": []string{"paystubs.partially_synced", "accounts.added", "paystubs.partially_synced"},
		"name":   "sync", "url": "https://hooks.example.com/a", "secret": "s3cret",
		"config": map[string]any{"include_resource": true, "days_synced": 90},
	})
	id := created["id"].(string)
	if got := jsonString(created["events"]); got != `["paystubs.partially_synced","accounts.added"]` {
		t.Errorf("events %s", got)
	}
	if jsonString(created["config"]) != `{"days_synced":90,"include_resource":true}` || created["secret"] != nil ||
		created["name"] != "sync" || created["url"] != "https://hooks.example.com/a" || created["created_at"] != created["updated_at"] {
		t.Errorf("created %s", jsonString(created))
	}
	if got := e.ok(t, k, "GET", "/v2/webhooks/"+id, nil); jsonString(got) != jsonString(created) {
		t.Errorf("get %s, want %s", jsonString(got), jsonString(created))
	}
	plain := e.ok(t, k, "POST", "/v2/webhooks", map[string]any{"events": []string{"users.fully_synced"}, "name": "n", "url": "http://127.0.0.1:9/x"})
	if jsonString(plain["config"]) != `{}` {
		t.Errorf("config without options: %s", jsonString(plain["config"]))
	}
	// A subscription made on /partners/v2 is the same kind of record: /v2 lists it.
	partners := e.ok(t, k, "POST", "/partners/v2/webhooks", map[string]any{"events": []string{"verifications.updated"}, "name": "p", "url": "https://hooks.example.com/p"})
	var listed []string
	for _, s := range e.walkData(t, k, "/v2/webhooks?limit=1") {
		listed = append(listed, s["id"].(string))
	}
	if want := []string{partners["id"].(string), plain["id"].(string), id}; !slices.Equal(listed, want) {
		t.Errorf("listed %v, want newest first %v", listed, want)
	}
	if got := e.walkData(t, e.B, "/v2/webhooks"); len(got) != 0 {
		t.Errorf("partner B sees %d subscriptions", len(got))
	}
	if r := e.call(t, e.B, "GET", "/v2/webhooks/"+id, nil); r.Status != http.StatusNotFound {
		t.Errorf("B gets A's subscription: %s", r)
	}
	if r := e.call(t, e.B, "DELETE", "/v2/webhooks/"+id, nil); r.Status != http.StatusNotFound {
		t.Errorf("B deletes A's subscription: %s", r)
	}
	if r := e.call(t, k, "DELETE", "/v2/webhooks/"+id, nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Errorf("delete: %s", r)
	}
	if r := e.call(t, k, "GET", "/v2/webhooks/"+id, nil); r.Status != http.StatusNotFound {
		t.Errorf("after delete: %s", r)
	}
	if r := e.call(t, k, "GET", "/v2/webhooks/not-a-uuid", nil); r.Status != http.StatusNotFound {
		t.Errorf("bad id: %s", r)
	}
}

func TestV2WebhookValidation(t *testing.T) {
	e := newEnv(t)
	k := e.A
	base := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"events": []string{"paystubs.partially_synced"}, "name": "n", "url": "https://hooks.example.com"}
		mod(m)
		return m
	}
	for _, c := range []struct {
		field string
		body  any
	}{
		{"events", base(func(m map[string]any) { m["events"] = []string{"users.created"} })},
		{"events", base(func(m map[string]any) { m["events"] = []string{} })},
		{"events", base(func(m map[string]any) { delete(m, "events") })},
		{"name", base(func(m map[string]any) { m["name"] = "  " })},
		{"url", base(func(m map[string]any) { m["url"] = "ftp://x" })},
		{"config.days_synced", base(func(m map[string]any) { m["config"] = map[string]any{"days_synced": 0} })},
		{"config.days_synced", base(func(m map[string]any) { m["config"] = map[string]any{"days_synced": webhook.MaxDaysSynced + 1} })},
		{"config.days_synced", map[string]any{"events": []string{"paystubs.fully_synced"}, "name": "n", "url": "https://hooks.example.com",
			"config": map[string]any{"days_synced": 30}}},
	} {
		fieldError(t, e.call(t, k, "POST", "/v2/webhooks", c.body), c.field)
	}
	for _, body := range []any{
		base(func(m map[string]any) { m["config"] = map[string]any{"days_synced": "thirty"} }),
		base(func(m map[string]any) { m["config"] = map[string]any{"days_synced": 1.5} }),
		base(func(m map[string]any) { m["config"] = "x" }),
		"{", "[]",
	} {
		if r := e.call(t, k, "POST", "/v2/webhooks", body); r.Status != http.StatusBadRequest {
			t.Errorf("%v: %s", body, r)
		}
	}
	// Production keys may not point at private addresses, as on /partners/v2.
	fieldError(t, e.call(t, e.AProd, "POST", "/v2/webhooks", base(func(m map[string]any) { m["url"] = "http://10.0.0.1/x" })), "url")
	// The partners surface keeps its own catalogue.
	fieldError(t, e.call(t, k, "POST", "/partners/v2/webhooks", map[string]any{"events": []string{"accounts.added"}, "name": "n", "url": "https://hooks.example.com"}), "events")
	if got := e.walkData(t, k, "/v2/webhooks"); len(got) != 0 {
		t.Errorf("refused subscriptions were stored: %d", len(got))
	}
	// null means not given, as the platform's clients send it.
	for _, mod := range []func(map[string]any){
		func(m map[string]any) { m["secret"], m["config"] = nil, nil },
		func(m map[string]any) { m["config"] = map[string]any{"days_synced": nil, "include_resource": nil} },
	} {
		got := e.ok(t, k, "POST", "/v2/webhooks", base(mod))
		if got["secret"] != nil || len(got["config"].(map[string]any)) != 0 {
			t.Errorf("nulls stored as %v", got)
		}
	}
}

// delivery is one webhook a receiver got.
type delivery struct {
	path, event, signature string
	body                   []byte
	msg                    map[string]any
}

type receiver struct {
	mu  sync.Mutex
	got []delivery
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	rc.mu.Lock()
	rc.got = append(rc.got, delivery{path: r.URL.Path, event: r.Header.Get(webhook.HeaderEvent), signature: r.Header.Get(webhook.HeaderSignature), body: b, msg: m})
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) take() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.got
	rc.got = nil
	return out
}

func (e *env) drainWebhooks(t *testing.T) {
	t.Helper()
	for range 500 {
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

func dataKeys(d delivery) string {
	var keys []string
	for k := range d.msg["data"].(map[string]any) {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}

// TestV2DataSyncWebhooks connects a sandbox payroll account through the
// session link flow with subscriptions for days_synced 30 and 365, and
// checks the events the connection and its staged retrieval deliver, then
// those of a refresh that finds new paystubs.
func TestV2DataSyncWebhooks(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	// The sandbox generates data as of the test clock's date.
	e.app.Aggregator.Connectors.Sandbox["payroll"].(*payrollsandbox.Connector).Now = e.clock.Now
	rc := &receiver{}
	hooks := httptest.NewServer(rc)
	t.Cleanup(hooks.Close)
	e.ok(t, k, "POST", "/v2/webhooks", map[string]any{
		"events": []string{"accounts.added", "accounts.connected", "identities.added", "paystubs.partially_synced",
			"paystubs.fully_synced", "paystubs.added", "users.fully_synced"},
		"name": "thirty", "url": hooks.URL + "/30", "secret": "secret-30",
		"config": map[string]any{"include_resource": true, "days_synced": 30},
	})
	e.ok(t, k, "POST", "/v2/webhooks", map[string]any{
		"events": []string{"paystubs.partially_synced"}, "name": "year", "url": hooks.URL + "/365", "secret": "secret-365",
		"config": map[string]any{"days_synced": 365},
	})
	e.ok(t, k, "POST", "/v2/webhooks", map[string]any{
		"events": []string{"reports.ready", "reports.generated"}, "name": "reports", "url": hooks.URL + "/reports", "secret": "secret-r",
	})
	secrets := map[string]string{"/30": "secret-30", "/365": "secret-365", "/reports": "secret-r"}

	user := e.createUser(t, k, nil)
	v := e.orderID(t, k, user, "voie")
	link := e.ok(t, k, "POST", "/partners/v2/sessions", map[string]any{"verification": v})["link"].(string)
	claims, err := e.app.Sessions.Open(link[strings.LastIndex(link, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.Open(ctx, claims); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.Select(ctx, claims, "item_000000001"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Flow.SignIn(ctx, claims, datasource.Credentials{Username: "test_1", Password: sandboxdata.PasswordGood}); err != nil {
		t.Fatal(err)
	}
	st, err := e.app.Flow.Verify(ctx, claims, "8081")
	if err != nil {
		t.Fatal(err)
	}
	account := st.Session.AccountID
	if did, err := e.app.Aggregator.RunOnce(ctx); !did || err != nil {
		t.Fatalf("aggregate: %v, %v", did, err)
	}
	e.drainWebhooks(t)
	got := rc.take()

	var seq []string
	for _, d := range got {
		name := d.event
		if n, ok := d.msg["data"].(map[string]any)["days_synced"]; ok {
			name += "(" + jsonString(n) + ")"
		}
		seq = append(seq, d.path+" "+name)
		if d.msg["event"] != d.event || (d.path == "/30" && d.msg["name"] != "thirty") || (d.path == "/365" && d.msg["name"] != "year") ||
			(d.path == "/reports" && d.msg["name"] != "reports") {
			t.Errorf("%s: message %s", d.event, d.body)
		}
		if d.signature != webhook.Sign(secrets[d.path], d.body) {
			t.Errorf("%s %s: signature %q does not sign the body", d.path, d.event, d.signature)
		}
		if d.msg["data"].(map[string]any)["user"] != user {
			t.Errorf("%s: user in %s", d.event, d.body)
		}
	}
	want := []string{
		"/30 accounts.added", "/30 accounts.connected", "/30 identities.added",
		"/30 paystubs.partially_synced(30)", "/365 paystubs.partially_synced(365)",
		"/30 paystubs.fully_synced", "/30 users.fully_synced", "/reports reports.ready",
	}
	if !slices.Equal(seq, want) {
		t.Fatalf("deliveries\n%s\nwant\n%s", strings.Join(seq, "\n"), strings.Join(want, "\n"))
	}
	byName := map[string]delivery{}
	for i, d := range got {
		byName[want[i]] = d
	}
	for name, keys := range map[string]string{
		"/30 accounts.added":                  "account,resource,user",
		"/30 accounts.connected":              "account,resource,user",
		"/30 identities.added":                "account,identity,user",
		"/30 paystubs.partially_synced(30)":   "account,available_count,available_from,available_to,days_synced,user",
		"/365 paystubs.partially_synced(365)": "account,available_count,available_from,available_to,days_synced,user",
		"/30 paystubs.fully_synced":           "account,available_count,available_from,available_to,user",
		"/30 users.fully_synced":              "resource,user",
		"/reports reports.ready":              "accounts,external_id,user",
	} {
		if got := dataKeys(byName[name]); got != keys {
			t.Errorf("%s: data keys %s, want %s", name, got, keys)
		}
	}
	data := func(name string) map[string]any { return byName[name].msg["data"].(map[string]any) }
	if data("/30 accounts.added")["account"] != account || get(data("/30 accounts.added"), "resource.id") != account ||
		get(data("/30 accounts.connected"), "resource.connection.status") != "connected" {
		t.Errorf("account events: %s", byName["/30 accounts.added"].body)
	}
	if jsonString(get(data("/30 users.fully_synced"), "resource.accounts_connected")) != jsonString([]string{account}) ||
		get(data("/30 users.fully_synced"), "resource.id") != user {
		t.Errorf("users.fully_synced: %s", byName["/30 users.fully_synced"].body)
	}
	ready := func(d delivery) {
		t.Helper()
		accts, _ := d.msg["data"].(map[string]any)["accounts"].([]any)
		synced, _ := e.ok(t, k, "GET", "/v2/accounts/"+account, nil)["scanned_at"].(string)
		if len(accts) != 1 || jsonString(accts[0]) != jsonString(map[string]any{"id": account, "last_synced_at": synced}) ||
			d.msg["data"].(map[string]any)["external_id"] != nil {
			t.Errorf("reports.ready %s; account %s last synced at %q", d.body, account, synced)
		}
	}
	ready(byName["/reports reports.ready"])
	stubs := e.walkData(t, k, "/partners/v2/paystubs?account="+account+"&limit=200")
	full, p30, p365 := data("/30 paystubs.fully_synced"), data("/30 paystubs.partially_synced(30)"), data("/365 paystubs.partially_synced(365)")
	newest, oldest := stubs[0]["paystub_date"], stubs[len(stubs)-1]["paystub_date"]
	if full["available_count"] != float64(len(stubs)) || full["available_to"] != newest || full["available_from"] != oldest {
		t.Errorf("fully_synced %v; %d paystubs from %v to %v", full, len(stubs), oldest, newest)
	}
	day := func(v any) time.Time {
		d, err := time.Parse(time.RFC3339, v.(string))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		d    map[string]any
		days int
	}{{p30, 30}, {p365, 365}} {
		n := int(c.d["available_count"].(float64))
		if c.d["available_to"] != newest || n < 1 || n >= len(stubs) ||
			day(newest).Sub(day(c.d["available_from"])) > time.Duration(c.days)*24*time.Hour ||
			day(newest).Sub(day(stubs[n]["paystub_date"])) <= time.Duration(c.days)*24*time.Hour {
			t.Errorf("partially_synced(%d): %v", c.days, c.d)
		}
	}
	if p30["available_count"].(float64) >= p365["available_count"].(float64) {
		t.Errorf("30 days hold %v paystubs, 365 days %v", p30["available_count"], p365["available_count"])
	}

	// A refresh five weeks later finds the paystubs paid since.
	before := map[string]bool{}
	for _, s := range stubs {
		before[s["id"].(string)] = true
	}
	e.clock.Advance(35 * 24 * time.Hour)
	e.ok(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "voie"}})
	if did, err := e.app.Aggregator.RunOnce(ctx); !did || err != nil {
		t.Fatalf("refresh: %v, %v", did, err)
	}
	e.drainWebhooks(t)
	after := e.walkData(t, k, "/partners/v2/paystubs?account="+account+"&limit=200")
	var added []map[string]any
	for _, s := range after {
		if !before[s["id"].(string)] {
			added = append(added, s)
		}
	}
	if len(added) == 0 {
		t.Fatal("the refresh found no new paystub")
	}
	got = rc.take()
	// The subscriptions are delivered to independently: sort by path.
	slices.SortStableFunc(got, func(a, b delivery) int { return strings.Compare(a.path, b.path) })
	if len(got) != 2 || got[0].event != "paystubs.added" || got[0].path != "/30" || got[1].event != "reports.ready" || got[1].path != "/reports" {
		var names []string
		for _, d := range got {
			names = append(names, d.path+" "+d.event)
		}
		t.Fatalf("after the refresh: %v", names)
	}
	ready(got[1])
	d := got[0].msg["data"].(map[string]any)
	if dataKeys(got[0]) != "account,added_count,added_from,added_to,available_count,available_from,available_to,user" ||
		d["added_count"] != float64(len(added)) || d["added_to"] != added[0]["paystub_date"] || d["added_from"] != added[len(added)-1]["paystub_date"] ||
		d["available_count"] != float64(len(after)) || d["available_to"] != after[0]["paystub_date"] || d["account"] != account {
		t.Errorf("paystubs.added %s; %d added", got[0].body, len(added))
	}
	if got[0].signature != webhook.Sign("secret-30", got[0].body) {
		t.Error("paystubs.added is not signed")
	}

	// A /v2 report generated from the account is announced with its id.
	rep := e.ok(t, k, "POST", "/v2/reports/voie", map[string]any{"user": user})
	e.drainWebhooks(t)
	got = rc.take()
	if len(got) != 1 || got[0].event != "reports.generated" || got[0].path != "/reports" ||
		jsonString(got[0].msg["data"]) != jsonString(map[string]any{"user": user, "external_id": nil, "type": "voie", "report": rep["id"]}) ||
		got[0].signature != webhook.Sign("secret-r", got[0].body) {
		t.Fatalf("after POST /v2/reports/voie (report %v): %d deliveries %v", rep["id"], len(got), got)
	}
}
