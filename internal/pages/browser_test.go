package pages_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"verigate/internal/logo"
)

// The browser tests drive Debian's Chromium, headless, through the pages a
// session link opens. Each scenario runs in its own tab (in parallel) of
// one browser, against its own verigate; each step saves a screenshot and
// checks the visible text, and the verification's status through the API.

func TestBrowser(t *testing.T) {
	runScenarios(t, []scenario{
		{"FullPayrollFlow", fullPayrollFlow},
		{"SingleItemShortcut", singleItemShortcut},
		{"SimulatedFailures", simulatedFailures},
		{"FiveWrongPasswordsLock", fiveWrongPasswordsLock},
		{"ExpiredLink", expiredLink},
		{"Spanish", spanish},
		{"MobileViewport", mobileViewport},
		{"JavaScriptDisabled", javaScriptDisabled},
		{"Keyboard", keyboard},
		{"Replay", replay},
		{"BankingFlow", bankingFlow},
		{"BankingPhoneNoScript", bankingPhoneNoScript},
	})
}

// 1. Search → pick → wrong password → right password → code → connecting →
// success → redirect with the partner's query and the outcome.
func fullPayrollFlow(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newSession(map[string]any{"redirect_url": h.partner.URL + "/return?ref=loan-42&lang=en"})
	if got := f.status(); got != "PENDING/pending" {
		t.Fatalf("before the link is opened: %s", got)
	}
	b := newTab(t, browser, desktop)

	b.open(f.link)
	b.waitText("Connect your payroll account", "Search for your employer or payroll provider", "Whole Goods")
	if lang := eval[string](b, `document.documentElement.lang`); lang != "en" {
		t.Errorf("<html lang=%q>, want en", lang)
	}
	b.shot("search")
	f.wantStatus("PROCESSING/user_session_started")
	sameLogos(t, b) // drawn by the server

	// Live search: another case, no diacritics.
	b.do(chromedp.SendKeys(chromedp.ID("q"), "MULLER"))
	text := b.waitText("Müller Logistics", "Results: 1")
	if strings.Contains(text, "Whole Goods") {
		t.Errorf("live search kept the full list:\n%s", text)
	}
	// The address follows the results (it may lag them by a moment on a busy machine).
	u := b.location()
	for deadline := time.Now().Add(3 * time.Second); !strings.HasSuffix(u, "?q=MULLER") && time.Now().Before(deadline); u = b.location() {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.HasSuffix(u, "?q=MULLER") {
		t.Errorf("live search did not keep the query in the address: %s", u)
	}
	b.shot("search-results")
	sameLogos(t, b) // drawn by the script
	b.click(`button[value="item_000000006"]`)
	b.waitText("Sign in to Müller Logistics", "Username or e-mail", "Password", "test_1 / passgood")
	b.shot("signin")

	b.signIn("test_1", "wrong")
	text = b.waitText("The username or password is not correct.", "Attempts left: 4.")
	if h1 := b.heading(); h1 != "Sign in to Müller Logistics" {
		t.Errorf("after a wrong password the page is %q, want the sign-in page", h1)
	}
	b.shot("wrong-password")
	f.wantStatus("PROCESSING/user_session_started")

	b.signIn("test_1", "passgood")
	b.waitText("Enter your verification code", "We sent a code by text message to ***-***-0181.")
	b.shot("mfa")

	b.fill("code", "8081")
	b.click("form[action$='/mfa'] button[type=submit]")
	b.waitText("Connecting your account…", "We are retrieving your employment and income data.")
	b.shot("connecting")
	f.wantStatus("PROCESSING/authenticated")
	if items := f.items(); !slices.Equal(items, []string{"item_000000006"}) {
		t.Errorf("items_connected = %v, want [item_000000006]", items)
	}

	// Aggregation runs in the background; the page follows it.
	if !h.aggregate() {
		t.Fatal("no account was waiting for aggregation")
	}
	b.waitText("Your account is connected", "Thank you. Your employment and income data has been shared with Partner.", "Taking you back…")
	b.shot("done")

	q := h.waitReturn()
	want := url.Values{"ref": {"loan-42"}, "lang": {"en"}, "user_submission_complete": {"true"}, "user_attempted_employer_selection": {"true"}}
	if fmt.Sprint(q) != fmt.Sprint(want) {
		t.Errorf("redirect query = %v, want %v", q, want)
	}
	b.waitText("Back at the partner")
	if u := b.location(); !strings.HasPrefix(u, h.partner.URL+"/return?ref=loan-42&lang=en&user_submission_complete=true&user_attempted_employer_selection=true") {
		t.Errorf("browser ended at %s", u)
	}
	b.shot("returned")
	f.wantStatus("COMPLETED/completed") // aggregation done: the report completes it
	if n := f.accounts(); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
}

// 2. A session offering exactly one item opens at its sign-in page.
func singleItemShortcut(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"items": []string{"item_000000002"}})
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Sign in to Bullseye", "Username or e-mail")
	b.noText("Search for your employer")
	b.shot("single-item-signin")
	f.wantStatus("PROCESSING/user_session_started")

	// Choosing another shows only what the session offers.
	b.click("form[action$='/back'] button")
	text := b.waitText("Search for your employer or payroll provider", "Bullseye")
	if strings.Contains(text, "Whole Goods") {
		t.Errorf("search offers items outside configuration.items:\n%s", text)
	}
	b.shot("single-item-search")

	b.click(`button[value="item_000000002"]`)
	b.waitText("Sign in to Bullseye")
	b.signIn("test2@argyle.com", "passnomfa")
	b.waitText("Your account is connected")
	b.shot("connected-without-code")
	f.wantStatus("COMPLETED/completed") // aggregation done: the report completes it
}

