package pages_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"verigate/internal/store"
)

// userToken creates a user through the API and returns it with a user token.
func (h *harness) userToken() (user, tok string) {
	h.t.Helper()
	var u struct {
		ID        string `json:"id"`
		UserToken string `json:"user_token"`
	}
	h.api("POST", "/partners/v2/users", map[string]any{"client": h.key.ClientID, "first_name": "Ann"}, &u)
	var t struct {
		UserToken string `json:"user_token"`
	}
	h.api("POST", "/v2/user-tokens", map[string]any{"user": u.ID}, &t)
	return u.ID, t.UserToken
}

// TestUserTokenLink: Link opened with a user token connects an account on
// that user, through the same pages, and touches no verification.
func TestUserTokenLink(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	user, tok := h.userToken()
	resp, _ := h.get("/link/" + tok + "?items=item_000000001&language=es")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /link/<token>: %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.Path, "/connect/") {
		t.Fatalf("redirected to %q", resp.Header.Get("Location"))
	}
	base := loc.Path
	// One item: the flow opens at its sign-in, in the language asked for.
	resp, page := h.get(base)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="username"`) || !strings.Contains(page, `lang="es"`) {
		t.Fatalf("first page: %d %s", resp.StatusCode, page)
	}
	h.post(base+"/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"test_1"}, "password": {"passgood"}})
	_, page = h.get(base)
	h.post(base+"/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {"8081"}})
	if !h.aggregate() {
		t.Fatal("nothing to aggregate after the connection")
	}
	accts, err := h.app.Store.AccountsOfUser(context.Background(), user, "payroll")
	if err != nil || len(accts) != 1 || accts[0].VerificationID != "" || accts[0].Item != "item_000000001" || accts[0].Aggregation != store.AggregationDone {
		t.Fatalf("accounts of the user: %+v, %v", accts, err)
	}
	var list struct {
		Results []map[string]any `json:"results"`
	}
	h.api("GET", "/partners/v2/verifications?user="+user, nil, &list)
	if len(list.Results) != 0 {
		t.Fatalf("a user-token Link made verifications: %v", list.Results)
	}
}

func TestUserTokenLinkRefusals(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	_, tok := h.userToken()
	for _, c := range []struct {
		name, path, accept string
		status             int
		wantText           string
	}{
		{"garbage", "/link/not-a-token", "", http.StatusNotFound, "Link not found"},
		{"tampered", "/link/" + tok[:len(tok)-4] + "AAAA", "", http.StatusNotFound, "Link not found"},
		{"unknown item, in Spanish", "/link/" + tok + "?items=item_999999999", "es-MX,es;q=0.9", http.StatusBadRequest, "No se puede abrir este enlace"},
		{"unknown language", "/link/" + tok + "?language=xx", "ru", http.StatusBadRequest, "Не удаётся открыть ссылку"},
	} {
		req, _ := http.NewRequest("GET", h.srv.URL+c.path, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != c.status || !strings.Contains(body, c.wantText) {
			t.Errorf("%s: %d, want %d with %q", c.name, resp.StatusCode, c.status, c.wantText)
		}
	}
	// An hour later the token has expired.
	h.advance(time.Hour + time.Second)
	resp, body := h.get("/link/" + tok)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "This link has expired") {
		t.Errorf("expired token: %d %s", resp.StatusCode, body)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSearchIsValidText: a search that is not valid text is neither
// searched for nor reflected into the page as sent.
func TestSearchIsValidText(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	f := h.newSession(nil)
	for _, raw := range []string{"Wal%FFmart", "Wal%00mart", "%C3%28"} {
		resp, body := h.get(f.base + "?q=" + raw)
		if resp.StatusCode != http.StatusOK || !utf8.ValidString(body) || strings.ContainsRune(body, 0) {
			t.Errorf("q=%s: %d, valid UTF-8 %v", raw, resp.StatusCode, utf8.ValidString(body))
		}
		resp, body = h.get(f.base + "/items?q=" + raw)
		if resp.StatusCode != http.StatusOK || !utf8.ValidString(body) {
			t.Errorf("items q=%s: %d %q", raw, resp.StatusCode, body)
		}
	}
}

// TestInviteLink: an invite's link opens Link for the invited user with
// the invite's items; a revoked invite's link says so.
func TestInviteLink(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	var inv struct {
		ID, URL, Status, User string
	}
	h.api("POST", "/v2/invites", map[string]any{"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "flow_items": []string{"item_000000001"}}, &inv)
	path := strings.TrimPrefix(inv.URL, h.srv.URL)
	if !strings.HasPrefix(path, "/link/invite/") || inv.Status != "sent" {
		t.Fatalf("invite %+v", inv)
	}
	resp, _ := h.get(path)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.Path, "/connect/") {
		t.Fatalf("GET %s: %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
	}
	// One item: Link opens at its sign-in, for the invited user.
	_, page := h.get(loc.Path)
	if !strings.Contains(page, `name="username"`) {
		t.Fatalf("the invite's Link does not open at the item's sign-in:\n%s", page)
	}
	status := func(want string) {
		t.Helper()
		var got struct{ Status string }
		h.api("GET", "/v2/invites/"+inv.ID, nil, &got)
		if got.Status != want {
			t.Errorf("invite status %q, want %q", got.Status, want)
		}
	}
	status("initiated")
	// Wrong credentials: the user attempted, nothing is connected.
	h.post(loc.Path+"/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"test_1"}, "password": {"wrong"}})
	status("attempted")
	_, page = h.get(loc.Path)
	h.post(loc.Path+"/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"test_1"}, "password": {"passgood"}})
	status("attempted") // the multi-factor code is still to come
	_, page = h.get(loc.Path)
	h.post(loc.Path+"/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {"8081"}})
	status("completed")
	if accts, err := h.app.Store.AccountsOfUser(context.Background(), inv.User, "payroll"); err != nil || len(accts) != 1 {
		t.Fatalf("the invited user's accounts: %v, %v", accts, err)
	}
	h.api("POST", "/v2/invites/"+inv.ID+"/revoke", map[string]any{}, nil)
	if resp, body := h.get(path); resp.StatusCode != http.StatusGone || !strings.Contains(body, "This link has expired") {
		t.Errorf("revoked invite: %d", resp.StatusCode)
	}
	if resp, _ := h.get("/link/invite/no-such-invite"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown invite: %d", resp.StatusCode)
	}
}

// TestInviteCompletedByUpload: a person who cannot find the employer and
// uploads a document from the invite's Link completes the invite, as a
// connection does; a refused upload leaves it open.
func TestInviteCompletedByUpload(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	var inv struct{ ID, URL, Status, User string }
	h.api("POST", "/v2/invites", map[string]any{"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"}, &inv)
	resp, _ := h.get(strings.TrimPrefix(inv.URL, h.srv.URL))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || !strings.HasPrefix(loc.Path, "/connect/") {
		t.Fatalf("invite link answers %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	status := func() string {
		var got struct{ Status string }
		h.api("GET", "/v2/invites/"+inv.ID, nil, &got)
		return got.Status
	}
	upload := func(typ, name string, data []byte) int {
		t.Helper()
		_, page := h.get(loc.Path + "/upload")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrf(t, page))
		mw.WriteField("document_type", typ)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		resp, err := client.Post(h.srv.URL+loc.Path+"/upload", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	if code := upload("paystubs", "notes.txt", []byte("not a document")); code != http.StatusBadRequest {
		t.Errorf("a text file: %d, want 400", code)
	}
	if got := status(); got != "initiated" {
		t.Errorf("after a refused upload the invite is %q, want initiated", got)
	}
	if code := upload("paystubs", "paystub.pdf", pdf); code != http.StatusOK {
		t.Fatalf("a PDF: %d", code)
	}
	if got := status(); got != "completed" {
		t.Errorf("after an upload the invite is %q, want completed", got)
	}
	var ups struct{ Results []struct{ User string } }
	h.api("GET", "/v2/user-uploads?user="+inv.User, nil, &ups)
	if len(ups.Results) != 1 {
		t.Errorf("the invited user's uploads: %+v", ups)
	}
}
