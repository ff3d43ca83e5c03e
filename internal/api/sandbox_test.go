package api_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/usertoken"
	"verigate/internal/value"
)

// onBothDatabases runs fn on SQLite and, when VERIGATE_TEST_POSTGRES_URL is
// set, on PostgreSQL.
func onBothDatabases(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv("VERIGATE_TEST_POSTGRES_URL") == "" {
			t.Skip("VERIGATE_TEST_POSTGRES_URL is not set")
		}
		db, _ := fuzzDB(t)
		fn(t, newEnvOn(t, db))
	})
}

// linkOf creates a session for a new verification of k and returns its token.
func (e *env) linkOf(t *testing.T, k key) string {
	t.Helper()
	id := e.orderID(t, k, e.createUser(t, k, nil), "voie")
	link := e.ok(t, k, "POST", "/partners/v2/sessions", map[string]any{"verification": id})["link"].(string)
	return strings.TrimPrefix(link, e.srv.URL+"/connect/")
}

func TestSandboxLifetimesAndClock(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		got := e.ok(t, e.A, "GET", "/partners/v2/sandbox/settings", nil)
		if got["link_lifetime_seconds"] != nil || got["user_token_lifetime_seconds"] != nil || got["clock_offset_seconds"] != 0.0 ||
			got["now"] != e.clock.Now().Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("defaults: %v", got)
		}
		got = e.ok(t, e.A, "PATCH", "/partners/v2/sandbox/settings", map[string]any{"link_lifetime_seconds": 60, "user_token_lifetime_seconds": 30})
		if got["link_lifetime_seconds"] != 60.0 || got["user_token_lifetime_seconds"] != 30.0 {
			t.Fatalf("after PATCH: %v", got)
		}
		// The /v2 surface serves the same settings.
		if v2 := e.ok(t, e.A, "GET", "/v2/sandbox/settings", nil); v2["link_lifetime_seconds"] != 60.0 {
			t.Errorf("/v2: %v", v2)
		}

		linkA, linkB := e.linkOf(t, e.A), e.linkOf(t, e.B)
		userA := e.createUser(t, e.A, nil)
		tokA := e.ok(t, e.A, "POST", "/v2/user-tokens", map[string]any{"user": userA})["user_token"].(string)
		userB := e.createUser(t, e.B, nil)
		tokB := e.ok(t, e.B, "POST", "/v2/user-tokens", map[string]any{"user": userB})["user_token"].(string)
		e.clock.Advance(29 * time.Second)
		if _, err := e.app.Users.ForToken(ctx, tokA); err != nil {
			t.Errorf("A's token after 29 s: %v", err)
		}
		e.clock.Advance(time.Second)
		if _, err := e.app.Users.ForToken(ctx, tokA); !errors.Is(err, usertoken.ErrExpired) {
			t.Errorf("A's 30-second token after 30 s: %v, want expired", err)
		}
		if _, err := e.app.Sessions.Open(linkA); err != nil {
			t.Errorf("A's link after 30 s: %v", err)
		}
		e.clock.Advance(30 * time.Second)
		if _, err := e.app.Sessions.Open(linkA); !errors.Is(err, session.ErrExpired) {
			t.Errorf("A's 60-second link after 60 s: %v, want expired", err)
		}
		// B keeps the defaults: an hour.
		if _, err := e.app.Sessions.Open(linkB); err != nil {
			t.Errorf("B's link after 60 s: %v", err)
		}
		if _, err := e.app.Users.ForToken(ctx, tokB); err != nil {
			t.Errorf("B's token after 60 s: %v", err)
		}

		// B moves its clock two hours ahead: its link and token expire, A's clock does not move.
		got = e.ok(t, e.B, "PATCH", "/partners/v2/sandbox/settings", map[string]any{"advance_clock_seconds": 7200})
		if got["clock_offset_seconds"] != 7200.0 || got["now"] != e.clock.Now().Add(2*time.Hour).Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("B's clock: %v", got)
		}
		if _, err := e.app.Sessions.Open(linkB); !errors.Is(err, session.ErrExpired) {
			t.Errorf("B's link two hours later on B's clock: %v, want expired", err)
		}
		if _, err := e.app.Users.ForToken(ctx, tokB); !errors.Is(err, usertoken.ErrExpired) {
			t.Errorf("B's token two hours later on B's clock: %v, want expired", err)
		}
		if a := e.ok(t, e.A, "GET", "/partners/v2/sandbox/settings", nil); a["clock_offset_seconds"] != 0.0 {
			t.Errorf("A's clock moved with B's: %v", a)
		}
		// A link made on B's moved clock lives its hour from then.
		linkB2 := e.linkOf(t, e.B)
		e.clock.Advance(59 * time.Minute)
		if _, err := e.app.Sessions.Open(linkB2); err != nil {
			t.Errorf("a link made on the moved clock: %v", err)
		}
		// null returns a lifetime to its default; the offset can be set back to 0.
		got = e.ok(t, e.A, "PATCH", "/partners/v2/sandbox/settings", map[string]any{"link_lifetime_seconds": nil})
		if got["link_lifetime_seconds"] != nil || got["user_token_lifetime_seconds"] != 30.0 {
			t.Errorf("after null: %v", got)
		}
		if got = e.ok(t, e.B, "PATCH", "/partners/v2/sandbox/settings", map[string]any{"clock_offset_seconds": 0}); got["clock_offset_seconds"] != 0.0 {
			t.Errorf("reset: %v", got)
		}
	})
}