// 3. Simulated provider failures show their message and offer a way on.
func simulatedFailures(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Whole Goods")
	b.click(`button[value="item_000000001"]`)
	b.waitText("Sign in to Whole Goods")

	b.signIn("test_1", "passunavailable")
	b.waitText("We could not connect your account", "This provider is not available right now. Please try again later.",
		"Try again", "Choose another employer")
	b.shot("unavailable")

	b.click("form[action$='/select'] button")
	b.waitText("Sign in to Whole Goods", "Username or e-mail")
	b.noText("This provider is not available")
	b.shot("try-again")

	b.signIn("test_3", "passlocked")
	b.waitText("We could not connect your account", "Your account with this provider is locked.")
	b.shot("account-locked")

	b.click("form[action$='/back'] button")
	b.waitText("Search for your employer or payroll provider", "Whole Goods")
	b.shot("choose-another")
	f.wantStatus("PROCESSING/user_session_started")

	// The MFA timeout fails at the code step.
	b.click(`button[value="item_000000003"]`)
	b.waitText("Sign in to Triple")
	b.signIn("test_2", "passmfatimeout")
	b.waitText("We sent a code by e-mail to")
	b.fill("code", "8082")
	b.click("form[action$='/mfa'] button[type=submit]")
	b.waitText("We could not connect your account", "The verification code expired before it was entered.")
	b.shot("mfa-timeout")
	if n := f.accounts(); n != 0 {
		t.Errorf("%d accounts after failures, want 0", n)
	}
}

// 4. Five wrong passwords lock the session; a further sign-in is refused.
func fiveWrongPasswordsLock(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"items": []string{"item_000000001"}})
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Sign in to Whole Goods")
	token := eval[string](b, `document.querySelector("input[name=csrf]").value`)
	for i := 1; i <= 4; i++ {
		b.signIn("test_1", fmt.Sprintf("wrong%d", i))
		b.waitText("The username or password is not correct.", fmt.Sprintf("Attempts left: %d.", 5-i))
	}
	b.shot("one-attempt-left")
	b.signIn("test_1", "wrong5")
	b.waitText("Too many attempts", "This link is locked after too many failed sign-in attempts.")
	b.noText("Username or e-mail")
	b.shot("locked")

	resp, body := h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {"test_1"}, "password": {"passgood"}})
	if resp.StatusCode != 303 {
		t.Fatalf("sign-in after the lock: %d %s", resp.StatusCode, body)
	}
	b.open(f.link)
	b.waitText("Too many attempts")
	b.noText("Enter your verification code")
	f.wantStatus("PROCESSING/user_session_started")
	if n := f.accounts(); n != 0 {
		t.Errorf("%d accounts after the lock, want 0", n)
	}
}

// 5. A link stops working one hour after it was made, also mid-flow.
func expiredLink(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Whole Goods")
	b.click(`button[value="item_000000001"]`)
	b.waitText("Sign in to Whole Goods")
	b.fill("username", "test_1")
	b.fill("password", "passgood")

	h.advance(61 * time.Minute)
	b.click("form[action$='/signin'] button[type=submit]")
	b.waitText("This link has expired", "Links work for one hour.")
	b.shot("expired-on-post")
	f.wantStatus("PROCESSING/user_session_started")

	b.do(chromedp.Reload())
	b.waitText("This link has expired")
	b.noText("Enter your verification code", "Sign in to")
	b.shot("expired-on-reload")
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(f.link))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 410 {
		t.Errorf("the browser got %d for the expired link, want 410", resp.Status)
	}
	b.waitText("This link has expired")
	f.wantStatus("PROCESSING/user_session_started")
}

