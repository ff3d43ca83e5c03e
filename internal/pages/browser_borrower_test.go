package pages_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// viewport gives a tab a phone's width (or a desktop's) and the languages its browser asks for.
func viewport(width int64, acceptLanguage string) tabOption {
	return func(t *testing.T, ctx context.Context) {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(2)}
		if width < 600 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 740, opts...)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
			network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": acceptLanguage}}); err != nil {
			t.Fatal(err)
		}
	}
}

// layoutProblems lists what does not fit the page's width: the page
// scrolling sideways, an element sticking out of the viewport or cutting its
// own text off, a placeholder or label wider than its box, and a masked
// account number or amount broken across lines.
const layoutProblems = `(function () {
	var out = [], vw = document.documentElement.clientWidth;
	var name = function (e) { return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""); };
	if (document.documentElement.scrollWidth > vw) { out.push("page scrolls sideways: " + document.documentElement.scrollWidth + " > " + vw); }
	var canvas = document.createElement("canvas").getContext("2d");
	document.querySelectorAll("body *").forEach(function (e) {
		var s = getComputedStyle(e);
		if (s.display === "none" || s.visibility === "hidden" || e.closest(".visually-hidden")) { return; }
		var r = e.getBoundingClientRect();
		if (r.width > 0 && r.right > vw + 0.5) { out.push(name(e) + " sticks out: right " + Math.round(r.right) + " > " + vw); }
		if (e.scrollWidth > e.clientWidth + 1 && s.overflowX !== "visible" && e.tagName !== "INPUT") {
			out.push(name(e) + " cuts its text: " + e.scrollWidth + " > " + e.clientWidth + " (" + e.textContent.trim().slice(0, 40) + ")");
		}
		if ((e.tagName === "INPUT" || e.tagName === "TEXTAREA") && e.placeholder) {
			canvas.font = s.font;
			var room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
			var need = canvas.measureText(e.placeholder).width;
			if (need > room) { out.push(name(e) + " placeholder " + JSON.stringify(e.placeholder) + " needs " + Math.ceil(need) + "px of " + Math.floor(room)); }
		}
		if (e.tagName === "LABEL" && e.scrollWidth > e.clientWidth + 1) { out.push(name(e) + " label too wide"); }
	});
	document.querySelectorAll(".mask, .account .balance").forEach(function (e) {
		if (e.getClientRects().length !== 1) { out.push(name(e) + " " + JSON.stringify(e.textContent) + " breaks across lines"); }
	});
	return out;
})()`

// TestBrowserSmallScreens walks the payroll search and sign-in, the
// bank's choice of accounts and the not-found page at 320, 360 and 375 px
// in every page language, and checks that nothing is cut off or overflows.
func TestBrowserSmallScreens(t *testing.T) {
	browser := newBrowser(t)
	h := newHarness(t, harnessOptions{})
	for _, width := range []int64{320, 360, 375} {
		for _, l := range byLanguage {
			t.Run(fmt.Sprintf("%d-%s", width, l.lang), func(t *testing.T) {
				b := newTab(t, browser, viewport(width, l.accept))
				check := func(what string) {
					t.Helper()
					b.waitFor(what+" loaded", `document.readyState === "complete" && !!document.documentElement && !!document.body`)
					if problems := eval[[]string](b, layoutProblems); len(problems) > 0 {
						b.shot(what)
						t.Errorf("%s at %d px in %s:\n  %s", what, width, l.lang, strings.Join(problems, "\n  "))
					}
				}
				f := h.newSession(map[string]any{"language": l.lang})
				b.open(f.link)
				b.waitText(l.requester, "Whole Goods")
				check("payroll search")
				b.click(`button[value="item_000000008"]`)
				b.do(chromedp.WaitVisible(chromedp.ID("password")))
				b.signIn("test_1", "wrong")
				b.waitFor("the refusal", `document.readyState === "complete" && !!document.getElementById("form-error") && document.getElementById("username").value === "test_1"`)
				check("payroll sign-in after a refusal")

				bf := h.newBankSession(nil)
				b.open(bf.link)
				b.waitText(l.requester)
				if got := eval[string](b, `document.documentElement.lang`); got != l.htmlLang {
					t.Errorf("bank page in %q, want %q", got, l.htmlLang)
				}
				check("bank search")
				b.click(`button[value="ins_000000010"]`)
				b.signIn("test_1", "passgood")
				b.do(chromedp.WaitVisible(chromedp.ID("code")))
				b.fill("code", "8081")
				b.click("form[action$='/mfa'] button[type=submit]")
				b.do(chromedp.WaitVisible(chromedp.CSS(".mask")))
				check("bank accounts")

				// A link that cannot be read: the browser's language, and what to do.
				b.open(h.srv.URL + "/connect/forged")
				b.waitText(l.notFound)
				if got := eval[string](b, `document.documentElement.lang`); got != l.htmlLang {
					t.Errorf("not-found page in %q, want %q", got, l.htmlLang)
				}
				check("not-found page")
			})
		}
	}
}