func TestSandboxSettingsBadInput(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, e *env) {
		before := e.ok(t, e.A, "GET", "/partners/v2/sandbox/settings", nil)
		for _, c := range []struct {
			body  any
			field string
		}{
			{map[string]any{"link_lifetime_seconds": 5}, "link_lifetime_seconds"},
			{map[string]any{"link_lifetime_seconds": 3601}, "link_lifetime_seconds"},
			{map[string]any{"user_token_lifetime_seconds": "30"}, "user_token_lifetime_seconds"},
			{map[string]any{"clock_offset_seconds": -1}, "clock_offset_seconds"},
			{map[string]any{"clock_offset_seconds": nil}, "clock_offset_seconds"},
			{map[string]any{"clock_offset_seconds": 1e12}, "clock_offset_seconds"},
			{map[string]any{"advance_clock_seconds": -60}, "advance_clock_seconds"},
			{map[string]any{"advance_clock_seconds": 60, "clock_offset_seconds": 60}, "advance_clock_seconds"},
			{map[string]any{"clock_offset_seconds": 1.5}, "clock_offset_seconds"},
		} {
			r := e.call(t, e.A, "PATCH", "/partners/v2/sandbox/settings", c.body)
			if msgs := fieldError(t, r, c.field); len(msgs) == 0 {
				t.Errorf("%v: %s", c.body, r)
			}
		}
		if r := e.call(t, e.A, "PATCH", "/partners/v2/sandbox/settings", "[1]"); r.Status != http.StatusBadRequest {
			t.Errorf("a list body: %s", r)
		}
		if after := e.ok(t, e.A, "GET", "/partners/v2/sandbox/settings", nil); jsonString(after) != jsonString(before) {
			t.Errorf("refused requests changed the settings: %v", after)
		}
	})
}

// TestSandboxRefusesProductionKeys: every control answers 403 to a
// production key, and changes nothing.
func TestSandboxRefusesProductionKeys(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, e *env) {
		id := "01970000-0000-7000-8000-000000000001"
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/partners/v2/sandbox/settings", nil},
			{"PATCH", "/partners/v2/sandbox/settings", map[string]any{"clock_offset_seconds": 60}},
			{"GET", "/v2/sandbox/settings", nil},
			{"POST", "/partners/v2/sandbox/webhooks/" + id + "/test", map[string]any{"event": "verifications.updated"}},
			{"POST", "/v2/sandbox/accounts/" + id + "/paystubs", map[string]any{"count": 1}},
		} {
			r := e.call(t, e.AProd, c.method, c.path, c.body)
			if d := detailOf(t, r, http.StatusForbidden); !strings.Contains(d, "sandbox API keys") {
				t.Errorf("%s %s with a production key: %s", c.method, c.path, r)
			}
		}
		if got := e.ok(t, e.A, "GET", "/partners/v2/sandbox/settings", nil); got["clock_offset_seconds"] != 0.0 {
			t.Errorf("a production key moved the sandbox clock: %v", got)
		}
		if r := e.send(t, req{method: "GET", path: "/partners/v2/sandbox/settings"}); r.Status != http.StatusUnauthorized {
			t.Errorf("no credentials: %s", r)
		}
	})
}