// 6. A session in Spanish.
func spanish(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"language": "ES"})
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Conecte su cuenta de nómina", "Busque a su empleador o proveedor de nómina", "Protegido por verigate")
	if lang := eval[string](b, `document.documentElement.lang`); lang != "es" {
		t.Errorf("<html lang=%q>, want es", lang)
	}
	b.noText("Connect your payroll account", "Search")
	b.shot("es-search")
	b.do(chromedp.SendKeys(chromedp.ID("q"), "cafe"))
	b.waitText("Café Riviera Foods", "Resultados: 2")
	b.click(`button[value="item_000000005"]`)
	b.waitText("Inicie sesión en Café Riviera Foods", "Usuario o correo electrónico", "Contraseña")
	b.signIn("test_1", "nope")
	b.waitText("El usuario o la contraseña no son correctos.", "Intentos restantes: 4.")
	b.shot("es-wrong-password")
}

// 7. At 375×812 nothing scrolls sideways.
func mobileViewport(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"redirect_url": h.partner.URL + "/return"})
	b := newTab(t, browser, mobile)
	noSideScroll := func(page string) {
		t.Helper()
		if w := eval[int](b, `window.innerWidth`); w != 375 {
			t.Errorf("%s: viewport %d px wide, want 375", page, w)
		}
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("%s: page is %d px wide at 375 px: it scrolls sideways", page, w)
		}
	}
	b.open(f.link)
	b.waitText("Connect your payroll account", "Whole Goods")
	noSideScroll("search")
	b.shot("mobile-search")

	b.click(`button[value="item_000000011"]`)
	b.waitText("Sign in to Élan Hotels & Resorts")
	b.signIn("test_1", "wrong")
	b.waitText("The username or password is not correct.")
	noSideScroll("sign-in")
	b.shot("mobile-signin")

	b.signIn("test_2", "passgood")
	b.waitText("Enter your verification code")
	noSideScroll("code")
	b.shot("mobile-mfa")
	b.fill("code", "8082")
	b.click("form[action$='/mfa'] button[type=submit]")
	b.waitText("Your account is connected")
	noSideScroll("done")
	b.shot("mobile-done")
	h.waitReturn()

	// The longer Russian and the Chinese texts fit too.
	for _, c := range []struct{ lang, search, signin string }{
		{"RU", "Поиск работодателя или зарплатного сервиса", "Вход в Harbor & Pine Staffing"},
		{"ZH", "搜索您的雇主或薪资服务商", "登录 Harbor & Pine Staffing"},
	} {
		f := h.newSession(map[string]any{"language": c.lang})
		b.open(f.link)
		b.waitText(c.search)
		noSideScroll(c.lang + " search")
		b.shot(c.lang + "-search")
		b.click(`button[value="item_000000012"]`)
		b.waitText(c.signin)
		b.signIn("test_1", "wrong")
		b.waitText(messagesFor(c.lang))
		noSideScroll(c.lang + " sign-in")
		b.shot(c.lang + "-signin")
	}
}

// messagesFor is the wrong-password message of a language.
func messagesFor(lang string) string {
	return map[string]string{"RU": "Неверное имя пользователя или пароль.", "ZH": "用户名或密码不正确。"}[lang]
}

// 8. With JavaScript off, plain forms and a meta refresh carry the flow.
func javaScriptDisabled(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"redirect_url": h.partner.URL + "/return?from=nojs"})
	b := newTab(t, browser, desktop, noScript)
	b.open(f.link)
	b.waitText("Connect your payroll account", "Whole Goods")
	b.do(chromedp.SendKeys(chromedp.ID("q"), "summit"))
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(b.text(), "Results: 1") {
		t.Fatal("the list changed while typing: JavaScript is on")
	}
	b.click("form[role=search] button[type=submit]")
	text := b.waitText("Summit Ridge Bank", "Results: 1")
	if strings.Contains(text, "Whole Goods") {
		t.Errorf("form search kept the full list:\n%s", text)
	}
	if u := b.location(); !strings.HasSuffix(u, f.base+"?q=summit") {
		t.Errorf("search form went to %s", u)
	}
	b.shot("nojs-search")
	b.click(`button[value="item_000000017"]`)
	b.waitText("Sign in to Summit Ridge Bank")
	b.signIn("test_3", "passslow")
	b.waitText("Open your authenticator app and enter the code it shows.")
	b.fill("code", "8083")
	b.click("form[action$='/mfa'] button[type=submit]")
	b.waitText("Connecting your account…")
	b.shot("nojs-connecting")
	f.wantStatus("PROCESSING/authenticated")
	b.waitText("Your account is connected") // the meta refresh reloads until aggregation is done
	b.shot("nojs-done")
	q := h.waitReturn()
	if q.Get("from") != "nojs" || q.Get("user_submission_complete") != "true" || q.Get("user_attempted_employer_selection") != "true" {
		t.Errorf("redirect query %v", q)
	}
}

