// Package server assembles verigate from its parts: it opens the store and
// wires the services and handlers that cmd/verigate and the tests run.
package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"verigate/internal/accountdata"
	"verigate/internal/aggregate"
	"verigate/internal/api"
	"verigate/internal/customization"
	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/gigsandbox"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/documents"
	"verigate/internal/filestore"
	"verigate/internal/invite"
	"verigate/internal/items"
	"verigate/internal/linkflow"
	"verigate/internal/metrics"
	"verigate/internal/pages"
	"verigate/internal/partner"
	"verigate/internal/ratelimit"
	"verigate/internal/report"
	"verigate/internal/sandbox"
	"verigate/internal/sdk"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/store/postgres"
	"verigate/internal/store/sqlite"
	"verigate/internal/store/sqlstore"
	"verigate/internal/token"
	"verigate/internal/usertoken"
	"verigate/internal/verification"
	"verigate/internal/webhook"
)

// OpenStore opens the database a URL names: postgres:// or postgresql:// for
// PostgreSQL, otherwise an SQLite file path (an optional sqlite:// or file:
// prefix is accepted). Another scheme (mysql://, ...) is an error, not a
// file name.
func OpenStore(ctx context.Context, url string) (*sqlstore.Store, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.Open(ctx, url)
	case url == "":
		return nil, fmt.Errorf("empty database URL")
	}
	if scheme, _, ok := strings.Cut(url, "://"); ok && scheme != "sqlite" && scheme != "file" {
		return nil, fmt.Errorf("unsupported database URL scheme %q: use an SQLite file path or a postgres:// URL", scheme)
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
	// Connectors serves each data source in each environment. A nil
	// Connectors.Sandbox means the sandbox connectors (package
	// payrollsandbox for payroll, package banksandbox for banking, package
	// gigsandbox for the gig platforms payroll links also offer); a nil
	// Connectors.Production means no data source is served in production,
	// where payroll and banking orders and sessions are then refused.
	Connectors datasource.Registry
	// FrameAncestors lists origins allowed to frame the connection pages.
	FrameAncestors []string
	// ReportsDir is the directory generated reports are stored in, and
	// UploadsDir the one uploaded documents are stored in; "" keeps those
	// files in memory (tests), never on disk.
	ReportsDir string
	UploadsDir string
	// InviteSender delivers invites by email and SMS; nil (the default)
	// stores invites undelivered, with their shareable link.
	InviteSender invite.Sender
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// SecretKeys seal session links, user tokens and stored secrets (the
	// first seals, every one opens); none means a development key kept in
	// the database, which production must not use.
	SecretKeys [][]byte
	// RateLimit is each API key's requests per second across every process
	// on the database (ratelimit.DefaultRate is the platform's); zero means
	// no limit.
	RateLimit float64
	// ConnectingMinimum is how long the hosted pages show "connecting" after
	// the step that connects an account, however fast its data arrives
	// (DefaultConnectingMinimum is what the server command uses); zero shows
	// it only while the data is being fetched.
	ConnectingMinimum time.Duration
}

// DefaultConnectingMinimum is the server command's --connecting-min.
const DefaultConnectingMinimum = 1500 * time.Millisecond

// App is a wired verigate instance over one store.
type App struct {
	Store    *sqlstore.Store
	Keys     *partner.Keys
	Users    *partner.Users
	Verifs   *verification.Service
	Sessions *session.Service
	Flow     *linkflow.Service
	// Aggregator fetches connected accounts' data; Run it in the background.
	Aggregator *aggregate.Worker
	Webhooks   *webhook.Service
	// Customizations keeps flows and experiences.
	Customizations *customization.Service
	// Dispatcher delivers webhooks; Run it in the background.
	Dispatcher *webhook.Dispatcher
	// Sync records the account, data and user webhook events; call
	// Sync.AccountRemoved in the transaction that deletes an account.
	Sync *webhook.Sync
	// Reports generates and serves reports; the Aggregator's hook completes payroll verifications with it.
	Reports *report.Service
	// Documents stores uploads and evaluates documents verifications; Run it in the background.
	Documents *documents.Service
	// Items searches the environments' item catalogs and keeps item filters.
	Items *items.Service
	// Invites sends invites.
	Invites *invite.Service
	// Sandbox holds the sandbox tenants' controls and clocks.
	Sandbox *sandbox.Service
	Handler http.Handler
	// Limits throttles API keys, or is nil; Run it in the background with the store.
	Limits *ratelimit.Limiter
	// Metrics counts what /metrics serves.
	Metrics *metrics.Metrics
}

