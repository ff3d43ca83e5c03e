package pages_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Plain HTTP tests of the banking pages.

// accountIDs reads the account checkboxes' values from the account choice page.
func accountIDs(t *testing.T, page string) []string {
	t.Helper()
	var ids []string
	for _, m := range regexp.MustCompile(`name="account" value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		t.Fatalf("no account checkboxes in\n%s", page)
	}
	return ids
}

// toAccountChoice takes a banking session through search, sign-in and code
// to the account choice; it returns the CSRF token and the page.
func (f *flow) toAccountChoice(t *testing.T, institution string) (string, string) {
	t.Helper()
	h := f.h
	_, page := h.get(f.base)
	token := csrf(t, page)
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/select", url.Values{"item": {institution}}},
		{"/signin", url.Values{"username": {"test_1"}, "password": {"passgood"}}},
		{"/mfa", url.Values{"code": {"8081"}}},
	} {
		step.form.Set("csrf", token)
		if resp, body := h.post(f.base+step.path, step.form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != f.base {
			t.Fatalf("POST %s: %d %s %s", step.path, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	_, page = h.get(f.base)
	return token, page
}

func TestBankSearchPage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newBankSession(map[string]any{"redirect_url": h.partner.URL + "/return"})
	resp, page := h.get(f.base)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, page)
	}
	wantContains(t, "bank search page", page, "<title>Connect your bank account</title>", "Connect your bank account",
		"Search for your bank or credit union", "Popular banks and credit unions", "Harborview National Bank", ">Bank<")
	if strings.Contains(page, "employer or payroll") || strings.Contains(page, "employers") {
		t.Errorf("the bank search page speaks of payroll:\n%s", page)
	}
	f.wantStatus("PROCESSING/user_session_started")

	// The offline institution is listed as unavailable and cannot be picked.
	_, page = h.get(f.base + "?q=meridian")
	wantContains(t, "search meridian", page, `value="ins_000000024" class="item" disabled aria-label="Meridian Digital Bank (unavailable)"`,
		">Unavailable<", "Results: 1")
	resp, body := h.post(f.base+"/select", url.Values{"csrf": {csrf(t, page)}, "item": {"ins_000000024"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != f.base+"?notice=item_unavailable" {
		t.Fatalf("select offline: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	_, page = h.get(f.base + "?notice=item_unavailable")
	wantContains(t, "page after picking an offline bank", page, "This provider is not available right now.", "Search for your bank")

	// The JSON search has the catalog's Item shape, with the status.
	_, body = h.get(f.base + "/items?q=credit")
	var out struct {
		Results []struct{ ID, Name, Kind, Status string }
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Results) < 7 || out.Results[0].Kind != "bank" {
		t.Errorf("search credit: %+v", out.Results)
	}
	_, body = h.get(f.base + "/items?q=meridian")
	if !strings.Contains(body, `"status":"unavailable"`) {
		t.Errorf("search meridian: %s", body)
	}
	// A payroll item id is no bank.
	resp, _ = h.post(f.base+"/select", url.Values{"csrf": {csrf(t, page)}, "item": {"item_000000001"}})
	if resp.Header.Get("Location") != f.base+"?notice=unknown_item" {
		t.Errorf("select a payroll item: %s", resp.Header.Get("Location"))
	}
	_, page = h.get(f.base + "?notice=unknown_item")
	wantContains(t, "unknown bank notice", page, "That bank is not available in this session.")
}

func TestBankAccountChoice(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newBankSession(map[string]any{"redirect_url": h.partner.URL + "/return?loan=7"})
	token, page := f.toAccountChoice(t, "ins_000000001")
	wantContains(t, "account choice", page, "<title>Choose the accounts to share</title>", "Harborview National Bank",
		"Everyday Checking", "High-Yield Savings", "Checking · <span class=\"mask\">…", "Savings · <span class=\"mask\">…", `type="checkbox"`, "Share selected accounts", "$")
	if strings.Contains(page, "banksandbox") || strings.Contains(page, " checked") {
		t.Errorf("the choice page carries connector state or a preselection:\n%s", page)
	}
	ids := accountIDs(t, page)
	if len(ids) != 2 {
		t.Fatalf("accounts offered: %v", ids)
	}
	f.wantStatus("PROCESSING/user_session_started")

	// No account chosen: an inline error, and nothing connected.
	resp, body := h.post(f.base+"/accounts", url.Values{"csrf": {token}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != f.base {
		t.Fatalf("empty choice: %d %s", resp.StatusCode, body)
	}
	_, page = h.get(f.base)
	wantContains(t, "empty choice", page, `role="alert" id="form-error">Select at least one account to share.`,
		`aria-describedby="form-error"`, "Everyday Checking")
	if strings.Contains(page, "Attempts left") {
		t.Error("an empty choice counts as a failed attempt")
	}
	// An account that was not offered.
	h.post(f.base+"/accounts", url.Values{"csrf": {token}, "account": {ids[0], "9999999999"}})
	_, page = h.get(f.base)
	wantContains(t, "unknown account", page, "Choose from the accounts listed here.")
	// The CSRF token is checked here too.
	for name, form := range map[string]url.Values{
		"missing": {"account": {ids[0]}},
		"wrong":   {"account": {ids[0]}, "csrf": {"nope"}},
	} {
		if resp, body := h.post(f.base+"/accounts", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s CSRF token: %d %s", name, resp.StatusCode, body)
		}
	}
	if n := f.accounts(); n != 0 {
		t.Fatalf("%d accounts before a valid choice", n)
	}
	f.wantStatus("PROCESSING/user_session_started")

	// One of the two.
	if resp, body := h.post(f.base+"/accounts", url.Values{"csrf": {token}, "account": {ids[1]}}); resp.StatusCode != 303 ||
		resp.Header.Get("Location") != f.base {
		t.Fatalf("choice: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	_, page = h.get(f.base)
	wantContains(t, "after the choice", page, "Connecting your account…", "balances and transactions of the accounts you chose")
	f.wantStatus("PROCESSING/authenticated")
	if n := f.accounts(); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
	if items := f.items(); len(items) != 1 || items[0] != "ins_000000001" {
		t.Errorf("items_connected %v", items)
	}
	h.aggregate()
	_, page = h.get(f.base)
	wantContains(t, "done", page, "Your account is connected", "The information of the accounts you chose has been shared with Partner.")
	resp, _ = h.get(f.base + "/exit")
	if got := resp.Header.Get("Location"); got != h.partner.URL+"/return?loan=7&user_submission_complete=true&user_attempted_employer_selection=true" {
		t.Errorf("exit: %s", got)
	}
	// Not single-use: the link still opens (at its end).
	if resp, page := h.get(f.base); resp.StatusCode != 200 || !strings.Contains(page, "Your account is connected") {
		t.Errorf("reopened: %d", resp.StatusCode)
	}
}

func TestBankLeavingBeforeTheChoice(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newBankSession(map[string]any{"redirect_url": "https://partner.example/back"})
	token, _ := f.toAccountChoice(t, "ins_000000002")
	resp, _ := h.get(f.base + "/exit")
	if got := resp.Header.Get("Location"); got != "https://partner.example/back?user_submission_complete=false&user_attempted_employer_selection=true" {
		t.Errorf("exit at the choice: %s", got)
	}
	// Choose another goes back to the search.
	h.post(f.base+"/back", url.Values{"csrf": {token}})
	_, page := h.get(f.base)
	wantContains(t, "after choose another", page, "Search for your bank or credit union")
}

func TestSingleUseLinkRefusesFurtherUse(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newBankSession(map[string]any{"single_use_url": true, "redirect_url": h.partner.URL + "/return",
		"experience": "97f1eccb-241d-4052-8409-fab9e27a589b"})
	other := h.sessionFor(f.verification, f.user, map[string]any{"single_use_url": true})
	token, page := f.toAccountChoice(t, "ins_000000001")
	// Before the connection the link works like any other, reloads included.
	if resp, _ := h.get(f.base); resp.StatusCode != 200 {
		t.Fatalf("reload before connecting: %d", resp.StatusCode)
	}
	resp, body := h.post(f.base+"/accounts", url.Values{"csrf": {token}, "account": {accountIDs(t, page)[0]}})
	cont := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(cont, f.base+"?c=") || len(cont) < len(f.base)+20 {
		t.Fatalf("choice: %d %q %s", resp.StatusCode, cont, body)
	}
	f.wantStatus("PROCESSING/authenticated")
	// Another link of the same verification is not affected.
	if resp, page := h.get(other.base); resp.StatusCode != 200 || !strings.Contains(page, "Search for your bank or credit union") {
		t.Errorf("other link: %d", resp.StatusCode)
	}

	// The flow that connected goes on by its continuation URL.
	resp, page = h.get(cont)
	wantContains(t, "continuation", page, "Connecting your account…", "/status?c=", "/exit?c=")
	if resp.StatusCode != 200 {
		t.Errorf("continuation: %d", resp.StatusCode)
	}
	if resp, body := h.get(strings.Replace(cont, f.base, f.base+"/status", 1)); resp.StatusCode != 200 || !strings.Contains(body, `"connecting"`) {
		t.Errorf("status by the continuation: %d %s", resp.StatusCode, body)
	}
	h.aggregate()
	_, page = h.get(cont)
	wantContains(t, "done by the continuation", page, "Your account is connected", `content="2;url=`+f.base+`/exit?c=`)
	resp, _ = h.get(strings.Replace(cont, f.base, f.base+"/exit", 1))
	if got := resp.Header.Get("Location"); resp.StatusCode != 303 ||
		got != h.partner.URL+"/return?user_submission_complete=true&user_attempted_employer_selection=true" {
		t.Errorf("exit by the continuation: %d %s", resp.StatusCode, got)
	}

	// Everything else is refused with 410, and changes nothing.
	tok := strings.TrimPrefix(f.base, "/connect/")
	for _, path := range []string{f.base, f.base + "?c=forged", f.base + "/status", f.base + "/exit", f.base + "/items?q=a",
		"/connect/" + tok + "?c=" + strings.TrimPrefix(cont, f.base+"?c=") + "x"} {
		resp, body := h.get(path)
		if resp.StatusCode != http.StatusGone {
			t.Errorf("GET %s: %d, want 410", path, resp.StatusCode)
		}
		wantContains(t, path, body, "This link has already been used", "it works only once")
	}
	for _, step := range []string{"/select", "/signin", "/mfa", "/accounts", "/back"} {
		resp, body := h.post(f.base+step, url.Values{"csrf": {token}, "item": {"ins_000000001"}, "account": {"1"}})
		if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This link has already been used") {
			t.Errorf("POST %s: %d, want 410", step, resp.StatusCode)
		}
	}
	if n := f.accounts(); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
	// The experience id is recorded with the session.
	claims, err := h.app.Sessions.Open(tok)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := h.app.Store.ConnectSession(t.Context(), claims.SessionID)
	if err != nil || cs.Experience != "97f1eccb-241d-4052-8409-fab9e27a589b" || cs.UsedAt == nil {
		t.Errorf("connect session row: %v experience %q used %v", err, cs.Experience, cs.UsedAt)
	}
}

