package pages_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// demoLogo draws a 96×96 PNG mark: a blue disc with a white triangle.
func demoLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 96, 96))
	for x := range 96 {
		for y := range 96 {
			dx, dy := float64(x)-47.5, float64(y)-47.5
			switch {
			case math.Hypot(dx, dy) > 47:
			case y > 28 && y < 70 && math.Abs(dx) < float64(y-28)*0.62:
				img.Set(x, y, color.White)
			default:
				img.Set(x, y, color.NRGBA{R: 11, G: 83, B: 148, A: 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// demoFlow creates the flow the docs' screenshot and the browser test show.
func (h *harness) demoFlow(t *testing.T) {
	t.Helper()
	h.customize("flows", map[string]any{"id": "ACME", "name": "Acme loans", "brand_name": "Acme Lending", "accent_color": "#0b5394",
		"intro": map[string]string{"EN": "Acme Lending needs your income to approve your loan. Pick your employer below and sign in."},
		"items": []string{"item_000000005", "item_000000006", "item_000000008", "item_000000001"}})
	if code, b := h.call(h.key, "PUT", "/partners/v2/flows/ACME/logo", demoLogo(t)); code != http.StatusOK {
		t.Fatalf("upload logo: %d %s", code, b)
	}
}

// TestBrowserCustomFlow checks in a real browser that a flow's logo and
// accent pass the pages' Content-Security-Policy and that the live search
// keeps to the flow's items.
func TestBrowserCustomFlow(t *testing.T) {
	browser := newBrowser(t)
	h := newHarness(t, harnessOptions{})
	h.demoFlow(t)
	f := h.newSession(map[string]any{"flow_id": "ACME", "items": []string{"item_000000005", "item_000000008", "item_000000002"}})
	b := newTab(t, browser, desktop)
	b.open(f.link)
	b.waitText("Acme Lending · secured by verigate", "Acme Lending needs your income", "Café Riviera Foods", "Mart Foods")
	b.noText("Whole Goods", "Müller Logistics", "Bullseye")
	b.shot("search")
	if !eval[bool](b, `(() => { const i = document.querySelector(".brand-logo"); return !!i && i.complete && i.naturalWidth === 96 })()`) {
		t.Error("the logo did not load")
	}
	if got := eval[string](b, `getComputedStyle(document.documentElement).getPropertyValue("--accent").trim()`); got != "#0b5394" {
		t.Errorf("--accent %q, want #0b5394", got)
	}
	// The live search (JSON) keeps to the items both lists name.
	b.do(chromedp.SendKeys(chromedp.ID("q"), "foods"))
	b.waitText("Results: 2")
	b.do(chromedp.SendKeys(chromedp.ID("q"), "\b\b\b\b\bmart"))
	b.waitText("Results: 1")
	b.click(`button[value="item_000000008"]`)
	b.waitText("Sign in to Mart Foods", "Acme Lending · secured by verigate")
	if got := eval[string](b, `getComputedStyle(document.querySelector(".primary")).backgroundColor`); got != "rgb(11, 83, 148)" {
		t.Errorf("sign-in button background %q, want the accent rgb(11, 83, 148)", got)
	}
	b.shot("signin")
}