// files opens the file store of a directory, or an in-memory one for "",
// sealing what it keeps with c.
func files(dir string, c filestore.Cipher) (filestore.Files, error) {
	if dir == "" {
		return &filestore.Sealed{Files: &filestore.Mem{}, Cipher: c}, nil
	}
	d, err := filestore.NewDir(dir)
	if err != nil {
		return nil, err
	}
	return &filestore.Sealed{Files: d, Cipher: c}, nil
}

// New wires an App over st.
func New(ctx context.Context, st *sqlstore.Store, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	ring, err := keyRing(ctx, st, o.SecretKeys)
	if err != nil {
		return nil, err
	}
	secret := ring[0]
	links, err := token.NewRingSealer(ring, "session-link")
	if err != nil {
		return nil, err
	}
	userTokens, err := usertoken.NewRing(ring, o.Now)
	if err != nil {
		return nil, err
	}
	secrets, err := token.NewRingSealer(ring, "stored-secrets")
	if err != nil {
		return nil, err
	}
	personal, err := token.NewRingSealer(ring, "personal-data")
	if err != nil {
		return nil, err
	}
	st.ProtectPersonalData(personal)
	if o.Connectors.Sandbox == nil {
		o.Connectors.Sandbox = map[string]datasource.Connector{verification.Payroll: payrollsandbox.New(), verification.Banking: banksandbox.New(),
			verification.Gig: gigsandbox.New()}
	}
	public := strings.TrimRight(o.PublicURL, "/")
	a := &App{Store: st}
	a.Keys = &partner.Keys{Store: st, Now: o.Now}
	a.Dispatcher = &webhook.Dispatcher{Store: st, Secrets: secrets, Now: o.Now, Log: o.Log}
	a.Webhooks = &webhook.Service{Store: st, Secrets: secrets, Now: o.Now, Wake: a.Dispatcher.Wake}
	outbox := &webhook.Outbox{Store: st, Wake: a.Dispatcher.Wake}
	a.Sandbox = &sandbox.Service{Store: st, Outbox: outbox, Connectors: o.Connectors, Secrets: secrets, Now: o.Now}
	a.Users = &partner.Users{Store: st, Now: o.Now, Tokens: userTokens, Tenants: a.Sandbox}
	a.Sync = &webhook.Sync{Outbox: outbox, Store: st, Now: o.Now}
	a.Verifs = &verification.Service{Store: st, Outbox: outbox, Now: o.Now, Log: o.Log,
		Connectable: connectable(o.Connectors)}
	a.Customizations = &customization.Service{Store: st, Now: o.Now}
	a.Sessions = &session.Service{Verifications: a.Verifs, Sealer: links, PublicURL: public, Now: o.Now,
		Items: knownItems(o.Connectors), Customizations: a.customizationExists, Tenants: a.Sandbox}
	// Reports and uploads hold personal data: their files are sealed at rest.
	fileKeys, err := token.NewRingSealer(ring, "files")
	if err != nil {
		return nil, err
	}
	reportFiles, err := files(o.ReportsDir, fileKeys)
	if err != nil {
		return nil, fmt.Errorf("reports directory: %w", err)
	}
	uploadFiles, err := files(o.UploadsDir, fileKeys)
	if err != nil {
		return nil, fmt.Errorf("uploads directory: %w", err)
	}
	a.Users.UploadFiles, a.Users.ReportFiles, a.Users.Log = uploadFiles, reportFiles, o.Log
	a.Items = &items.Service{Connectors: o.Connectors, Store: st, Now: o.Now, LogoBase: public}
	a.Invites = &invite.Service{Store: st, Users: a.Users, Sender: o.InviteSender, HasItem: a.Items.Has,
		HasFlow: func(ctx context.Context, sc store.Scope, id string) (bool, error) {
			return a.customizationExists(ctx, sc, store.CustomizationFlow, id)
		}, PublicURL: public, Now: o.Now}
	a.Reports = &report.Service{Store: st, Files: reportFiles, PublicURL: public, Now: o.Now, Log: o.Log, Connectors: o.Connectors,
		UserReportGenerated: a.Sync.ReportGenerated, Notify: a.Sync.Notify}
	a.Verifs.Reports = a.Reports
	a.Aggregator = &aggregate.Worker{Store: st, Connectors: o.Connectors, Secrets: secrets, Now: o.Now, Log: o.Log,
		Aggregated: a.Verifs.AccountAggregated, Sync: a.Sync, Clock: a.Sandbox.Clock}
	a.Aggregator.Init()
	a.Verifs.Requeued = a.Aggregator.Wake
	a.Sandbox.Requeued = a.Aggregator.Wake
	a.Documents = &documents.Service{Store: st, Files: uploadFiles, Verifications: a.Verifs, Reports: a.Reports,
		PublicURL: public, Now: o.Now, Log: o.Log}
	a.Documents.Init()
	a.Verifs.Ordered = a.Documents.Ordered
	a.Flow = &linkflow.Service{Store: st, Verifications: a.Verifs, Connectors: o.Connectors, Secrets: secrets, Now: o.Now,
		Connected: func() { a.Aggregator.Wake(); a.Dispatcher.Wake() }, Customizations: a.Customizations, Accounts: a.Sync, Invites: a.Invites}
	csrfKey := hmac.New(sha256.New, secret)
	csrfKey.Write([]byte("verigate csrf key"))
	pages := (&pages.Handler{Sessions: a.Sessions, Flow: a.Flow, Users: a.Users, Invites: a.Invites, Log: o.Log, CSRFKey: csrfKey.Sum(nil),
		FrameAncestors: o.FrameAncestors, Uploads: a.Documents, Partners: st, ConnectingMinimum: o.ConnectingMinimum}).Init()
	if o.RateLimit > 0 {
		a.Limits = ratelimit.New(o.RateLimit)
	}
	a.Metrics = metrics.New(st, st.Pools(), o.Log)
	a.Dispatcher.Outcome = a.Metrics.Delivery
	a.Aggregator.Outcome = a.Metrics.Aggregation
	a.Handler = (&api.API{
		DB: st, Keys: a.Keys, Users: a.Users, Verifications: a.Verifs, Sessions: a.Sessions, Webhooks: a.Webhooks, Customizations: a.Customizations,
		PublicURL: public, Log: o.Log, Pages: pages, SDK: sdk.Handler(), Reports: a.Reports, Documents: a.Documents,
		Accounts: &accountdata.Service{Store: st, Now: o.Now, Removed: a.Sync.AccountRemoved, UploadFiles: uploadFiles, Log: o.Log},
		Metrics:  a.Metrics, MetricsToken: o.MetricsToken, Limits: a.Limits, Items: a.Items, Invites: a.Invites, Sandbox: a.Sandbox,
	}).Handler()
	return a, nil
}