// waitFor waits until a JavaScript expression is true. An expression that
// throws, or a page between two documents, counts as false: a page still
// being parsed may hold one element of the pair the expression reads and
// not yet the other.
func (b *tab) waitFor(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(12 * time.Second)
	guarded := fmt.Sprintf(`(function () { try { return !!(%s); } catch (e) { return false; } })()`, expr)
	for {
		ok, err := tryEval[bool](b, guarded)
		if ok && err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.shot("timeout")
			b.t.Fatalf("%s never happened at %s (last error: %v); the page shows:\n%s", what, b.location(), err, b.text())
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// tabTo presses Tab until an element matching css has the focus.
func (b *tab) tabTo(css string) {
	b.t.Helper()
	for range 40 {
		if eval[bool](b, fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%q)`, css)) {
			return
		}
		b.do(chromedp.KeyEvent(kb.Tab))
	}
	b.t.Fatalf("Tab never reached %s at %s", css, b.location())
}

// keys types text into whatever has the focus.
func (b *tab) keys(text string) { b.t.Helper(); b.do(chromedp.KeyEvent(text)) }

// currentStep is the number of the step indicator's current step, or "".
const currentStep = `(function () { var c = document.querySelector('.steps [aria-current="step"] .n'); return c ? c.textContent : ""; })()`

// TestBrowserKeyboardWalk connects an account with the keyboard alone, on
// a phone and on a desktop, in every page language: the step indicator
// follows each step, the payroll providers are a fallback of the search,
// a refused sign-in keeps the username, the connecting page is seen, and
// the done page names the partner and keeps its exit.
func TestBrowserKeyboardWalk(t *testing.T) {
	browser := newBrowser(t)
	h := newHarness(t, harnessOptions{connectingMin: 800 * time.Millisecond})
	for _, width := range []int64{360, 1024} {
		for _, l := range byLanguage {
			t.Run(fmt.Sprintf("%d-%s", width, l.lang), func(t *testing.T) {
				b := newTab(t, browser, viewport(width, l.accept))
				f := h.newSession(map[string]any{"language": l.lang})
				b.open(f.link)
				b.waitText(l.requester)
				if got := eval[string](b, currentStep); got != "1" {
					t.Errorf("search: step %q", got)
				}
				// Can't find the employer: the payroll providers instead.
				b.tabTo("#providers")
				b.keys(kb.Enter)
				b.waitText("Ledgerline Payroll")
				b.noText("Whole Goods")
				b.tabTo("#q")
				b.keys("Mart")
				b.waitFor("the search", `!!document.querySelector('button[value="item_000000008"]')`)
				b.tabTo(`button[value="item_000000008"]`)
				b.keys(kb.Enter)
				b.waitFor("the sign-in", `!!document.getElementById("username") && document.activeElement.id === "username"`)
				if got := eval[string](b, currentStep); got != "2" {
					t.Errorf("sign-in: step %q", got)
				}
				b.keys("test_1")
				b.tabTo("#password")
				b.keys("wrong" + kb.Enter)
				b.waitFor("the refusal", `!!document.getElementById("form-error")`)
				// autofocus applies at the page's next rendering, not when the
				// element exists: wait for it, then check what the form holds.
				b.waitFor("the focus on the password", `document.activeElement && document.activeElement.id === "password"`)
				if got := eval[[]string](b, `[document.getElementById("username").value, document.getElementById("password").value]`); got[0] != "test_1" || got[1] != "" {
					t.Errorf("after a refused sign-in: username %q, password %q", got[0], got[1])
				}
				b.keys("passgood" + kb.Enter)
				b.waitFor("the code", `!!document.getElementById("code") && document.activeElement.id === "code"`)
				if got := eval[string](b, currentStep); got != "3" {
					t.Errorf("MFA: step %q", got)
				}
				b.keys("8081" + kb.Enter)
				b.waitFor("the connecting page", `!!document.querySelector("[data-poll]")`)
				if got := eval[string](b, currentStep); got != "3" {
					t.Errorf("connecting: step %q", got)
				}
				b.waitFor("the done page", `!!document.getElementById("continue")`)
				if got := eval[string](b, currentStep); got != "4" {
					t.Errorf("done: step %q", got)
				}
				b.waitText(l.doneWithPartner, l.requester)
				b.tabTo("a[data-exit]")
				b.tabTo("#continue")
			})
		}
	}
}
