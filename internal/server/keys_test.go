package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/token"
	v "verigate/internal/validate"
	"verigate/internal/webhook"
)

// TestConfiguredKeysStayOutOfTheDatabase: with secret keys configured,
// nothing in the database opens what they sealed, and what the database's
// development key sealed before still opens.
func TestConfiguredKeysStayOutOfTheDatabase(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "v.db")
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	key, _ := token.NewKey()

	app, err := server.New(ctx, st, server.Options{PublicURL: "http://v.example", Log: log, SecretKeys: [][]byte{key}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LookupSecret(ctx, "token-key"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("with keys configured the database holds a key: %v", err)
	}
	k, err := app.Keys.CreatePartner(ctx, "Acme", "k", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	p := partner.Principal{PartnerID: k.PartnerID, ClientID: k.ClientID, Environment: k.Environment}
	var in webhook.SubscriptionInput
	in.Name, in.URL, in.Secret = v.Opt[string]{Set: true, V: "h"}, v.Opt[string]{Set: true, V: "https://hooks.example/x"}, v.Opt[string]{Set: true, V: "webhook-secret-123"}
	in.Events = v.Opt[[]string]{Set: true, V: []string{"verifications.updated"}}
	sub, err := app.Webhooks.Create(ctx, p, in)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Subscription(ctx, p.Scope(), sub.ID)
	if err != nil || rec.Secret == "" || strings.Contains(rec.Secret, "webhook-secret-123") {
		t.Fatalf("stored secret %q, %v", rec.Secret, err)
	}
	// Someone with the database alone: its only key opens nothing.
	if dbKey, err := st.LookupSecret(ctx, "token-key"); err == nil {
		s, _ := token.NewSealer(dbKey, "stored-secrets")
		var got string
		if s.Open(rec.Secret, &got) == nil {
			t.Fatal("a key from the database opens the webhook secret")
		}
	}
}

func TestDevelopmentKeyStillOpensAfterKeysAreConfigured(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "v.db")
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dev, err := server.New(ctx, st, server.Options{PublicURL: "http://v.example", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := dev.Sessions.Sealer.Seal(session.Claims{SessionID: "s1", UserID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := token.NewKey()
	prod, err := server.New(ctx, st, server.Options{PublicURL: "http://v.example", Log: log, SecretKeys: [][]byte{key}})
	if err != nil {
		t.Fatal(err)
	}
	var c session.Claims
	if err := prod.Sessions.Sealer.Open(sealed, &c); err != nil || c.SessionID != "s1" {
		t.Fatalf("what the development key sealed no longer opens: %v", err)
	}
	fresh, _ := prod.Sessions.Sealer.Seal(session.Claims{SessionID: "s2"})
	devOnly, _ := st.LookupSecret(ctx, "token-key")
	s, _ := token.NewSealer(devOnly, "session-link")
	if s.Open(fresh, &c) == nil {
		t.Fatal("new links are still sealed with the development key")
	}
}
