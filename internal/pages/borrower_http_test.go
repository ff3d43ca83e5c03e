package pages_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// getLang fetches a page of verigate as a browser asking for languages, without following redirects.
func (h *harness) getLang(path, acceptLanguage string) (*http.Response, string) {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// byLanguage is what the tests look for in each page language.
var byLanguage = []struct {
	lang, accept, htmlLang     string
	notFound, expired          string
	requester, doneWithPartner string
	returnTo                   string
}{
	{"EN", "en-US,en;q=0.9", "en", "Link not found", "This link has expired", "Requested by Partner",
		"has been shared with Partner.", "Return to Partner"},
	{"ES", "es-MX,es;q=0.9", "es", "Enlace no encontrado", "Este enlace ha caducado", "Solicitado por Partner",
		"se han compartido con Partner.", "Volver a Partner"},
	{"RU", "ru;q=1, en;q=0.5", "ru", "Ссылка не найдена", "Срок действия ссылки истёк", "Запрос от Partner",
		"переданы: Partner.", "Вернуться в Partner"},
	{"ZH", "zh-CN,zh;q=0.8", "zh-Hans", "未找到链接", "此链接已过期", "请求方：Partner",
		"共享给Partner。", "返回Partner"},
}

// A link that cannot be read, or a path that is no page, answers the not-found
// page in the browser's language, with what to do next; never a bare 404.
func TestNotFoundFollowsTheBrowsersLanguage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	for _, l := range byLanguage {
		for _, path := range []string{"/connect/forged", f.base + "x", f.base + "/no/such/page", "/link/invite/nope"} {
			resp, page := h.getLang(path, l.accept)
			if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s %s: %d %s", l.lang, path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if vary := strings.Join(resp.Header.Values("Vary"), ", "); !strings.Contains(vary, "Accept-Language") {
				t.Errorf("%s %s: Vary %q", l.lang, path, vary)
			}
			wantContains(t, l.lang+" "+path, page, `<html lang="`+l.htmlLang+`">`, "<h1>"+l.notFound+"</h1>", `<p class="lead">`)
		}
	}
}

// An expired link follows the session's language (payroll) or the
// browser's (banking), names the partner and leads back to it.
func TestExpiredLinkSaysWhatToDo(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	back := h.partner.URL + "/return?loan=7"
	var payroll, bank []*flow
	for _, l := range byLanguage {
		payroll = append(payroll, h.newSession(map[string]any{"language": l.lang, "redirect_url": back}))
		bank = append(bank, h.newBankSession(nil))
	}
	app := h.newSession(map[string]any{"mobile_app": true, "redirect_url": "lender-app://return"})
	h.advance(2 * time.Hour)
	_, page := h.get(app.base)
	wantContains(t, "expired app link", page, `href="lender-app://return?user_submission_complete=false&amp;user_attempted_employer_selection=false"`)
	for i, l := range byLanguage {
		resp, page := h.getLang(payroll[i].base, "en")
		if resp.StatusCode != http.StatusGone {
			t.Errorf("%s: %d", l.lang, resp.StatusCode)
		}
		ret := back + "&user_submission_complete=false&user_attempted_employer_selection=false"
		wantContains(t, l.lang+" expired payroll link", page, `<html lang="`+l.htmlLang+`">`, "<h1>"+l.expired+"</h1>",
			l.requester, `href="`+strings.ReplaceAll(ret, "&", "&amp;")+`"`, l.returnTo)

		resp, page = h.getLang(bank[i].base, l.accept)
		if resp.StatusCode != http.StatusGone {
			t.Errorf("%s bank: %d", l.lang, resp.StatusCode)
		}
		wantContains(t, l.lang+" expired bank link", page, `<html lang="`+l.htmlLang+`">`, "<h1>"+l.expired+"</h1>", l.requester)
		if strings.Contains(page, `id="return"`) {
			t.Errorf("%s: a link without redirect_url offers a way back:\n%s", l.lang, page)
		}
	}
}

// walk signs a payroll session in with code, answering the MFA when asked,
// and returns the Location of the last step's redirect and the session's CSRF token.
func (f *flow) walk(item, user, password string) (string, string) {
	f.h.t.Helper()
	_, page := f.h.get(f.base)
	token := csrf(f.h.t, page)
	f.h.post(f.base+"/select", url.Values{"csrf": {token}, "item": {item}})
	resp, _ := f.h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {user}, "password": {password}})
	if _, page = f.h.get(f.base); strings.Contains(page, `action="`+f.base+`/mfa"`) {
		resp, _ = f.h.post(f.base+"/mfa", url.Values{"csrf": {token}, "code": {"8081"}})
	}
	return resp.Header.Get("Location"), token
}