// keyRing is the secret keys links, user tokens and stored secrets are
// sealed with: the configured ones (the first seals), followed, when the
// database has one, by the development key verigate kept there before keys
// were configured, so that what it sealed still opens. With no keys
// configured (development), the database's key is made on first use.
func keyRing(ctx context.Context, st *sqlstore.Store, configured [][]byte) ([][]byte, error) {
	if len(configured) == 0 {
		secret, err := st.Secret(ctx, devKeyName, token.NewKey)
		if err != nil {
			return nil, fmt.Errorf("load the development key: %w", err)
		}
		return [][]byte{secret}, nil
	}
	ring := append([][]byte(nil), configured...)
	legacy, err := st.LookupSecret(ctx, devKeyName)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("look for the development key: %w", err)
	default:
		ring = append(ring, legacy)
	}
	return ring, nil
}

// ResealReport counts what Reseal sealed again.
type ResealReport struct {
	sqlstore.ResealReport
	// Files counts the report and upload files sealed again.
	Files int
}

// Reseal seals everything verigate keeps sealed again with the first of
// keys — the files of reports and uploads in dirs (directories that do not
// exist yet are skipped) first, then every account record, a batch a
// transaction, then, in one transaction, webhook secrets, connections and
// MFA challenges and every user profile (those stored in clear included)
// — and deletes the development key from the database. Run it once after
// configuring keys on a database that was used without them, and after
// rotating keys before retiring an old one; afterwards the database alone
// opens nothing. The files come first so that a reseal that fails leaves
// the development key to open them.
func Reseal(ctx context.Context, st *sqlstore.Store, keys [][]byte, dirs ...string) (ResealReport, error) {
	var rep ResealReport
	if len(keys) == 0 {
		return rep, errors.New("reseal needs the secret keys to seal with")
	}
	ring, err := keyRing(ctx, st, keys)
	if err != nil {
		return rep, err
	}
	fileKeys, err := token.NewRingSealer(ring, "files")
	if err != nil {
		return rep, err
	}
	for _, dir := range dirs {
		d, err := filestore.NewDir(dir)
		if err != nil {
			return rep, err
		}
		n, err := filestore.Reseal(d, fileKeys)
		rep.Files += n
		if err != nil {
			return rep, fmt.Errorf("reseal the files of %s: %w", dir, err)
		}
	}
	stored, err := token.NewRingSealer(ring, "stored-secrets")
	if err != nil {
		return rep, err
	}
	personal, err := token.NewRingSealer(ring, "personal-data")
	if err != nil {
		return rep, err
	}
	st.ProtectPersonalData(personal)
	rep.ResealReport, err = st.Reseal(ctx, stored, devKeyName)
	return rep, err
}