func TestSandboxFireWebhook(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, e *env) {
		hooks := newHookReceiver(t)
		sub := e.ok(t, e.A, "POST", "/v2/webhooks", map[string]any{"events": []string{"paystubs.added", "accounts.updated"},
			"name": "client", "url": hooks.srv.URL, "secret": "s3cret"})["id"].(string)
		other := e.ok(t, e.A, "POST", "/v2/webhooks", map[string]any{"events": []string{"paystubs.added"},
			"name": "other", "url": hooks.srv.URL})["id"].(string)
		got := e.ok(t, e.A, "POST", "/partners/v2/sandbox/webhooks/"+sub+"/test", map[string]any{"event": "paystubs.added"})
		if got["event"] != "paystubs.added" || got["subscription"] != sub || get(got, "data.test") != true {
			t.Fatalf("test event: %v", got)
		}
		e.drainHooks(t)
		hooks.mu.Lock()
		deliveries := append([]hookDelivery(nil), hooks.got...)
		hooks.mu.Unlock()
		if len(deliveries) != 1 {
			t.Fatalf("%d deliveries, want 1 (to the one subscription asked for, not to %s)", len(deliveries), other)
		}
		d := deliveries[0]
		if d.msg["event"] != "paystubs.added" || get(d.msg, "data.test") != true || d.signature == "" {
			t.Errorf("delivery %s, signature %q", d.body, d.signature)
		}
		for _, c := range []struct {
			k      key
			id     string
			body   any
			status int
			field  string
		}{
			{e.A, sub, map[string]any{"event": "verifications.updated"}, 400, "event"}, // not one of its events
			{e.A, sub, map[string]any{}, 400, "event"},
			{e.A, sub, map[string]any{"event": 7}, 400, "event"},
			{e.B, sub, map[string]any{"event": "paystubs.added"}, 404, ""}, // another partner's subscription
			{e.A, "01970000-0000-7000-8000-000000000001", map[string]any{"event": "paystubs.added"}, 404, ""},
			{e.A, "not-a-uuid", map[string]any{"event": "paystubs.added"}, 404, ""},
		} {
			r := e.call(t, c.k, "POST", "/partners/v2/sandbox/webhooks/"+c.id+"/test", c.body)
			if r.Status != c.status || (c.field != "" && len(fieldError(t, r, c.field)) == 0) {
				t.Errorf("%v on %s: %s", c.body, c.id, r)
			}
		}
	})
}

