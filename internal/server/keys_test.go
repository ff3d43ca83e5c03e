package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"verigate/internal/filestore"
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

// TestResealLeavesNothingTheDatabaseAloneOpens: after configuring keys on a
// database used without them, reseal seals its secrets and personal data
// with the keys and drops the development key.
func TestResealLeavesNothingTheDatabaseAloneOpens(t *testing.T) {
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reports, uploads := t.TempDir(), t.TempDir()
	dev, err := server.New(ctx, st, server.Options{PublicURL: "http://v.example", Log: log, ReportsDir: reports, UploadsDir: uploads})
	if err != nil {
		t.Fatal(err)
	}
	// Files sealed with the development key, and one stored in clear before sealing.
	report := []byte(`{"name":"Bob Jones"}`)
	if err := dev.Reports.Files.Put("r.json", report); err != nil {
		t.Fatal(err)
	}
	if err := dev.Documents.Files.Put("u.pdf", []byte("%PDF-1.4 paystub")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(uploads, "old.png"), []byte("\x89PNG old"), 0o400); err != nil {
		t.Fatal(err)
	}
	k, _ := dev.Keys.CreatePartner(ctx, "Acme", "k", store.Sandbox)
	p := partner.Principal{PartnerID: k.PartnerID, ClientID: k.ClientID, Environment: k.Environment}
	var in webhook.SubscriptionInput
	in.Name, in.URL, in.Secret = v.Opt[string]{Set: true, V: "h"}, v.Opt[string]{Set: true, V: "https://hooks.example/x"}, v.Opt[string]{Set: true, V: "webhook-secret-123"}
	in.Events = v.Opt[[]string]{Set: true, V: []string{"verifications.updated"}}
	sub, err := dev.Webhooks.Create(ctx, p, in)
	if err != nil {
		t.Fatal(err)
	}
	// A profile stored in clear, as before encryption at rest.
	st.ProtectPersonalData(nil)
	u := store.User{ID: store.NewID(), PartnerID: k.PartnerID, Environment: store.Sandbox, ClientID: k.ClientID,
		Profile: []byte(`{"ssn":"123-45-6789"}`), CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}

	key, _ := token.NewKey()
	rep, err := server.Reseal(ctx, st, [][]byte{key}, reports, uploads, filepath.Join(t.TempDir(), "never-made"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Secrets != 1 || rep.Profiles != 1 || rep.Files != 3 {
		t.Errorf("resealed %+v, want 1 secret, 1 profile and 3 files", rep)
	}
	if _, err := st.LookupSecret(ctx, "token-key"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the development key is still in the database: %v", err)
	}
	// The configured key alone opens the webhook secret and the profile.
	rec, _ := st.Subscription(ctx, p.Scope(), sub.ID)
	s, _ := token.NewSealer(key, "stored-secrets")
	var secret string
	if err := s.Open(rec.Secret, &secret); err != nil || secret != "webhook-secret-123" {
		t.Fatalf("the resealed webhook secret: %q, %v", secret, err)
	}
	prod, err := server.New(ctx, st, server.Options{PublicURL: "http://v.example", Log: log, SecretKeys: [][]byte{key},
		ReportsDir: reports, UploadsDir: uploads})
	if err != nil {
		t.Fatal(err)
	}
	got, err := prod.Store.User(ctx, p.Scope(), u.ID)
	if err != nil || string(got.Profile) != `{"ssn":"123-45-6789"}` {
		t.Fatalf("the resealed profile: %s, %v", got.Profile, err)
	}
	// The configured key alone opens the files, the one stored in clear
	// included, which is now sealed.
	for name, want := range map[string]string{"r.json": string(report), "u.pdf": "%PDF-1.4 paystub", "old.png": "\x89PNG old"} {
		files := prod.Documents.Files
		if name == "r.json" {
			files = prod.Reports.Files
		}
		if got, err := files.Get(name); err != nil || string(got) != want {
			t.Errorf("%s after reseal: %q, %v", name, got, err)
		}
	}
	if raw, _ := os.ReadFile(filepath.Join(uploads, "old.png")); string(raw) == "\x89PNG old" {
		t.Error("the file stored in clear is still in clear")
	}
	st.ProtectPersonalData(nil)
	if _, err := st.User(ctx, p.Scope(), u.ID); err == nil {
		t.Fatal("the profile is still readable without the key")
	}
}

// TestReportAndUploadFilesAreSealed: what the report and upload stores of
// an App keep lands on disk encrypted, and reads back in clear.
func TestReportAndUploadFilesAreSealed(t *testing.T) {
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, _ := token.NewKey()
	reports, uploads := t.TempDir(), t.TempDir()
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://v.example", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SecretKeys: [][]byte{key}, ReportsDir: reports, UploadsDir: uploads})
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"name":"Bob Jones","birth_date":"1980-02-03"}`)
	for dir, files := range map[string]filestore.Files{reports: app.Reports.Files, uploads: app.Documents.Files} {
		if err := files.Put("f.json", plain); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, "f.json"))
		if err != nil || bytes.Contains(raw, []byte("Bob")) || bytes.Contains(raw, []byte("1980")) {
			t.Errorf("%s: stored in clear: %q, %v", dir, raw, err)
		}
		if got, err := files.Get("f.json"); err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s: read back %q, %v", dir, got, err)
		}
	}
}
