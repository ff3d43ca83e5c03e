// Package server assembles verigate from its parts: it opens the store and
// wires the services and handlers that cmd/verigate and the tests run.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"verigate/internal/api"
	"verigate/internal/connect"
	"verigate/internal/partner"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/store/postgres"
	"verigate/internal/store/sqlite"
	"verigate/internal/token"
	"verigate/internal/verification"
)

// OpenStore opens the database a URL names: postgres:// or postgresql:// for
// PostgreSQL, otherwise an SQLite file path (an optional sqlite:// or file:
// prefix is accepted).
func OpenStore(ctx context.Context, url string) (store.Store, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.Open(ctx, url)
	case url == "":
		return nil, fmt.Errorf("empty database URL")
	}
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "file:")
	return sqlite.Open(ctx, path)
}

// Options configures an App.
type Options struct {
	// PublicURL is the base of links and pagination URLs.
	PublicURL string
	Log       *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// App is a wired verigate instance over one store.
type App struct {
	Store    store.Store
	Keys     *partner.Keys
	Users    *partner.Users
	Verifs   *verification.Service
	Sessions *session.Service
	Handler  http.Handler
}

// New wires an App over st.
func New(ctx context.Context, st store.Store, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	secret, err := st.Secret(ctx, "token-key", token.NewKey)
	if err != nil {
		return nil, fmt.Errorf("load token key: %w", err)
	}
	links, err := token.NewSealer(secret, "session-link")
	if err != nil {
		return nil, err
	}
	userTokens, err := token.NewSealer(secret, "user-token")
	if err != nil {
		return nil, err
	}
	public := strings.TrimRight(o.PublicURL, "/")
	a := &App{Store: st}
	a.Keys = &partner.Keys{Store: st, Now: o.Now}
	a.Users = &partner.Users{Store: st, Now: o.Now, Tokens: userTokens}
	a.Verifs = &verification.Service{Store: st, Now: o.Now}
	a.Sessions = &session.Service{Verifications: a.Verifs, Sealer: links, PublicURL: public, Now: o.Now}
	a.Handler = (&api.API{
		Store: st, Keys: a.Keys, Users: a.Users, Verifications: a.Verifs, Sessions: a.Sessions,
		PublicURL: public, Log: o.Log,
		Pages: &connect.Handler{Sessions: a.Sessions, Log: o.Log},
	}).Handler()
	return a, nil
}