func TestSandboxAddPaystubs(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		hooks := newHookReceiver(t)
		e.ok(t, e.A, "POST", "/v2/webhooks", map[string]any{"events": []string{"paystubs.added"}, "name": "added", "url": hooks.srv.URL})
		id := e.orderID(t, e.A, e.createUser(t, e.A, nil), "voie")
		acct := e.connectSandbox(t, e.A, id, "item_000000001") // Bob: biweekly
		e.aggregateAll(t)
		e.drainHooks(t)
		hooks.mu.Lock()
		hooks.got = nil
		hooks.mu.Unlock()
		before, _ := e.app.Store.AccountRecords(ctx, acct.ID, store.RecordPaystub)
		var latest value.Date
		for _, r := range before {
			if d, _ := value.ParseDate(r.Date); d.After(latest) {
				latest = d
			}
		}

		got := e.ok(t, e.A, "POST", "/partners/v2/sandbox/accounts/"+acct.ID+"/paystubs", map[string]any{"count": 2})
		dates, _ := got["pay_dates"].([]any)
		if len(dates) != 2 || got["aggregation"] != "pending" || got["account"] != acct.ID {
			t.Fatalf("add paystubs: %v", got)
		}
		first, _ := value.ParseDate(dates[0].(string))
		second, _ := value.ParseDate(dates[1].(string))
		if !first.After(latest) || second.Time().Sub(first.Time()) != 14*24*time.Hour {
			t.Errorf("new paydays %s, %s after the latest %s: want the next two biweekly ones", first, second, latest)
		}
		now, _ := time.Parse(time.RFC3339, got["now"].(string))
		if value.DateOf(now) != second {
			t.Errorf("the tenant's clock is %s, want the last new payday %s", now, second)
		}
		// Until the worker has fetched them, the account is pending: no second request.
		if r := e.call(t, e.A, "POST", "/partners/v2/sandbox/accounts/"+acct.ID+"/paystubs", map[string]any{}); len(fieldError(t, r, "account")) == 0 {
			t.Errorf("while pending: %s", r)
		}
		if n := e.aggregateAll(t); n != 1 {
			t.Fatalf("aggregated %d accounts, want 1", n)
		}
		after, _ := e.app.Store.AccountRecords(ctx, acct.ID, store.RecordPaystub)
		added := map[string]bool{}
		for _, r := range after {
			if d, _ := value.ParseDate(r.Date); d.After(latest) {
				added[r.Date] = true
			}
		}
		if len(added) != 2 || !added[first.String()] || !added[second.String()] {
			t.Errorf("stored new paystubs %v, want %s and %s", added, first, second)
		}
		e.drainHooks(t)
		if evs := hooks.events(); len(evs) != 1 || evs[0] != "paystubs.added" {
			t.Errorf("webhooks after adding paystubs: %v", evs)
		}
		// The other tenant's clock did not move.
		if b := e.ok(t, e.B, "GET", "/partners/v2/sandbox/settings", nil); b["clock_offset_seconds"] != 0.0 {
			t.Errorf("B's clock: %v", b)
		}
		for _, c := range []struct {
			k     key
			id    string
			body  any
			want  int
			field string
		}{
			{e.A, acct.ID, map[string]any{"count": 0}, 400, "count"},
			{e.A, acct.ID, map[string]any{"count": 13}, 400, "count"},
			{e.A, acct.ID, map[string]any{"count": "2"}, 400, "count"},
			{e.A, acct.ID, map[string]any{"count": nil}, 400, "count"},
			{e.B, acct.ID, map[string]any{"count": 1}, 404, ""},
			{e.A, "01970000-0000-7000-8000-000000000001", map[string]any{"count": 1}, 404, ""},
		} {
			r := e.call(t, c.k, "POST", "/partners/v2/sandbox/accounts/"+c.id+"/paystubs", c.body)
			if r.Status != c.want || (c.field != "" && len(fieldError(t, r, c.field)) == 0) {
				t.Errorf("%v: %s", c.body, r)
			}
		}
	})
}

func TestLandingPage(t *testing.T) {
	e := newEnv(t)
	get := func(path string) (int, string, string) {
		r, err := e.srv.Client().Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, r.Header.Get("Content-Type"), string(b)
	}
	status, ct, page := get("/")
	if status != http.StatusOK || !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET /: %d %s", status, ct)
	}
	for _, want := range []string{"verigate", `href="/healthz"`, `href="/readyz"`, `href="/openapi.yaml"`, `href="/docs/sandbox.md"`,
		`href="/docs/reports.md"`, `href="/docs/architecture.md"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the landing page lacks %s", want)
		}
	}
	for _, tenant := range []string{"Partner A", "Partner B", e.A.Partner, e.B.Partner, e.A.Client, e.A.ID} {
		if strings.Contains(page, tenant) {
			t.Errorf("the landing page names a tenant: %s", tenant)
		}
	}
	if status, ct, doc := get("/docs/sandbox.md"); status != http.StatusOK || !strings.HasPrefix(ct, "text/markdown") || !strings.HasPrefix(doc, "# Sandbox") {
		t.Errorf("GET /docs/sandbox.md: %d %s", status, ct)
	}
	for _, bad := range []string{"/docs/nope.md", "/docs/docs.go", "/docs/..%2fgo.mod", "/nothing-here"} {
		if r := e.send(t, req{method: "GET", path: bad}); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %s", bad, r)
		}
	}
	if r := e.send(t, req{method: "POST", path: "/"}); r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %s", r)
	}
}
