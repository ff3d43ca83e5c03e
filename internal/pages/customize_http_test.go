package pages_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
)

// HTTP tests of flows and experiences on the pages: branding, items and framing.

// call sends a partner API request with key k: body is sent raw when it is
// a []byte, as JSON otherwise. It returns the status and the body.
func (h *harness) call(k partner.NewKey, method, path string, body any) (int, string) {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	req.SetBasicAuth(k.ID, k.Secret)
	if _, raw := body.([]byte); body != nil && !raw {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// customize creates a flow or experience (kind "flows" or "experiences") with the harness's key.
func (h *harness) customize(kind string, body map[string]any) {
	h.t.Helper()
	if code, b := h.call(h.key, "POST", "/partners/v2/"+kind, body); code != http.StatusCreated {
		h.t.Fatalf("create %s: %d %s", kind, code, b)
	}
}

// testPNG returns a small PNG image.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for x := range 8 {
		for y := range 4 {
			img.Set(x, y, color.RGBA{R: 11, G: 83, B: 148, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// frameAncestors returns a response's CSP frame-ancestors value.
func frameAncestors(resp *http.Response) string {
	_, fa, _ := strings.Cut(resp.Header.Get("Content-Security-Policy"), "frame-ancestors ")
	fa, _, _ = strings.Cut(fa, ";")
	return fa
}

// itemIDs returns the item ids a search page offers, in order.
func itemIDs(page string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`name="item" value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// jsonIDs returns the ids of the items JSON endpoint's answer.
func jsonIDs(t *testing.T, body string) []string {
	t.Helper()
	var out struct{ Results []struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	ids := []string{}
	for _, r := range out.Results {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestCustomFlowRendersOnThePages(t *testing.T) {
	h := newHarness(t, harnessOptions{frameAncestors: []string{"https://partner.example"}})
	h.customize("flows", map[string]any{"id": "ACME", "name": "Acme", "brand_name": "Acme Lending", "accent_color": "#0B5394",
		"intro":         map[string]string{"EN": "Acme needs your payroll to approve your loan.", "ES": "Acme necesita su nómina para aprobar su préstamo."},
		"frame_origins": []string{"https://app.acme.example", "https://partner.example"}})
	logo := testPNG(t)
	if code, b := h.call(h.key, "PUT", "/partners/v2/flows/ACME/logo", logo); code != http.StatusOK {
		t.Fatalf("upload logo: %d %s", code, b)
	}
	f := h.newSession(map[string]any{"flow_id": "ACME"})
	resp, page := h.get(f.base)
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d %s", resp.StatusCode, page)
	}
	wantContains(t, "custom page", page, `<span class="brand-name">Acme Lending · secured by verigate</span>`,
		`<img class="brand-logo" src="`+f.base+`/logo?v=`, `alt="">`,
		`<link rel="stylesheet" href="`+f.base+`/theme.css?v=0b5394">`,
		`<p class="lead custom-intro">Acme needs your payroll to approve your loan.</p>`)
	if strings.Contains(page, "Find your employer or payroll provider and sign in.") {
		t.Error("the default intro is shown next to the flow's")
	}

	// The logo and the theme, with their headers.
	logoURL := regexp.MustCompile(`src="(/connect/[^"]+/logo\?v=\d+)"`).FindStringSubmatch(page)
	if logoURL == nil {
		t.Fatalf("no logo URL in %s", page)
	}
	resp, body := h.get(logoURL[1])
	if resp.StatusCode != 200 || body != string(logo) {
		t.Fatalf("logo: %d, %d bytes, want the %d uploaded", resp.StatusCode, len(body), len(logo))
	}
	for k, want := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("logo %s %q, want %q", k, got, want)
		}
	}
	req, _ := http.NewRequest("GET", h.srv.URL+logoURL[1], nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if r2, err := client.Do(req); err != nil || r2.StatusCode != http.StatusNotModified {
		t.Errorf("logo revalidation: %v %v, want 304", err, r2)
	} else {
		r2.Body.Close()
	}
	resp, body = h.get(f.base + "/theme.css?v=0b5394")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != ":root{--accent:#0b5394}" || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("theme: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	// Framing: the server-wide origin and the flow's, once each, on everything the link serves.
	for _, path := range []string{f.base, f.base + "/items?q=a", f.base + "/status", logoURL[1], f.base + "/theme.css"} {
		resp, _ := h.get(path)
		if got, want := frameAncestors(resp), "https://partner.example https://app.acme.example"; got != want {
			t.Errorf("%s: frame-ancestors %q, want %q", path, got, want)
		}
		if got, ok := resp.Header["X-Frame-Options"]; ok {
			t.Errorf("%s: X-Frame-Options %q although framing is allowed", path, got)
		}
		if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("%s sets cookies %q", path, c)
		}
	}
	// Another link of the same partner without the flow keeps the server-wide list only.
	plain := h.newSession(nil)
	resp, page = h.get(plain.base)
	if got := frameAncestors(resp); got != "https://partner.example" {
		t.Errorf("plain link: frame-ancestors %q", got)
	}
	if strings.Contains(page, "Acme Lending") || strings.Contains(page, "theme.css") || strings.Contains(page, "brand") {
		t.Errorf("plain link shows the flow:\n%s", page)
	}
	// The expired page of a customized link may be framed too, so an embedding page shows it.
	h.advance(2 * time.Hour)
	resp, _ = h.get(f.base)
	if resp.StatusCode != http.StatusGone || frameAncestors(resp) != "https://partner.example https://app.acme.example" {
		t.Errorf("expired: %d, frame-ancestors %q", resp.StatusCode, frameAncestors(resp))
	}
}

func TestCustomFlowIntroLanguages(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.customize("flows", map[string]any{"id": "ACME", "name": "Acme", "brand_name": "Acme Lending",
		"intro": map[string]string{"EN": "Connect the account your pay goes to.", "ES": "Conecte la cuenta donde recibe su sueldo."}})
	_, page := h.get(h.newSession(map[string]any{"flow_id": "ACME", "language": "ES"}).base)
	wantContains(t, "ES page", page, `<html lang="es">`, "Acme Lending · protegido por verigate", ">Conecte la cuenta donde recibe su sueldo.</p>")
	// No Russian text: the English one.
	_, page = h.get(h.newSession(map[string]any{"flow_id": "ACME", "language": "RU"}).base)
	wantContains(t, "RU page", page, "Acme Lending · защищено verigate", ">Connect the account your pay goes to.</p>")
	// No intro at all: verigate's own, in the page language.
	h.customize("flows", map[string]any{"id": "BARE", "name": "Bare", "brand_name": "Bare Co"})
	_, page = h.get(h.newSession(map[string]any{"flow_id": "BARE", "language": "ES"}).base)
	wantContains(t, "ES page without intro", page, `<p class="lead">Busque a su empleador`)
}

func TestCustomFlowWithoutLogoOrAccent(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.customize("flows", map[string]any{"id": "ACME", "name": "Acme", "brand_name": "Acme Lending"})
	f := h.newSession(map[string]any{"flow_id": "ACME"})
	_, page := h.get(f.base)
	wantContains(t, "page", page, "Acme Lending · secured by verigate")
	if strings.Contains(page, "theme.css") || strings.Contains(page, "<img") {
		t.Errorf("page links a theme or a logo that do not exist:\n%s", page)
	}
	for _, path := range []string{f.base + "/logo", f.base + "/logo?v=1", f.base + "/theme.css"} {
		if resp, _ := h.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
	// And without a customization at all.
	plain := h.newSession(nil)
	for _, path := range []string{plain.base + "/logo", plain.base + "/theme.css"} {
		if resp, _ := h.get(path); resp.StatusCode != http.StatusNotFound || frameAncestors(resp) != "'none'" {
			t.Errorf("%s: %d, frame-ancestors %q", path, resp.StatusCode, frameAncestors(resp))
		}
	}
	// No frame_origins: framing stays denied.
	if resp, _ := h.get(f.base); frameAncestors(resp) != "'none'" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("frame-ancestors %q, X-Frame-Options %q", frameAncestors(resp), resp.Header.Get("X-Frame-Options"))
	}
}

func TestCustomExperienceRendersOnBankPages(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const id = "5b0c7e52-6d0e-4a53-9c1f-0d1d8f5c2a11"
	h.customize("experiences", map[string]any{"id": id, "name": "Bank", "brand_name": "Harbor Credit", "accent_color": "#7a1f5c",
		"intro":         map[string]string{"ES": "Conecte su banco para Harbor Credit."},
		"institutions":  []string{"ins_000000010", "ins_000000001"},
		"frame_origins": []string{"https://embed.harbor.example"}})
	f := h.newBankSession(map[string]any{"experience": id})
	req, _ := http.NewRequest("GET", h.srv.URL+f.base, nil)
	req.Header.Set("Accept-Language", "es-MX,es;q=0.9")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	wantContains(t, "bank page", page, "Harbor Credit · protegido por verigate", ">Conecte su banco para Harbor Credit.</p>",
		`href="`+f.base+`/theme.css?v=7a1f5c"`)
	if got := itemIDs(page); strings.Join(got, ",") != "ins_000000001,ins_000000010" {
		t.Errorf("institutions offered %q, want the experience's two", got)
	}
	if got := frameAncestors(resp); got != "https://embed.harbor.example" {
		t.Errorf("frame-ancestors %q", got)
	}
	// English browser: no English intro, so verigate's bank intro.
	_, page = h.get(f.base)
	wantContains(t, "EN bank page", page, "Harbor Credit · secured by verigate", `<p class="lead">`)
	_, body := h.get(f.base + "/items?q=bank")
	if got := jsonIDs(t, body); strings.Join(got, ",") != "ins_000000010,ins_000000001" && strings.Join(got, ",") != "ins_000000001,ins_000000010" {
		t.Errorf("search bank: %q, want the experience's two", got)
	}
	// An institution outside the experience cannot be picked by a crafted post.
	resp, _ = h.post(f.base+"/select", url.Values{"item": {"ins_000000002"}, "csrf": {csrf(t, page)}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?notice=unknown_item") {
		t.Errorf("select outside the experience: %d %q", resp.StatusCode, loc)
	}
}

func TestCustomFlowItemsIntersectSessionItems(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.customize("flows", map[string]any{"id": "ACME", "name": "Acme", "items": []string{"item_000000001", "item_000000002", "item_000000003"}})
	// Flow only: its items, all of them before anything is typed.
	f := h.newSession(map[string]any{"flow_id": "ACME"})
	_, page := h.get(f.base)
	if got := itemIDs(page); strings.Join(got, ",") != "item_000000001,item_000000002,item_000000003" {
		t.Errorf("flow only: %q", got)
	}
	// Both: the ids in both lists.
	f = h.newSession(map[string]any{"flow_id": "ACME", "items": []string{"item_000000003", "item_000000002", "item_000000004"}})
	_, page = h.get(f.base)
	if got := itemIDs(page); strings.Join(got, ",") != "item_000000002,item_000000003" {
		t.Errorf("flow ∩ session items: page offers %q", got)
	}
	_, body := h.get(f.base + "/items?q=")
	if got := jsonIDs(t, body); strings.Join(got, ",") != "item_000000002,item_000000003" {
		t.Errorf("flow ∩ session items: JSON offers %q", got)
	}
	for _, id := range []string{"item_000000001", "item_000000004"} {
		resp, _ := h.post(f.base+"/select", url.Values{"item": {id}, "csrf": {csrf(t, page)}})
		if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "?notice=unknown_item") {
			t.Errorf("select %s (in one list only): %d %q", id, resp.StatusCode, loc)
		}
	}
	if resp, _ := h.post(f.base+"/select", url.Values{"item": {"item_000000002"}, "csrf": {csrf(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("select in both: %d", resp.StatusCode)
	}
	_, page = h.get(f.base)
	wantContains(t, "after select", page, "Sign in to ")
	// No id in common: nothing is offered (not the whole catalog).
	f = h.newSession(map[string]any{"flow_id": "ACME", "items": []string{"item_000000005"}})
	_, page = h.get(f.base)
	if got := itemIDs(page); len(got) != 0 {
		t.Errorf("disjoint lists: page offers %q", got)
	}
}

func TestSingleAllowedItemOpensSignIn(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.customize("flows", map[string]any{"id": "ONE", "name": "One", "items": []string{"item_000000006"}})
	_, page := h.get(h.newSession(map[string]any{"flow_id": "ONE"}).base)
	wantContains(t, "single flow item", page, "Sign in to Müller Logistics")
	// Two in the flow, one of them in the session's items: that one.
	h.customize("flows", map[string]any{"id": "TWO", "name": "Two", "items": []string{"item_000000006", "item_000000008"}})
	_, page = h.get(h.newSession(map[string]any{"flow_id": "TWO", "items": []string{"item_000000008", "item_000000001"}}).base)
	wantContains(t, "single common item", page, "Sign in to Mart Foods")
}

func TestDeletedFlowFallsBackToDefaults(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.customize("flows", map[string]any{"id": "ACME", "name": "Acme", "brand_name": "Acme Lending", "accent_color": "#0b5394",
		"intro": map[string]string{"EN": "Acme intro."}, "items": []string{"item_000000001", "item_000000002"},
		"frame_origins": []string{"https://app.acme.example"}})
	f := h.newSession(map[string]any{"flow_id": "ACME"})
	if _, page := h.get(f.base); !strings.Contains(page, "Acme Lending") {
		t.Fatalf("before deletion: no brand in\n%s", page)
	}
	if code, b := h.call(h.key, "DELETE", "/partners/v2/flows/ACME", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", code, b)
	}
	resp, page := h.get(f.base)
	if resp.StatusCode != 200 {
		t.Fatalf("after deletion: %d %s", resp.StatusCode, page)
	}
	wantContains(t, "after deletion", page, "Find your employer or payroll provider and sign in.")
	for _, s := range []string{"Acme Lending", "Acme intro", "theme.css", "brand"} {
		if strings.Contains(page, s) {
			t.Errorf("after deletion the page still shows %q", s)
		}
	}
	if got := itemIDs(page); len(got) != 12 {
		t.Errorf("after deletion: %d items offered, want the 12 popular ones", len(got))
	}
	if got := frameAncestors(resp); got != "'none'" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("after deletion: frame-ancestors %q", got)
	}
	if resp, _ := h.get(f.base + "/theme.css"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("theme after deletion: %d", resp.StatusCode)
	}
}

func TestOtherPartnersFlowNeverApplies(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	other, err := h.app.Keys.CreatePartner(context.Background(), "Other", "test", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	// The other partner's flow with the same id brands, limits and frames differently.
	if code, b := h.call(other, "POST", "/partners/v2/flows", map[string]any{"id": "ACME", "name": "Theirs", "brand_name": "Other Co",
		"items": []string{"item_000000006"}, "frame_origins": []string{"https://evil.example"}}); code != http.StatusCreated {
		t.Fatalf("other partner's flow: %d %s", code, b)
	}
	h.customize("flows", map[string]any{"id": "ACME", "name": "Mine", "brand_name": "Acme Lending"})
	f := h.newSession(map[string]any{"flow_id": "ACME"})
	resp, page := h.get(f.base)
	wantContains(t, "own flow", page, "Acme Lending · secured by verigate")
	if strings.Contains(page, "Other Co") || strings.Contains(page, "Sign in to") || strings.Contains(frameAncestors(resp), "evil") {
		t.Errorf("the other partner's flow applies: frame-ancestors %q\n%s", frameAncestors(resp), page)
	}
	// A flow only the other partner has cannot be named at all.
	if code, b := h.call(other, "POST", "/partners/v2/flows", map[string]any{"id": "THEIRS", "name": "Theirs", "brand_name": "Other Co"}); code != http.StatusCreated {
		t.Fatalf("other partner's flow: %d %s", code, b)
	}
	var user struct{ ID string }
	h.api("POST", "/partners/v2/users", map[string]any{"client": h.key.ClientID, "first_name": "Bob", "last_name": "Jones"}, &user)
	var v struct{ ID string }
	h.api("POST", "/partners/v2/verifications", map[string]any{"user": user.ID, "report": map[string]any{"type": "voie"}}, &v)
	if code, b := h.call(h.key, "POST", "/partners/v2/sessions", map[string]any{"verification": v.ID,
		"configuration": map[string]any{"flow_id": "THEIRS"}}); code != http.StatusBadRequest {
		t.Errorf("session naming another partner's flow: %d %s", code, b)
	}
}

func TestSampleFlowBrandsThePages(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	_, page := h.get(h.newSession(map[string]any{"flow_id": "12ABCD3E"}).base)
	wantContains(t, "sample flow page", page, "Sample Lender · secured by verigate")
}
