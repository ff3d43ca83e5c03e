package pages_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"verigate/internal/sdk"
)

// The embedding tests load the example partner page (examples/embed) from a
// second origin, open session links with the Web SDK in it, and read the
// callbacks the page records in window.__events. They drive the link's
// pages inside the modal's frame through an isolated world of that frame
// (same DOM, own globals), and the keyboard through real key events.

func TestBrowserEmbed(t *testing.T) {
	runScenarios(t, []scenario{
		{"PayrollInModal", embedPayrollFlow},
		{"UnregisteredOrigin", embedUnregisteredOrigin},
		{"ExpiredAndInvalidLinks", embedBadLinks},
		{"Keyboard", embedKeyboard},
	})
}

// embedSite is the example partner site: its page, script and stylesheet
// from examples/embed, and a POST /session that hands out the links a test
// queued (created beforehand through the harness).
type embedSite struct {
	srv      *httptest.Server
	verigate string // set once the harness runs
	links    chan string
}

func newEmbedSite(t *testing.T) *embedSite {
	t.Helper()
	dir := filepath.Join("..", "..", "examples", "embed")
	page := template.Must(template.ParseFiles(filepath.Join(dir, "index.html")))
	s := &embedSite{links: make(chan string, 8)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/":
			// As examples/embed/main.go serves it, with the SDK pinned by its hash.
			w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' "+s.verigate+
				"; frame-src "+s.verigate+"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			page.Execute(w, map[string]string{"VerigateURL": s.verigate, "SDKURL": s.verigate + sdk.ScriptPath, "Integrity": sdk.Integrity()})
		case r.Method == "GET" && (r.URL.Path == "/app.js" || r.URL.Path == "/app.css"):
			b, err := os.ReadFile(filepath.Join(dir, r.URL.Path[1:]))
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			if strings.HasSuffix(r.URL.Path, ".js") {
				w.Header().Set("Content-Type", "text/javascript")
			} else {
				w.Header().Set("Content-Type", "text/css")
			}
			w.Write(b)
		case r.Method == "POST" && r.URL.Path == "/session":
			w.Header().Set("Content-Type", "application/json")
			select {
			case l := <-s.links:
				json.NewEncoder(w).Encode(map[string]string{"connect_url": l})
			default:
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprint(w, `{"error": "the test queued no link"}`)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// event is one callback the partner page recorded.
type event struct {
	Callback string          `json:"callback"`
	Payload  json.RawMessage `json:"payload"`
}

func (e event) String() string { return e.Callback + " " + string(e.Payload) }

// events returns the callbacks recorded so far.
func (b *tab) events() []event {
	b.t.Helper()
	raw := eval[string](b, `JSON.stringify(window.__events || [])`)
	var out []event
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		b.t.Fatal(err)
	}
	return out
}

// waitEvent waits until a callback whose text holds want was recorded, and returns all of them.
func (b *tab) waitEvent(want string) []event {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		evs := b.events()
		for _, e := range evs {
			if strings.Contains(e.String(), want) {
				return evs
			}
		}
		if time.Now().After(deadline) {
			b.shot("no-event")
			b.t.Fatalf("no callback %q; recorded:\n%s", want, eventList(evs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitEvents waits until n callbacks whose text holds want were recorded, and returns all of them.
func (b *tab) waitEvents(want string, n int) []event {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		evs, count := b.events(), 0
		for _, e := range evs {
			if strings.Contains(e.String(), want) {
				count++
			}
		}
		if count >= n {
			return evs
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%d callbacks %q, want %d; recorded:\n%s", count, want, n, eventList(evs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func eventList(evs []event) string {
	var s []string
	for _, e := range evs {
		s = append(s, "  "+e.String())
	}
	return strings.Join(s, "\n")
}

// frames lists the tab's child frames.
func (b *tab) frames() []*page.FrameTree {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	tree, err := chromedp.Call(ctx, page.GetFrameTree, struct{}{})
	if err != nil {
		b.t.Fatalf("frame tree: %v", err)
	}
	var out []*page.FrameTree
	var walk func(ft *page.FrameTree)
	walk = func(ft *page.FrameTree) {
		for _, c := range ft.ChildFrames {
			out = append(out, c)
			walk(c)
		}
	}
	walk(tree.FrameTree)
	return out
}

// inFrame evaluates expr in the frame whose document comes from prefix; ok
// is false while there is no such frame or it is between pages.
func inFrame[T any](b *tab, prefix, expr string) (v T, ok bool) {
	for _, f := range b.frames() {
		if !strings.HasPrefix(f.Frame.URL, prefix) {
			continue
		}
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		world, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: f.Frame.ID, WorldName: "test"})
		if err != nil {
			return v, false
		}
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr, func(p *runtime.EvaluateParams) { p.ContextID = world.ExecutionContextID }))
		return v, err == nil
	}
	return v, false
}

// frameText waits until the modal's frame shows every want, and returns its text.
func (b *tab) frameText(prefix string, wants ...string) string {
	b.t.Helper()
	deadline := time.Now().Add(12 * time.Second)
	for {
		s, _ := inFrame[string](b, prefix, `document.readyState === "complete" && document.body ? document.body.innerText : ""`)
		missing := ""
		for _, w := range wants {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			b.shot("frame-timeout")
			b.t.Fatalf("the frame never showed %q; it shows:\n%s\nrecorded callbacks:\n%s", missing, s, eventList(b.events()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// frameDo runs a script in the modal's frame that must return true.
func (b *tab) frameDo(prefix, script string) {
	b.t.Helper()
	if ok, _ := inFrame[bool](b, prefix, script); !ok {
		b.shot("frame-do")
		b.t.Fatalf("in the frame, %s did not succeed", script)
	}
}

// frameClick clicks an element of the modal's frame.
func (b *tab) frameClick(prefix, css string) {
	b.t.Helper()
	b.frameDo(prefix, fmt.Sprintf(`(function () { var e = document.querySelector(%q); if (!e) return false; e.click(); return true; })()`, css))
}

// frameFill sets an input of the modal's frame.
func (b *tab) frameFill(prefix, id, value string) {
	b.t.Helper()
	b.frameDo(prefix, fmt.Sprintf(`(function () { var e = document.getElementById(%q); if (!e) return false; e.value = %q; return true; })()`, id, value))
}

// focusIn names where the partner page's focus is: the SDK element
// (data-verigate) holding it, or "outside:<tag>#id".
func (b *tab) focusIn() string {
	b.t.Helper()
	return eval[string](b, `(function () {
		var a = document.activeElement, o = document.querySelector("[data-verigate=overlay]");
		if (o && a && o.contains(a)) return a.getAttribute("data-verigate") || a.tagName;
		return "outside:" + (a ? a.tagName + "#" + a.id : "");
	})()`)
}

// openModal clicks the partner page's payroll button and waits for the dialog.
func (b *tab) openModal() {
	b.t.Helper()
	b.click("#connect-payroll")
	b.waitDialog()
}

func (b *tab) waitDialog() {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !eval[bool](b, `!!document.querySelector("[data-verigate=dialog]")`) {
		if time.Now().After(deadline) {
			b.t.Fatalf("no dialog opened; recorded callbacks:\n%s", eventList(b.events()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantEvents compares the recorded callbacks with want, in order; a payload
// "*" matches any.
func wantEvents(t *testing.T, got []event, want ...string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		cb, payload, _ := strings.Cut(want[i], " ")
		ok = got[i].Callback == cb && (payload == "*" || jsonEqual(got[i].Payload, payload))
	}
	if !ok {
		t.Errorf("callbacks:\n%s\nwant:\n  %s", eventList(got), strings.Join(want, "\n  "))
	}
}

func jsonEqual(a json.RawMessage, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

// 1. A sandbox payroll connection inside the modal, from the partner's page
// on another origin: search, item, sign-in, code, success, Continue; the
// callbacks fire in order with the right payloads, and the modal never
// follows redirect_url.
func embedPayrollFlow(t *testing.T, browser context.Context) {
	site := newEmbedSite(t)
	h := newHarness(t, harnessOptions{manualAggregation: true, frameAncestors: []string{site.srv.URL}})
	site.verigate = h.srv.URL
	f := h.newSession(map[string]any{"redirect_url": h.partner.URL + "/return?ref=loan-42"})
	site.links <- f.link
	vg := h.srv.URL + "/connect/"

	b := newTab(t, browser, desktop)
	b.open(site.srv.URL + "/")
	b.waitText("Acme Lending", "Connect payroll")
	if sdkLoaded := eval[bool](b, `typeof Verigate === "object" && typeof Verigate.create === "function"`); !sdkLoaded {
		t.Fatal("the SDK did not load with its integrity hash from the other origin")
	}
	b.openModal()
	if got := eval[string](b, `(function () { var d = document.querySelector("[data-verigate=dialog]");
		return [d.getAttribute("role"), d.getAttribute("aria-modal"), d.getAttribute("aria-label"), getComputedStyle(document.body).overflow,
			String(document.querySelector("main").inert)].join("|"); })()`); got != "dialog|true|Connect your account|hidden|true" {
		t.Errorf("dialog role|aria-modal|label|body overflow|page inert = %s", got)
	}
	if w := eval[float64](b, `document.querySelector("[data-verigate=dialog]").getBoundingClientRect().width`); w != 480 {
		t.Errorf("dialog is %v px wide on an 800 px screen, want 480", w)
	}
	b.frameText(vg, "Connect your payroll account", "Whole Goods")
	b.waitEvent("search_opened")
	b.shot("modal-search")

	// Live search, then the item.
	b.frameDo(vg, `(function () { var q = document.getElementById("q"); q.value = "MULLER"; q.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
	b.frameText(vg, "Müller Logistics", "Results: 1")
	b.frameClick(vg, `button[value="item_000000006"]`)
	b.frameText(vg, "Sign in to Müller Logistics", "test_1 / passgood")
	b.frameFill(vg, "username", "test_1")
	b.frameFill(vg, "password", "passgood")
	b.frameClick(vg, "form[action$='/signin'] button[type=submit]")
	b.frameText(vg, "Enter your verification code")
	b.frameFill(vg, "code", "8081")
	b.frameClick(vg, "form[action$='/mfa'] button[type=submit]")
	b.frameText(vg, "Connecting your account…")
	b.waitEvent("onAccountConnected")
	if !h.aggregate() {
		t.Fatal("no account was waiting for aggregation")
	}
	b.waitEvent("success")
	text := b.frameText(vg, "Your account is connected")
	if strings.Contains(text, "Taking you back") {
		t.Errorf("the embedded done page still announces the redirect:\n%s", text)
	}
	b.shot("modal-done")
	// One close control: the modal's own. The page's Exit, which the
	// standalone done page keeps, is hidden inside the modal.
	if n, _ := inFrame[float64](b, vg, `document.querySelectorAll("a[data-exit]").length`); n != 1 {
		t.Errorf("the done page has %v exit links, want its one (hidden)", n)
	}
	if shown, _ := inFrame[float64](b, vg, `Array.prototype.filter.call(document.querySelectorAll("a[data-exit], [data-close]"), function (e) { return e.offsetParent !== null; }).length`); shown != 0 {
		t.Errorf("the embedded done page shows %v close controls of its own besides the modal's", shown)
	}
	// The page would have left for redirect_url by now were it not embedded.
	time.Sleep(2500 * time.Millisecond)
	b.frameText(vg, "Your account is connected")
	b.frameClick(vg, "#continue")
	evs := b.waitEvent("onClose")

	var acct struct{ AccountID, ItemID, UserID string }
	for _, e := range evs {
		if e.Callback == "onAccountConnected" {
			json.Unmarshal(e.Payload, &acct)
		}
	}
	item := `{"itemId": "item_000000006"}`
	wantEvents(t, evs,
		`onUIEvent {"name": "search_opened", "properties": {}}`,
		`onUIEvent {"name": "item_selected", "properties": `+item+`}`,
		`onUIEvent {"name": "signin_shown", "properties": `+item+`}`,
		`onUIEvent {"name": "login_submitted", "properties": `+item+`}`,
		`onUIEvent {"name": "mfa_shown", "properties": `+item+`}`,
		`onUIEvent {"name": "mfa_submitted", "properties": `+item+`}`,
		fmt.Sprintf(`onAccountConnected {"accountId": %q, "itemId": "item_000000006", "userId": %q}`, acct.AccountID, f.user),
		`onUIEvent {"name": "connecting_shown", "properties": `+item+`}`,
		`onUIEvent {"name": "success", "properties": `+item+`}`,
		`onClose {"user_submission_complete": true, "user_attempted_employer_selection": true}`,
	)
	// The account id is the API's.
	var a struct{ ID, Item string }
	h.api("GET", "/partners/v2/accounts/"+acct.AccountID, nil, &a)
	if a.ID != acct.AccountID || a.Item != "item_000000006" {
		t.Errorf("GET /partners/v2/accounts/%s = %+v", acct.AccountID, a)
	}
	// Closed: the dialog is gone, the page scrolls and is usable again, focus is back on the button.
	if got := eval[string](b, `[!!document.querySelector("[data-verigate]"), getComputedStyle(document.body).overflow,
		document.querySelector("main").inert, document.activeElement.id].join("|")`); got != "false|visible|false|connect-payroll" {
		t.Errorf("after closing: dialog present|body overflow|page inert|focus = %s", got)
	}
	select {
	case q := <-h.returns:
		t.Errorf("the modal went to redirect_url (%v) instead of closing", q)
	default:
	}
	b.shot("closed")
}

// 2. A partner origin verigate does not list cannot frame the link: the
// SDK's frame names its page's origin (Referer), verigate answers with a
// page saying it may not be shown there, framable by that origin alone and
// holding nothing of the session, which reports frame_refused at once; the
// session is not opened and the verification does not start.
func embedUnregisteredOrigin(t *testing.T, browser context.Context) {
	registered, other := newEmbedSite(t), newEmbedSite(t)
	h := newHarness(t, harnessOptions{frameAncestors: []string{registered.srv.URL}})
	other.verigate = h.srv.URL
	if resp, _ := h.get(h.newSession(nil).base); !strings.HasSuffix(resp.Header.Get("Content-Security-Policy"), "frame-ancestors "+registered.srv.URL) {
		t.Errorf("Content-Security-Policy = %q", resp.Header.Get("Content-Security-Policy"))
	}
	f := h.newSession(nil)
	other.links <- f.link

	b := newTab(t, browser, desktop)
	b.open(other.srv.URL + "/?load_timeout=1500")
	b.waitText("Acme Lending")
	b.openModal()
	evs := b.waitEvent("onError")
	b.frameText(h.srv.URL, "This page can’t be shown here")
	b.shot("refused")
	wantEvents(t, evs, `onError {"code": "frame_refused", "status": 403}`)
	f.wantStatus("PENDING/pending")
	// Escape (focus is on the dialog's close button) still closes it.
	b.do(chromedp.KeyEvent(kb.Escape))
	evs = b.waitEvent("onClose")
	wantEvents(t, evs, `onError {"code": "frame_refused", "status": 403}`,
		`onClose {"user_submission_complete": false, "user_attempted_employer_selection": false}`)
}

// 3. An expired link and a link verigate never issued reach onError with
// link_expired and link_invalid: the error pages report themselves.
func embedBadLinks(t *testing.T, browser context.Context) {
	site := newEmbedSite(t)
	h := newHarness(t, harnessOptions{frameAncestors: []string{site.srv.URL}})
	site.verigate = h.srv.URL
	f := h.newSession(nil)
	h.advance(61 * time.Minute)
	site.links <- f.link
	site.links <- h.srv.URL + "/connect/not-a-link"

	b := newTab(t, browser, desktop)
	b.open(site.srv.URL + "/")
	b.waitText("Acme Lending")
	b.openModal()
	b.waitEvent("link_expired")
	b.frameText(h.srv.URL, "This link has expired")
	b.shot("expired")
	b.do(chromedp.KeyEvent(kb.Escape))
	b.waitEvent("onClose")

	b.openModal()
	evs := b.waitEvent("link_invalid")
	b.frameText(h.srv.URL, "Link not found")
	wantEvents(t, evs,
		`onError {"code": "link_expired", "status": 410}`,
		`onClose {"user_submission_complete": false, "user_attempted_employer_selection": false}`,
		`onError {"code": "link_invalid", "status": 404}`,
	)
}

// 4. Keyboard only: the button opens the modal with Enter, focus moves into
// the dialog, Tab and Shift+Tab cycle inside it (through the link's page in
// the frame, whose own Exit link is hidden when embedded), Escape closes it (from inside the frame and from the dialog)
// and onClose fires, focus returns to the button; full screen on a phone.
func embedKeyboard(t *testing.T, browser context.Context) {
	site := newEmbedSite(t)
	h := newHarness(t, harnessOptions{frameAncestors: []string{site.srv.URL}})
	site.verigate = h.srv.URL
	f := h.newSession(nil)
	site.links <- f.link
	site.links <- f.link
	vg := h.srv.URL + "/connect/"

	b := newTab(t, browser, desktop)
	b.open(site.srv.URL + "/")
	b.waitText("Acme Lending")
	b.do(chromedp.KeyEvent(kb.Tab))
	if got := b.focusIn(); got != "outside:BUTTON#connect-payroll" {
		t.Fatalf("first Tab on the partner page focuses %s", got)
	}
	b.do(chromedp.KeyEvent(kb.Enter))
	b.waitDialog()
	if got := b.focusIn(); got != "close" {
		t.Errorf("on opening, focus is at %s, want the dialog's close button", got)
	}
	b.frameText(vg, "Whole Goods")
	b.waitEvent("search_opened")

	// Tab goes through the page in the frame and comes back round to the close button.
	var inside []string
	for i := 0; ; i++ {
		if i == 40 {
			t.Fatalf("Tab never came back to the close button; focus went through %v", inside)
		}
		b.do(chromedp.KeyEvent(kb.Tab))
		where := b.focusIn()
		if strings.HasPrefix(where, "outside") {
			t.Fatalf("Tab left the dialog for %s after %v", where, inside)
		}
		if where == "close" {
			break
		}
		el, _ := inFrame[string](b, vg, `(function () { var a = document.activeElement; return a.id || a.getAttribute("data-exit") !== null && "exit" || a.value || a.tagName; })()`)
		inside = append(inside, el)
	}
	// Embedded, the page's own Exit link is hidden: the dialog's × is the one close control.
	if len(inside) < 3 || inside[0] != "q" || slices.Contains(inside, "exit") {
		t.Errorf("Tab went through %v in the frame, want the search box, ... and no Exit link", inside)
	}
	b.do(chromedp.KeyEvent(kb.Tab))
	if el, _ := inFrame[string](b, vg, `document.activeElement.id`); b.focusIn() != "frame" || el != "q" {
		t.Errorf("Tab after the close button: focus at %s (%s in the frame), want the frame's first control", b.focusIn(), el)
	}
	shiftTab := chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	b.do(shiftTab)
	if got := b.focusIn(); got != "close" {
		t.Errorf("Shift+Tab from the frame's first control: focus at %s, want the close button", got)
	}
	b.do(shiftTab)
	if got := b.focusIn(); got != "frame" {
		t.Errorf("Shift+Tab from the close button: focus at %s, want the frame (wrapping round)", got)
	}

	// Escape inside the frame: the link's page reports the outcome and the modal closes.
	b.do(chromedp.KeyEvent(kb.Escape))
	b.waitEvent("onClose")
	if got := eval[string](b, `[!!document.querySelector("[data-verigate]"), document.activeElement.id, getComputedStyle(document.body).overflow].join("|")`); got != "false|connect-payroll|visible" {
		t.Errorf("after Escape: dialog present|focus|body overflow = %s", got)
	}

	// Again on a phone: full screen; Escape on the dialog's own control.
	mobile(t, b.ctx)
	b.do(chromedp.KeyEvent(kb.Enter))
	b.waitDialog()
	b.frameText(vg, "Whole Goods")
	b.waitEvents("search_opened", 2)
	if got := eval[string](b, `(function () { var r = document.querySelector("[data-verigate=dialog]").getBoundingClientRect();
		return [r.left, r.top, r.width, r.height].join(","); })()`); got != "0,0,375,812" {
		t.Errorf("on a 375×812 phone the dialog is at %s, want 0,0,375,812", got)
	}
	b.shot("phone")
	b.do(chromedp.KeyEvent(kb.Escape))
	evs := b.waitEvents("onClose", 2)
	closed := `onClose {"user_submission_complete": false, "user_attempted_employer_selection": false}`
	wantEvents(t, evs, `onUIEvent {"name": "search_opened", "properties": {}}`, closed,
		`onUIEvent {"name": "search_opened", "properties": {}}`, closed)
	if got := b.focusIn(); got != "outside:BUTTON#connect-payroll" {
		t.Errorf("after the second Escape focus is at %s", got)
	}
}
