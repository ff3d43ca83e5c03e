package pages_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser the tests drive: Debian's /usr/bin/chromium
// first, then chromium, chromium-browser or google-chrome on PATH.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium for one test function and returns
// its context; tabs are opened from it with newTab. Without a browser the
// test is skipped, except under CI, where it fails.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		const msg = "no Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome on PATH); " +
			"install it with: apt-get install chromium"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set, so the browser tests must run)")
		}
		t.Skip(msg)
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return bctx
}

// tab is one browser tab driven by a test; every step can save a screenshot.
type tab struct {
	t   *testing.T
	ctx context.Context
	dir string
	n   atomic.Int32
}

// tabOption prepares a tab before its first page.
type tabOption func(t *testing.T, ctx context.Context)

// mobile emulates a 375×812 phone.
func mobile(t *testing.T, ctx context.Context) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
}

// noScript turns JavaScript off in the tab.
func noScript(t *testing.T, ctx context.Context) {
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
}

// desktop gives the tab a fixed 800×900 viewport.
func desktop(t *testing.T, ctx context.Context) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(800, 900)); err != nil {
		t.Fatal(err)
	}
}

func newTab(t *testing.T, browser context.Context, opts ...tabOption) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, bound to ctx
		t.Fatal(err)
	}
	for _, o := range opts {
		o(t, ctx)
	}
	dir := filepath.Join(t.TempDir(), "screenshots")
	if keep := os.Getenv("VERIGATE_SCREENSHOT_DIR"); keep != "" {
		dir = filepath.Join(keep, strings.ReplaceAll(t.Name(), "/", "_"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &tab{t: t, ctx: ctx, dir: dir}
}

// scenario is one browser test: a name and what it does in a tab of browser.
type scenario struct {
	name string
	run  func(t *testing.T, browser context.Context)
}

// runScenarios runs each scenario as a parallel subtest, all in tabs of one browser.
func runScenarios(t *testing.T, scenarios []scenario) {
	browser := newBrowser(t)
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t, browser)
		})
	}
}

// do runs actions with a time limit.
func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("error")
		b.t.Fatalf("browser: %v\npage text:\n%s", err, b.text())
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := tryEval[T](b, expr)
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// tryEval evaluates a JavaScript expression in the page and returns the
// error instead of failing the test: the page may be between two documents.
func tryEval[T any](b *tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// evalAwait evaluates a JavaScript expression and waits for the promise it returns.
func evalAwait[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// open navigates to a URL.
func (b *tab) open(url string) { b.t.Helper(); b.do(chromedp.Navigate(url)) }

// text is the page's visible text, or "" while no page is ready. A page
// still being parsed counts as not ready: its heading may be there before
// the form under it, and a test that waited for the heading goes on to
// read the form.
func (b *tab) text() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState !== "loading" && document.body ? document.body.innerText : ""`))
	if err != nil {
		return ""
	}
	return s
}

// waitText waits until the visible text holds every want, and returns it.
func (b *tab) waitText(wants ...string) string {
	b.t.Helper()
	deadline := time.Now().Add(12 * time.Second)
	for {
		s := b.text()
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
			b.shot("timeout")
			b.t.Fatalf("page at %s never showed %q; it shows:\n%s", b.location(), missing, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// noText fails if the visible text holds any of the strings.
func (b *tab) noText(nots ...string) {
	b.t.Helper()
	s := b.text()
	for _, n := range nots {
		if strings.Contains(s, n) {
			b.t.Errorf("page at %s shows %q:\n%s", b.location(), n, s)
		}
	}
}

// location is the tab's current URL.
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Location())
	return u
}

// heading is the page's h1.
func (b *tab) heading() string {
	b.t.Helper()
	return strings.TrimSpace(eval[string](b, `(document.querySelector("h1") || {}).innerText || ""`))
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// shot saves a screenshot of the whole page as the next numbered PNG.
func (b *tab) shot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.n.Add(1), unsafeName.ReplaceAllString(strings.ToLower(name), "-")))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// fill replaces what an input holds (a refused sign-in keeps its username) by typing value.
func (b *tab) fill(id, value string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.ID(id)))
	eval[bool](b, fmt.Sprintf(`(function () { var e = document.getElementById(%q); if (e) { e.value = ""; } return true; })()`, id))
	b.do(chromedp.SendKeys(chromedp.ID(id), value))
}

// click clicks the first element a CSS selector finds.
func (b *tab) click(css string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(css)))
}

// signIn submits the sign-in form.
func (b *tab) signIn(user, password string) {
	b.t.Helper()
	b.fill("username", user)
	b.fill("password", password)
	b.click("form[action$='/signin'] button[type=submit]")
}