// 9. The keyboard reaches the search box and the items, and focus shows.
func keyboard(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Whole Goods")
	focused := func() (desc, outline string) {
		v := eval[[]string](b, `(function(){ var e = document.activeElement, s = getComputedStyle(e);
			return [e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.value && e.tagName === "BUTTON" ? "=" + e.value : ""),
			        s.outlineStyle + " " + s.outlineWidth, String(e.matches(":focus-visible"))]; })()`)
		return v[0], v[1] + " focus-visible=" + v[2]
	}
	var seen []string
	for i := 0; i < 10 && !slices.Contains(seen, "button=item_000000001"); i++ {
		b.do(chromedp.KeyEvent(kb.Tab))
		desc, outline := focused()
		seen = append(seen, desc)
		if desc != "body" && (!strings.HasPrefix(outline, "solid 3px") || !strings.HasSuffix(outline, "focus-visible=true")) {
			t.Errorf("focused %s has outline %q, want a visible 3px outline on :focus-visible", desc, outline)
		}
		if desc == "input#q" {
			b.shot("focus-search")
		}
	}
	if !slices.Contains(seen, "input#q") {
		t.Errorf("Tab never reached the search box; it went %v", seen)
	}
	if !slices.Contains(seen, "button=item_000000001") {
		t.Fatalf("Tab never reached the first item; it went %v", seen)
	}
	b.shot("focus-item")
	b.do(chromedp.KeyEvent(kb.Enter))
	b.waitText("Sign in to Whole Goods")
	// The browser applies autofocus when it next updates the rendering,
	// which on a busy machine can come after the text is there.
	desc, _ := focused()
	for deadline := time.Now().Add(3 * time.Second); desc != "input#username" && time.Now().Before(deadline); desc, _ = focused() {
		time.Sleep(50 * time.Millisecond)
	}
	if desc != "input#username" {
		t.Errorf("sign-in page focuses %s, want the username", desc)
	}
}

// 10. Re-posting a finished step neither connects twice nor fails: it shows where the session is.
func replay(t *testing.T, browser context.Context) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"items": []string{"item_000000004"}})
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Sign in to GigAndGo")
	b.signIn("test_1", "passgood")
	b.waitText("Enter your verification code")
	token := eval[string](b, `document.querySelector("form[action$='/mfa'] input[name=csrf]").value`)
	b.fill("code", "8081")
	b.click("form[action$='/mfa'] button[type=submit]")
	b.waitText("Your account is connected")
	f.wantStatus("COMPLETED/completed") // aggregation done: the report completes it

	// The same MFA form again, from the page.
	got := evalAwait[[]string](b, fmt.Sprintf(`fetch(%q, {method: "POST", body: new URLSearchParams({csrf: %q, code: "8081"})})
		.then(function (r) { return r.text().then(function (t) { return [String(r.status), r.url, t]; }); })`, f.base+"/mfa", token))
	if got[0] != "200" || !strings.HasSuffix(got[1], f.base) || !strings.Contains(got[2], "Your account is connected") {
		t.Errorf("re-posted code: %s %s\n%s", got[0], got[1], got[2])
	}
	// And the sign-in form, from a plain client.
	resp, body := h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {"test_1"}, "password": {"passgood"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != f.base {
		t.Errorf("re-posted sign-in: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	b.do(chromedp.Reload())
	b.waitText("Your account is connected")
	b.shot("after-replay")
	if n := f.accounts(); n != 1 {
		t.Errorf("%d accounts after the replay, want 1", n)
	}
	if items := f.items(); !slices.Equal(items, []string{"item_000000004"}) {
		t.Errorf("items_connected = %v", items)
	}
	f.wantStatus("COMPLETED/completed") // the replay changed nothing
}

// sameLogos checks that every item listed has the initials and colour
// package logo gives its name, whether the server or the script drew the
// list: the same tile the API's logo_url points at.
func sameLogos(t *testing.T, b *tab) {
	t.Helper()
	got := eval[[][]string](b, `Array.from(document.querySelectorAll("[data-items] .item")).map(function (i) {
		var l = i.querySelector(".logo"); return [i.querySelector(".name").textContent, l.className, l.textContent]; })`)
	if len(got) == 0 {
		t.Fatal("no items listed")
	}
	for _, g := range got {
		if want := []string{g[0], fmt.Sprintf("logo c%d", logo.Colour(g[0])), logo.Initials(g[0])}; !slices.Equal(g, want) {
			t.Errorf("item logo [name class initials] = %q, want %q", g, want)
		}
	}
}