// devKeyName names the key verigate keeps in its database when no keys are configured.
const devKeyName = "token-key"

// customizationExists reports whether a session's flow or experience exists.
func (a *App) customizationExists(ctx context.Context, sc store.Scope, kind, id string) (bool, error) {
	_, err := a.Customizations.Lookup(ctx, sc, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// connectable reports whether r has a connector for a data source in a
// production environment. Sandbox orders are always taken, as they were
// before environments had connectors of their own: a sandbox data source
// without a connector shows its link as unavailable.
func connectable(r datasource.Registry) func(env store.Environment, dataSource string) bool {
	return func(env store.Environment, dataSource string) bool {
		_, ok := r.For(string(env), dataSource)
		return ok || env != store.Production
	}
}

// knownItems checks session item ids against the catalogs of the payroll
// connector of the session's environment and of its gig connector (gig
// items are offered in payroll links too); with no payroll connector every
// id is accepted (the session is refused for that anyway).
func knownItems(r datasource.Registry) session.ItemChecker {
	return func(env store.Environment, ids []string) (unknown []string) {
		c, ok := r.For(string(env), verification.Payroll)
		if !ok {
			return nil
		}
		gig, hasGig := r.For(string(env), verification.Gig)
		for _, id := range ids {
			if !c.Catalog().Has(id) && !(hasGig && gig.Catalog().Has(id)) {
				unknown = append(unknown, id)
			}
		}
		return unknown
	}
}
