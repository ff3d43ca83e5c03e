package api_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"verigate/internal/invite"
	"verigate/internal/server"
)

func TestV2InvitesWithoutSender(t *testing.T) {
	e := newEnv(t)
	inv := e.ok(t, e.A, "POST", "/v2/invites", map[string]any{
		"first_name": "Sarah", "last_name": "Longfield", "email": "sarah@example.com", "phone_number": "212-555-5555",
		"external_id": "loan-7", "flow_items": []string{"item_000000001"},
		"override_invite_template": map[string]any{"email": map[string]any{"reply_to": []string{"lo@example.com"}}},
	})
	id := inv["id"].(string)
	url, _ := inv["url"].(string)
	if inv["status"] != "sent" || inv["full_name"] != "Sarah Longfield" || !strings.HasPrefix(url, e.srv.URL+"/link/invite/") ||
		len(url) < len(e.srv.URL+"/link/invite/")+20 || inv["revoked_at"] != nil || inv["flow_id"] != nil {
		t.Fatalf("invite = %v", inv)
	}
	ds := inv["deliveries"].([]any)
	if len(ds) != 2 {
		t.Fatalf("deliveries = %v", ds)
	}
	for _, d := range ds {
		if d.(map[string]any)["status"] != "undelivered" {
			t.Errorf("without a sender, delivery %v", d)
		}
	}
	// The invite created its user.
	u := e.ok(t, e.A, "GET", "/v2/users/"+inv["user"].(string), nil)
	if u["first_name"] != "Sarah" || u["external_id"] != "loan-7" || u["email"] != "sarah@example.com" {
		t.Errorf("invited user = %v", u)
	}
	if c, err := e.app.Users.Tokens.Verify(inv["user_token"].(string)); err != nil || c.UserID != inv["user"] {
		t.Errorf("user token: %+v %v", c, err)
	}

	e.clock.Advance(time.Minute)
	again := e.ok(t, e.A, "POST", "/v2/invites/"+id, nil)
	if len(again["deliveries"].([]any)) != 4 || again["invited_at"] == inv["invited_at"] || again["url"] != url {
		t.Errorf("resent = %v", again)
	}
	// Lists and filters.
	e.ok(t, e.A, "POST", "/v2/invites", map[string]any{"first_name": "Bob", "last_name": "Jones", "phone_number": "+12128675309"})
	if l := e.ok(t, e.A, "GET", "/v2/invites?reply_to=lo@example.com", nil)["results"].([]any); len(l) != 1 {
		t.Errorf("reply_to filter = %v", l)
	}
	if l := e.ok(t, e.A, "GET", "/v2/invites", nil)["results"].([]any); len(l) != 2 {
		t.Errorf("list = %v", l)
	}

	rev := e.ok(t, e.A, "POST", "/v2/invites/"+id+"/revoke", nil)
	if rev["status"] != "revoked" || rev["revoked_at"] == nil {
		t.Errorf("revoked = %v", rev)
	}
	if again := e.ok(t, e.A, "POST", "/v2/invites/"+id+"/revoke", nil); again["revoked_at"] != rev["revoked_at"] {
		t.Errorf("revoking twice changed %v to %v", rev["revoked_at"], again["revoked_at"])
	}
	detailOf(t, e.call(t, e.A, "POST", "/v2/invites/"+id, nil), http.StatusConflict)
	if l := e.ok(t, e.A, "GET", "/v2/invites?status=revoked", nil)["results"].([]any); len(l) != 1 {
		t.Errorf("status=revoked = %v", l)
	}
	if l := e.ok(t, e.A, "GET", "/v2/invites?status=sent,completed", nil)["results"].([]any); len(l) != 1 {
		t.Errorf("status=sent,completed = %v", l)
	}

	for _, k := range []key{e.B, e.AProd} {
		detailOf(t, e.call(t, k, "GET", "/v2/invites/"+id, nil), http.StatusNotFound)
		detailOf(t, e.call(t, k, "POST", "/v2/invites/"+id+"/revoke", nil), http.StatusNotFound)
		if l := e.ok(t, k, "GET", "/v2/invites", nil)["results"].([]any); len(l) != 0 {
			t.Errorf("another tenant lists %v", l)
		}
	}
	detailOf(t, e.call(t, e.A, "GET", "/v2/invites/nope", nil), http.StatusNotFound)
	fieldError(t, e.call(t, e.A, "GET", "/v2/invites?status=lost", nil), "status")
	fieldError(t, e.call(t, e.A, "GET", "/v2/invites?limit=500", nil), "limit")

	before := e.counts(t)["users"]
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"last_name": "L", "email": "a@example.com"}, "first_name"},
		{map[string]any{"first_name": "F", "last_name": "L"}, "email"},
		{map[string]any{"first_name": "F", "last_name": "L", "email": "nope"}, "email"},
		{map[string]any{"first_name": "F", "last_name": "L", "email": "a@example.com", "flow_items": []string{"item_999999999"}}, "flow_items.0"},
		{map[string]any{"first_name": "F", "last_name": "L", "email": "a@example.com", "flow_id": "NOFLOW"}, "flow_id"},
		{map[string]any{"first_name": "F", "last_name": "L", "email": "a@example.com", "external_id": strings.Repeat("x", 101)}, "external_id"},
	} {
		fieldError(t, e.call(t, e.A, "POST", "/v2/invites", c.body), c.field)
	}
	if after := e.counts(t)["users"]; after != before {
		t.Errorf("refused invites created %d users", after-before)
	}
}

// recordingSender records what it is asked to send and fails SMS.
type recordingSender struct {
	mu   sync.Mutex
	sent []invite.Message
}

func (s *recordingSender) Send(_ context.Context, m invite.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Method == invite.MethodSMS {
		return errors.New("no SMS gateway")
	}
	s.sent = append(s.sent, m)
	return nil
}

func TestV2InvitesWithSender(t *testing.T) {
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	sender := &recordingSender{}
	app, err := server.New(ctx, st, server.Options{PublicURL: srv.URL, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), InviteSender: sender})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = app.Handler
	e := &env{app: app, srv: srv}
	k, err := app.Keys.CreatePartner(ctx, "P", "test", "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	sb := key{ID: k.ID, Secret: k.Secret, Client: k.ClientID, Partner: k.PartnerID, Env: k.Environment}
	inv := e.ok(t, sb, "POST", "/v2/invites", map[string]any{"first_name": "Sarah", "last_name": "L", "email": "s@example.com", "phone_number": "+12125555555"})
	got := map[string]string{}
	for _, d := range inv["deliveries"].([]any) {
		got[d.(map[string]any)["method"].(string)] = d.(map[string]any)["status"].(string)
	}
	if got["email"] != "sent" || got["sms"] != "undelivered" {
		t.Errorf("deliveries = %v", got)
	}
	if len(sender.sent) != 1 || sender.sent[0].To != "s@example.com" || sender.sent[0].URL != inv["url"] {
		t.Errorf("sent %+v", sender.sent)
	}
	// Stored as answered.
	if again := e.ok(t, sb, "GET", "/v2/invites/"+inv["id"].(string), nil); len(again["deliveries"].([]any)) != 2 {
		t.Errorf("stored invite = %v", again)
	}
}