func TestBankPagesFollowAcceptLanguage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newBankSession(nil)
	get := func(base, accept string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", h.srv.URL+base, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp, b.String()
	}
	for _, c := range []struct{ accept, lang, title string }{
		{"", "en", "Connect your bank account"},
		{"es-MX,es;q=0.9,en;q=0.8", "es", "Conecte su cuenta bancaria"},
		{"fr-FR, ru;q=0.5, en;q=0.4", "ru", "Подключите банковский счёт"},
		{"zh-TW", "zh-Hans", "关联您的银行账户"},
		{"de, en;q=0", "en", "Connect your bank account"},
		{"en;q=0.5, es;q=0.7", "es", "Conecte su cuenta bancaria"},
	} {
		resp, page := get(f.base, c.accept)
		wantContains(t, "Accept-Language "+c.accept, page, `<html lang="`+c.lang+`">`, c.title)
		if vary := strings.Join(resp.Header.Values("Vary"), ", "); !strings.Contains(vary, "Accept-Language") {
			t.Errorf("Accept-Language %q: Vary %q", c.accept, vary)
		}
	}
	// A payroll session keeps its configured language.
	p := h.newSession(nil)
	_, page := get(p.base, "es")
	wantContains(t, "payroll page", page, `<html lang="en">`, "Connect your payroll account")
	// The expired page of a banking link too.
	h.advance(61 * 60e9)
	resp, page := get(f.base, "es")
	if resp.StatusCode != http.StatusGone {
		t.Errorf("expired: %d", resp.StatusCode)
	}
	wantContains(t, "expired banking link", page, "Este enlace ha caducado")
}
