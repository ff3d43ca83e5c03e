package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// hookReceiver records the webhook deliveries a partner's server receives.
type hookReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []hookDelivery
}

type hookDelivery struct {
	body      []byte
	signature string
	msg       map[string]any
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		h.mu.Lock()
		h.got = append(h.got, hookDelivery{body: b, signature: r.Header.Get("X-Argyle-Signature"), msg: m})
		h.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) events() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, d := range h.got {
		out = append(out, d.msg["event"].(string))
	}
	return out
}

// drainHooks runs the webhook dispatcher until nothing is due.
func (e *env) drainHooks(t *testing.T) {
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

// connectThroughPages opens Link at start over HTTP and walks its pages as a
// person would: sign in as a sandbox user (start names one item, so Link
// opens at its sign-in) and enter the MFA code.
func (e *env) connectThroughPages(t *testing.T, start, username, password, code string) {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) string {
		resp, err := noRedirect.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
		}
		return string(b)
	}
	post := func(u string, form url.Values) {
		resp, err := noRedirect.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 400 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("POST %s: %d %s", u, resp.StatusCode, b)
		}
	}
	csrfOf := func(page string) string {
		const marker = `name="csrf" value="`
		i := strings.Index(page, marker)
		if i < 0 {
			t.Fatalf("no CSRF field in %s", page)
		}
		rest := page[i+len(marker):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	resp, err := noRedirect.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s: %d", start, resp.StatusCode)
	}
	link := resp.Header.Get("Location")
	page := get(link)
	post(link+"/signin", url.Values{"csrf": {csrfOf(page)}, "username": {username}, "password": {password}})
	page = get(link)
	post(link+"/mfa", url.Values{"csrf": {csrfOf(page)}, "code": {code}})
}

