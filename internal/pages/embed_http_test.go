package pages_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// What the pages give the page script for the Web SDK: the origins this
// very answer lets frame it, the stage and outcome, and on error pages the
// error's code; and the exit's outcome as JSON.

func TestEmbedDataFollowsTheAnswersFrameAncestors(t *testing.T) {
	h := newHarness(t, harnessOptions{frameAncestors: []string{"https://app.partner.example", "http://127.0.0.1:8090"}})
	f := h.newSession(nil)
	resp, page := h.get(f.base)
	if !strings.HasSuffix(resp.Header.Get("Content-Security-Policy"), "frame-ancestors https://app.partner.example http://127.0.0.1:8090") {
		t.Fatalf("Content-Security-Policy = %q", resp.Header.Get("Content-Security-Policy"))
	}
	if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("the page sets cookies %v; a framed page must not need any", c)
	}
	wantContains(t, "search page", page,
		`<body data-frame-ancestors="https://app.partner.example http://127.0.0.1:8090" data-stage="search" data-exit-url="`+f.base+`/exit" data-item=""`+
			` data-user="`+f.user+`" data-link="`+strings.TrimPrefix(f.base, "/connect/")+`" data-deep-link="false" data-environment="sandbox" data-complete="false" data-attempted="false">`)

	denied := newHarness(t, harnessOptions{})
	g := denied.newSession(nil)
	_, page = denied.get(g.base)
	wantContains(t, "page that may not be framed", page, `<body data-frame-ancestors="&#39;none&#39;" data-stage="search"`)
}

func TestEmbedErrorPagesSayWhatWentWrong(t *testing.T) {
	h := newHarness(t, harnessOptions{frameAncestors: []string{"https://app.partner.example"}})
	f := h.newSession(nil)
	_, page := h.get("/connect/forged")
	wantContains(t, "not-found page", page, `<body data-frame-ancestors="https://app.partner.example" data-embed-error="link_invalid" data-status="404">`)
	h.advance(time.Hour)
	resp, page := h.get(f.base)
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("expired link: %d", resp.StatusCode)
	}
	wantContains(t, "expired page", page, `data-embed-error="link_expired" data-status="410">`)
	if strings.Contains(page, "data-stage") {
		t.Errorf("the expired page claims a stage:\n%s", page)
	}
}

func TestEmbedOutcomeAndExitJSON(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newSession(map[string]any{"redirect_url": "https://partner.example/back"})
	_, page := h.get(f.base)
	token := csrf(t, page)
	exit := func() map[string]bool {
		t.Helper()
		req, _ := http.NewRequest("GET", h.srv.URL+f.base+"/exit", nil)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Cache-Control") != "no-store" ||
			!strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept") {
			t.Fatalf("exit as JSON: %d %v", resp.StatusCode, resp.Header)
		}
		var out map[string]bool
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := exit(); got["user_submission_complete"] || got["user_attempted_employer_selection"] || len(got) != 2 {
		t.Errorf("exit before anything: %v", got)
	}
	h.post(f.base+"/select", url.Values{"csrf": {token}, "item": {"item_000000002"}})
	h.post(f.base+"/signin", url.Values{"csrf": {token}, "username": {"test_1"}, "password": {"passgood"}})
	h.post(f.base+"/mfa", url.Values{"csrf": {token}, "code": {"8081"}})
	_, page = h.get(f.base)
	items := f.items()
	wantContains(t, "connecting page", page, `data-stage="connecting"`, `data-item="item_000000002"`, `data-account="`,
		`data-user="`+f.user+`"`, `data-complete="true" data-attempted="true">`)
	if len(items) != 1 {
		t.Errorf("items_connected %v", items)
	}
	if got := exit(); !got["user_submission_complete"] || !got["user_attempted_employer_selection"] {
		t.Errorf("exit after connecting: %v", got)
	}
	// The plain exit still redirects, with the same values.
	resp, _ := h.get(f.base + "/exit")
	if got := resp.Header.Get("Location"); got != "https://partner.example/back?user_submission_complete=true&user_attempted_employer_selection=true" {
		t.Errorf("exit: %s", got)
	}
	h.aggregate()
	_, page = h.get(f.base)
	// Done: the automatic return is the script's (which an embedding SDK
	// stops), or without JavaScript a meta refresh.
	wantContains(t, "done page", page, `data-stage="done"`, `<p class="fine" data-redirecting>`,
		`<noscript><meta http-equiv="refresh" content="2;url=`+f.base+`/exit"></noscript>`)
}

// A flow's frame_origins reach the page script with the server-wide list,
// on the flow's pages and on its link's expired page.
func TestEmbedDataIncludesTheFlowsFrameOrigins(t *testing.T) {
	h := newHarness(t, harnessOptions{frameAncestors: []string{"https://partner.example"}})
	h.customize("flows", map[string]any{"id": "EMBED", "name": "Embed", "frame_origins": []string{"http://127.0.0.1:8090"}})
	f := h.newSession(map[string]any{"flow_id": "EMBED"})
	_, page := h.get(f.base)
	wantContains(t, "flow page", page, `<body data-frame-ancestors="https://partner.example http://127.0.0.1:8090" data-stage="search"`)
	other := h.newSession(nil)
	_, page = h.get(other.base)
	wantContains(t, "page without the flow", page, `<body data-frame-ancestors="https://partner.example" data-stage="search"`)
	h.advance(time.Hour)
	_, page = h.get(f.base)
	wantContains(t, "flow's expired page", page,
		`<body data-frame-ancestors="https://partner.example http://127.0.0.1:8090" data-embed-error="link_expired" data-status="410">`)
}
