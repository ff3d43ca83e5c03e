package pages_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDocScreenshots regenerates the screenshots docs/connect.md shows. It
// only runs with VERIGATE_UPDATE_SCREENSHOTS=1:
//
//	VERIGATE_UPDATE_SCREENSHOTS=1 go test ./internal/connect -run TestDocScreenshots
func TestDocScreenshots(t *testing.T) {
	if os.Getenv("VERIGATE_UPDATE_SCREENSHOTS") != "1" {
		t.Skip("set VERIGATE_UPDATE_SCREENSHOTS=1 to rewrite docs/screenshots")
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newSession(nil)

	// save writes the card (not the empty page around it) as docs/screenshots/name.png.
	save := func(b *tab, name string) {
		t.Helper()
		// No caret or focus ring on the pictures, and no animation frame caught midway.
		eval[bool](b, `document.activeElement && document.activeElement.blur(), true`)
		time.Sleep(100 * time.Millisecond)
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(".frame")))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s.png (%d bytes)", name, len(png))
	}

	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.do(chromedp.SendKeys(chromedp.ID("q"), "ma"))
	b.waitText("Mart Foods", "Results:")
	save(b, "search")
	b.click(`button[value="item_000000008"]`)
	b.waitText("Sign in to Mart Foods")
	save(b, "signin")
	b.signIn("test_1", "passgood")
	b.waitText("Enter your verification code")
	save(b, "mfa")
	b.fill("code", "8081")
	b.click("form[action$='/mfa'] button[type=submit]")
	b.waitText("Connecting your account…")
	h.aggregate()
	b.waitText("Your account is connected")
	save(b, "done")

	m := h.newSession(map[string]any{"items": []string{"item_000000006"}, "language": "ES"})
	p := newTab(t, browser, func(t *testing.T, ctx context.Context) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
	})
	p.open(m.link)
	p.waitText("Inicie sesión en Müller Logistics")
	p.signIn("test_1", "incorrecta")
	p.waitText("El usuario o la contraseña no son correctos.")
	save(p, "mobile-signin-es")

	// A flow's branding: logo, brand name, accent colour, introduction and items.
	h.demoFlow(t)
	cf := h.newSession(map[string]any{"flow_id": "ACME"})
	cb := newTab(t, browser, desktop)
	cb.open(cf.link)
	cb.waitText("Acme Lending · secured by verigate", "Mart Foods")
	save(cb, "custom-search")
	cb.click(`button[value="item_000000008"]`)
	cb.waitText("Sign in to Mart Foods")
	save(cb, "custom-signin")

	// Banking: the institution search and the account choice.
	bf := h.newBankSession(nil)
	bb := newTab(t, browser, desktop)
	bb.open(bf.link)
	bb.do(chromedp.SendKeys(chromedp.ID("q"), "cre"))
	bb.waitText("Crédit Acadien Bank", "Results:")
	save(bb, "bank-search")
	bb.click(`button[value="ins_000000010"]`)
	bb.waitText("Sign in to Crédit Acadien Bank")
	bb.signIn("test_1", "passgood")
	bb.waitText("Enter your verification code")
	bb.fill("code", "8081")
	bb.click("form[action$='/mfa'] button[type=submit]")
	bb.waitText("Choose the accounts to share", "High-Yield Savings")
	bb.click("label[for=account-1]")
	save(bb, "bank-accounts")
}
