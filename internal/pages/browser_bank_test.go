package pages_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"verigate/internal/datasource"
)

// authenticatedOrLater accepts the verification statuses a banking
// verification may have once its account is connected: the report that
// completes it comes after aggregation.
var authenticatedOrLater = []string{"PROCESSING/authenticated", "COMPLETED/completed"}

// wantStatusIn waits until the verification's status is one of wants.
func (f *flow) wantStatusIn(wants ...string) string {
	f.h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := f.status()
		if slices.Contains(wants, got) {
			return got
		}
		if time.Now().After(deadline) {
			f.h.t.Fatalf("verification status %s, want one of %v", got, wants)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sharedAccounts returns the account ids the user's stored bank connection shares.
func (f *flow) sharedAccounts() []string {
	f.h.t.Helper()
	ctx := context.Background()
	claims, err := f.h.app.Sessions.Open(strings.TrimPrefix(f.base, "/connect/"))
	if err != nil {
		f.h.t.Fatal(err)
	}
	cs, err := f.h.app.Store.ConnectSession(ctx, claims.SessionID)
	if err != nil {
		f.h.t.Fatal(err)
	}
	a, err := f.h.app.Store.Account(ctx, cs.AccountID)
	if err != nil {
		f.h.t.Fatal(err)
	}
	var conn datasource.Connection
	if err := f.h.app.Flow.Secrets.Open(a.Connection, &conn); err != nil {
		f.h.t.Fatal(err)
	}
	return conn.Shared
}

// 11. Banking: search an institution → sign in → code → choose one of two
// accounts → connecting → done → redirect; the single-use link is then refused.
func bankingFlow(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newBankSession(map[string]any{"single_use_url": true, "experience": "97f1eccb-241d-4052-8409-fab9e27a589b",
		"redirect_url": h.partner.URL + "/return?ref=bank-1"})
	if got := f.status(); got != "PENDING/pending" {
		t.Fatalf("before the link is opened: %s", got)
	}
	b := newTab(t, browser, desktop)

	b.open(f.link)
	text := b.waitText("Connect your bank account", "Search for your bank or credit union", "Popular banks and credit unions",
		"Harborview National Bank", "Bank")
	if strings.Contains(text, "employer") || strings.Contains(text, "payroll") {
		t.Errorf("the bank search page speaks of payroll:\n%s", text)
	}
	if lang := eval[string](b, `document.documentElement.lang`); lang != "en" {
		t.Errorf("<html lang=%q>, want en", lang)
	}
	b.shot("bank-search")
	f.wantStatus("PROCESSING/user_session_started")

	// Live search; an offline institution is shown as unavailable and cannot be picked.
	b.do(chromedp.SendKeys(chromedp.ID("q"), "MERIDIAN"))
	b.waitText("Meridian Digital Bank", "Unavailable", "Results: 1")
	if !eval[bool](b, `document.querySelector('button[value="ins_000000024"]').disabled`) {
		t.Error("the offline institution's button is enabled")
	}
	b.shot("bank-offline")
	eval[bool](b, `document.getElementById("q").value = "", true`)
	b.do(chromedp.SendKeys(chromedp.ID("q"), "harbor"))
	text = b.waitText("Harborview National Bank", "Results: 1")
	if strings.Contains(text, "Meridian") {
		t.Errorf("live search kept the old list:\n%s", text)
	}
	b.click(`button[value="ins_000000001"]`)
	b.waitText("Sign in to Harborview National Bank", "Username or e-mail", "Password", "test_1 / passgood / 8081")
	b.shot("bank-signin")

	b.signIn("test_1", "wrong")
	b.waitText("The username or password is not correct.", "Attempts left: 4.")
	b.signIn("test_1", "passgood")
	b.waitText("Enter your verification code", "We sent a code by text message to ***-***-0181.")
	b.fill("code", "8081")
	b.click("form[action$='/mfa'] button[type=submit]")

	// The account choice: nothing preselected, at least one required.
	text = b.waitText("Choose the accounts to share", "Harborview National Bank", "Everyday Checking", "High-Yield Savings",
		"Checking · …", "Savings · …", "Share selected accounts")
	if n := eval[int](b, `document.querySelectorAll("input[type=checkbox][name=account]:checked").length`); n != 0 {
		t.Errorf("%d accounts preselected", n)
	}
	if !strings.Contains(text, "$") {
		t.Errorf("no balances shown:\n%s", text)
	}
	b.shot("bank-accounts")
	f.wantStatus("PROCESSING/user_session_started")
	b.click("form[action$='/accounts'] button[type=submit]")
	b.waitText("Select at least one account to share.", "Everyday Checking")
	b.noText("Attempts left")
	b.shot("bank-accounts-none")
	if n := f.accounts(); n != 0 {
		t.Fatalf("%d accounts before a choice", n)
	}

	// Share the savings account only.
	savings := eval[string](b, `document.getElementById("account-1").value`)
	b.click("label[for=account-1]")
	if !eval[bool](b, `document.getElementById("account-1").checked && !document.getElementById("account-0").checked`) {
		t.Fatal("clicking the savings account's row did not tick it alone")
	}
	b.click("form[action$='/accounts'] button[type=submit]")
	b.waitText("Connecting your account…", "balances and transactions of the accounts you chose")
	if u := b.location(); !strings.Contains(u, f.base+"?c=") {
		t.Errorf("the connecting page is at %s, want the link's continuation", u)
	}
	b.shot("bank-connecting")
	f.wantStatus("PROCESSING/authenticated")
	if shared := f.sharedAccounts(); !slices.Equal(shared, []string{savings}) {
		t.Errorf("shared accounts %v, want [%s]", shared, savings)
	}
	if items := f.items(); !slices.Equal(items, []string{"ins_000000001"}) {
		t.Errorf("items_connected = %v", items)
	}

	if !h.aggregate() {
		t.Fatal("no account was waiting for aggregation")
	}
	b.waitText("Your account is connected", "The information of the accounts you chose has been shared with Sample Lender.", "Taking you back…")
	b.shot("bank-done")
	q := h.waitReturn()
	want := url.Values{"ref": {"bank-1"}, "user_submission_complete": {"true"}, "user_attempted_employer_selection": {"true"}}
	if fmt.Sprint(q) != fmt.Sprint(want) {
		t.Errorf("redirect query = %v, want %v", q, want)
	}
	b.waitText("Back at the partner")
	f.wantStatusIn(authenticatedOrLater...)

	// The single-use link is spent: opening it again is refused.
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(f.link))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 410 {
		t.Errorf("reopened single-use link: %d, want 410", resp.Status)
	}
	b.waitText("This link has already been used", "it works only once")
	b.noText("Your account is connected", "Search for your bank")
	b.shot("bank-used")
	if n := f.accounts(); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
	cs, err := h.app.Store.ConnectSession(context.Background(), sessionID(t, h, f))
	if err != nil || cs.Experience != "97f1eccb-241d-4052-8409-fab9e27a589b" || cs.UsedAt == nil {
		t.Errorf("session record: %v, experience %q, used %v", err, cs.Experience, cs.UsedAt)
	}
	f.wantStatusIn(authenticatedOrLater...)
}

// sessionID is the session id sealed in a flow's link.
func sessionID(t *testing.T, h *harness, f *flow) string {
	t.Helper()
	c, err := h.app.Sessions.Open(strings.TrimPrefix(f.base, "/connect/"))
	if err != nil {
		t.Fatal(err)
	}
	return c.SessionID
}

// 12. Banking on a phone with JavaScript off, in the browser's language
// (Spanish): plain forms carry the flow, nothing scrolls sideways.
func bankingPhoneNoScript(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newBankSession(nil)
	b := newTab(t, browser, mobile, noScript, func(t *testing.T, ctx context.Context) {
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
			network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "es-MX,es;q=0.9"}}); err != nil {
			t.Fatal(err)
		}
	})
	noSideScroll := func(page string) {
		t.Helper()
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("%s: page is %d px wide at 375 px: it scrolls sideways", page, w)
		}
	}
	b.open(f.link)
	b.waitText("Conecte su cuenta bancaria", "Busque su banco o cooperativa de crédito", "Banco")
	if lang := eval[string](b, `document.documentElement.lang`); lang != "es" {
		t.Errorf("<html lang=%q>, want es", lang)
	}
	b.do(chromedp.SendKeys(chromedp.ID("q"), "cooperative"))
	b.click("form[role=search] button[type=submit]")
	b.waitText("Coöperative Farmers Credit Union", "Resultados: 1")
	noSideScroll("search")
	b.click(`button[value="ins_000000020"]`)
	b.waitText("Inicie sesión en Coöperative Farmers Credit Union")
	b.signIn("test3@argyle.com", "passnomfa")
	b.waitText("Elija las cuentas que desea compartir", "Free Checking", "Bills Checking", "Savings", "Cuenta corriente")
	noSideScroll("accounts")
	b.shot("bank-es-accounts")
	b.click("form[action$='/accounts'] button[type=submit]")
	b.waitText("Seleccione al menos una cuenta para compartir.")
	b.click("label[for=account-0]")
	b.click("label[for=account-2]")
	b.click("form[action$='/accounts'] button[type=submit]")
	b.waitText("Su cuenta está conectada") // the meta refresh reloads until aggregation is done
	noSideScroll("done")
	b.shot("bank-es-done")
	f.wantStatusIn(authenticatedOrLater...)
	if shared := f.sharedAccounts(); len(shared) != 2 {
		t.Errorf("shared accounts %v, want 2", shared)
	}
	// Not single-use: the link still shows where the session is.
	b.open(f.link)
	b.waitText("Su cuenta está conectada")
}