// A refused sign-in fills the username in again (sealed in the URL, for
// that session alone), never the password.
func TestFailedSignInKeepsTheUsername(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(map[string]any{"items": []string{"item_000000008"}})
	_, page := h.get(f.base)
	token := csrf(t, page)
	resp, _ := h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {"jane.doe@example.com"}, "password": {"secret-pw"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, f.base+"?u=") || strings.Contains(loc, "jane") {
		t.Fatalf("refused sign-in: %d to %q", resp.StatusCode, loc)
	}
	_, page = h.get(loc)
	wantContains(t, "sign-in again", page, `id="username" name="username" value="jane.doe@example.com"`, "The username or password is not correct.")
	if strings.Contains(page, "secret-pw") {
		t.Errorf("the page shows the password:\n%s", page)
	}
	// Another session's page does not read it.
	g := h.newSession(map[string]any{"items": []string{"item_000000008"}})
	if _, other := h.get(g.base + loc[len(f.base):]); strings.Contains(other, "jane.doe") {
		t.Errorf("another session shows the username")
	}
	// A forged value is ignored.
	if resp, page := h.get(f.base + "?u=forged"); resp.StatusCode != http.StatusOK || strings.Contains(page, `name="username" value=`) {
		t.Errorf("forged u: %d", resp.StatusCode)
	}
}

// The done page names the partner and keeps its exit; the pages show the
// step indicator, who asks, what is shared and a privacy line.
func TestPagesSayWhoAsksAndWhereYouAre(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	for _, l := range byLanguage {
		f := h.newSession(map[string]any{"language": l.lang, "items": []string{"item_000000008"}})
		_, page := h.get(f.base)
		wantContains(t, l.lang+" sign-in", page, `<ol class="steps"`, `<li class="current" aria-current="step"><span class="n" aria-hidden="true">2</span>`,
			`<aside class="trust"`, l.requester, `<span class="requester-name">Partner · `)
		if loc, _ := f.walk("item_000000008", "test_1", "passgood"); loc != f.base {
			t.Errorf("%s: after the code, to %q (no connecting minimum)", l.lang, loc)
		}
		h.aggregate()
		_, page = h.get(f.base)
		wantContains(t, l.lang+" done", page, l.doneWithPartner, `href="`+f.base+`/exit" data-exit`, `aria-current="step"><span class="n" aria-hidden="true">4</span>`)
	}
}

// With a connecting minimum, the step that connects leads to the
// connecting page, which stays up that long even when the data is in.
func TestConnectingPageIsShown(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true, connectingMin: 1500 * time.Millisecond})
	f := h.newSession(nil)
	loc, token := f.walk("item_000000008", "test_1", "passgood")
	if loc != f.base+"?step=connecting" {
		t.Fatalf("after the code: to %q", loc)
	}
	h.aggregate()
	_, page := h.get(loc)
	wantContains(t, "held connecting page", page, "Connecting your account…", `data-hold="1500" data-next="`+f.base+`"`,
		`<meta http-equiv="refresh" content="2;url=`+f.base+`">`)
	_, page = h.get(f.base)
	wantContains(t, "done", page, "Your account is connected")
	// A replayed code shows where the session is, without holding it again.
	if resp, _ := h.post(f.base+"/mfa", url.Values{"csrf": {token}, "code": {"8081"}}); resp.Header.Get("Location") != f.base {
		t.Errorf("replayed code: to %q", resp.Header.Get("Location"))
	}
	// Not connected: the parameter changes nothing.
	g := h.newSession(nil)
	_, page = h.get(g.base + "?step=connecting")
	wantContains(t, "search", page, `id="q"`)
}

// "Can't find your employer?" lists the payroll providers instead.
func TestCantFindOffersProviders(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	f := h.newSession(nil)
	_, page := h.get(f.base)
	wantContains(t, "search", page, `<section class="fallback"`, `href="`+f.base+`?kind=platform"`, `href="`+f.base+`/upload"`)
	_, page = h.get(f.base + "?kind=platform")
	names := []string{"Triple", "Ledgerline Payroll", "Copperleaf Payroll Services", "Timberline Workforce Cloud"}
	wantContains(t, "providers", page, names...)
	for _, employer := range []string{"Mart Foods", "Whole Goods", "GigAndGo"} {
		if strings.Contains(page, ">"+employer+"<") {
			t.Errorf("the providers list shows %s", employer)
		}
	}
	_, page = h.get(h.newBankSession(nil).base)
	wantContains(t, "bank search", page, "Can’t find your bank?")
	if strings.Contains(page, "kind=platform") {
		t.Errorf("a bank search offers payroll providers")
	}
}