// TestV2ClientFlow runs the whole integration a client of the platform's
// /v2 API makes, in its order and with its requests: webhooks with
// days_synced, a user, a user token, employer search, a connection through
// the pages, the data-sync webhooks, reads of every resource, and the
// account's deletion.
func TestV2ClientFlow(t *testing.T) {
	e := newEnv(t)
	k := e.A
	hooks := newHookReceiver(t)
	const secret = "client-webhook-secret"
	events := []string{"identities.added", "paystubs.partially_synced", "accounts.connected", "users.fully_synced", "paystubs.fully_synced", "accounts.updated"}
	sub := e.ok(t, k, "POST", "/v2/webhooks", map[string]any{"events": events, "name": "client", "url": hooks.srv.URL, "config": nil, "secret": secret})
	e.ok(t, k, "POST", "/v2/webhooks", map[string]any{"events": []string{"paystubs.partially_synced"}, "name": "client-90", "url": hooks.srv.URL,
		"config": map[string]any{"days_synced": 90}, "secret": secret})
	listed := e.ok(t, k, "GET", "/v2/webhooks", nil)["results"].([]any)
	found := false
	for _, s := range listed {
		s := s.(map[string]any)
		if s["id"] == sub["id"] {
			found = jsonString(s["events"]) == jsonString(events)
		}
	}
	if !found {
		t.Fatalf("the subscription is not listed with its events in order: %s", jsonString(listed))
	}

	created := e.ok(t, k, "POST", "/v2/users", map[string]any{"external_id": "case-1234"})
	user := created["id"].(string)
	if created["user_token"] == "" {
		t.Fatalf("POST /v2/users: %v", created)
	}
	tok, _ := e.ok(t, k, "POST", "/v2/user-tokens", map[string]any{"user": user})["user_token"].(string)
	if tok == "" {
		t.Fatal("no user token")
	}
	search := e.ok(t, k, "GET", "/v2/employer-search?q=Whole&status=healthy&status=issues", nil)["results"].([]any)
	if len(search) == 0 {
		t.Fatal("employer search found nothing")
	}
	item := search[0].(map[string]any)["id"].(string)

	// Link opened with the user token: one item, so it opens at the sign-in.
	e.connectThroughPages(t, e.srv.URL+"/link/"+tok+"?items="+item, "test_1", "passgood", "8081")
	for {
		did, err := e.app.Aggregator.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			break
		}
	}
	e.drainHooks(t)

	got := hooks.events()
	if len(got) == 0 {
		t.Fatal("no webhook delivered")
	}
	for _, d := range hooks.got {
		m := hmac.New(sha512.New, []byte(secret))
		m.Write(d.body)
		if d.signature != hex.EncodeToString(m.Sum(nil)) {
			t.Fatalf("delivery %s: bad signature", d.body)
		}
	}
	index := func(name string) int {
		for i, n := range got {
			if n == name {
				return i
			}
		}
		t.Fatalf("no %s among %v", name, got)
		return -1
	}
	if !(index("accounts.connected") < index("paystubs.partially_synced") && index("paystubs.partially_synced") < index("paystubs.fully_synced") &&
		index("paystubs.fully_synced") < index("users.fully_synced")) {
		t.Fatalf("events out of order: %v", got)
	}
	var account string
	for _, d := range hooks.got {
		data, _ := d.msg["data"].(map[string]any)
		switch d.msg["event"] {
		case "users.fully_synced":
			conn := get(d.msg, "data.resource.accounts_connected")
			if jsonString(conn) == "null" {
				t.Errorf("users.fully_synced without data.resource.accounts_connected: %s", d.body)
			}
		case "paystubs.partially_synced":
			if data["days_synced"] == nil || data["account"] == nil || data["user"] != user {
				t.Errorf("paystubs.partially_synced payload: %s", d.body)
			}
		case "accounts.connected":
			account, _ = data["account"].(string)
		}
	}
	if account == "" {
		t.Fatal("accounts.connected named no account")
	}

	accts := e.ok(t, k, "GET", "/v2/accounts?user="+user+"&item="+item, nil)["results"].([]any)
	if len(accts) != 1 || accts[0].(map[string]any)["id"] != account {
		t.Fatalf("accounts: %s", jsonString(accts))
	}
	e.ok(t, k, "GET", "/v2/accounts/"+account, nil)
	ids := e.ok(t, k, "GET", "/v2/identities?user="+user+"&limit=10", nil)["results"].([]any)
	if len(ids) != 1 {
		t.Fatalf("identities: %s", jsonString(ids))
	}
	var stubs []any
	next := "/v2/paystubs?user=" + user + "&limit=200"
	for next != "" {
		page := e.ok(t, k, "GET", next, nil)
		stubs = append(stubs, page["results"].([]any)...)
		next, _ = page["next"].(string)
		next = strings.TrimPrefix(next, e.srv.URL)
	}
	if len(stubs) < 20 {
		t.Fatalf("paystubs: %d", len(stubs))
	}
	for _, path := range []string{"/v2/employments?user=" + user, "/v2/payroll-documents?user=" + user, "/v2/deposit-destinations?user=" + user} {
		e.ok(t, k, "GET", path, nil)
	}

	if r := e.call(t, k, "DELETE", "/v2/accounts/"+account, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE account: %s", r)
	}
	if r := e.call(t, k, "GET", "/v2/accounts/"+account, nil); r.Status != http.StatusNotFound {
		t.Fatalf("the deleted account: %s", r)
	}
	if left := e.ok(t, k, "GET", "/v2/paystubs?user="+user, nil)["results"].([]any); len(left) != 0 {
		t.Fatalf("%d paystubs left after the account was deleted", len(left))
	}
}

// TestV2CreateUserWithoutBody: clients create a user with no body at all
// (every field is optional), with or without a JSON content type.
func TestV2CreateUserWithoutBody(t *testing.T) {
	e := newEnv(t)
	for _, ct := range []string{"-", "application/json"} {
		got := e.send(t, req{key: &e.A, method: "POST", path: "/v2/users", body: "", contentType: ct})
		if got.Status != http.StatusOK {
			t.Errorf("POST /v2/users with no body (Content-Type %s): %s", ct, got)
		}
	}
}
