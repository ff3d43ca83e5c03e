// Package session creates connection sessions: validated configurations
// sealed into links that expire one hour after creation (less when a sandbox
// tenant shortens it) and need no database write.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/token"
	v "verigate/internal/validate"
	"verigate/internal/verification"
)

// Lifetime is how long a session link works after it is created.
const Lifetime = time.Hour

// Errors returned by Open.
var (
	// ErrExpired means the link was genuine but is older than Lifetime.
	ErrExpired = errors.New("session: link expired")
	// ErrInvalid means the link was not issued by this verigate.
	ErrInvalid = errors.New("session: invalid link")
)

// Languages a session may ask for.
var Languages = []string{"EN", "ES", "RU", "ZH"}

// Configuration is a session's configuration as the contract echoes it.
type Configuration struct {
	Experience   *string   `json:"experience"`
	SingleUseURL bool      `json:"single_use_url"`
	RedirectURL  *string   `json:"redirect_url"`
	FlowID       *string   `json:"flow_id,omitempty"`
	Items        *[]string `json:"items,omitempty"`
	Language     *string   `json:"language,omitempty"`
	MobileApp    *bool     `json:"mobile_app,omitempty"`
}

// ConfigurationInput is the configuration as a request sends it.
type ConfigurationInput struct {
	Experience   v.Opt[string]   `json:"experience"`
	SingleUseURL v.Opt[bool]     `json:"single_use_url"`
	RedirectURL  v.Opt[string]   `json:"redirect_url"`
	FlowID       v.Opt[string]   `json:"flow_id"`
	Items        v.Opt[[]string] `json:"items"`
	Language     v.Opt[string]   `json:"language"`
	MobileApp    v.Opt[bool]     `json:"mobile_app"`
}

// CreateInput is the body of POST /partners/v2/sessions.
type CreateInput struct {
	Verification  v.Opt[string]             `json:"verification"`
	Configuration v.Opt[ConfigurationInput] `json:"configuration"`
}

// View is a created session in the contract's PartnerSession shape.
type View struct {
	Verification  string        `json:"verification"`
	Configuration Configuration `json:"configuration"`
	Link          string        `json:"link"`
	DataSource    string        `json:"data_source"`
}

// Claims is what a link carries; the link is sealed, so it cannot be forged or read.
type Claims struct {
	SessionID string
	// VerificationID is the verification the session was created for, or ""
	// for Link opened with a user token, which belongs to UserID alone.
	VerificationID string
	UserID         string
	PartnerID      string
	Environment    store.Environment
	DataSource     string
	CreatedAt      int64 // Unix milliseconds, on the tenant's clock
	// LifetimeMS is the link's lifetime in milliseconds when a sandbox
	// tenant shortened it; 0 means Lifetime.
	LifetimeMS    int64
	Configuration Configuration
	// Until, when set, ends the link earlier than its lifetime (Unix
	// milliseconds): a user token's session ends with the token.
	Until int64
	// Reconnect is the account a user-token session reconnects (Link's
	// accountId), or "".
	Reconnect string
}

// sealedClaims is Claims as a link seals them: one-letter names, and the
// configuration's fields flat and left out when unset, which keeps links
// short. Links sealed before with the whole configuration under "c" still
// open until they expire.
type sealedClaims struct {
	SessionID      string            `json:"s"`
	VerificationID string            `json:"v,omitempty"`
	UserID         string            `json:"u,omitempty"`
	PartnerID      string            `json:"p"`
	Environment    store.Environment `json:"e"`
	DataSource     string            `json:"d"`
	CreatedAt      int64             `json:"t"`
	LifetimeMS     int64             `json:"n,omitempty"`
	Until          int64             `json:"z,omitempty"`
	Reconnect      string            `json:"a,omitempty"`
	Experience     *string           `json:"x,omitempty"`
	SingleUseURL   bool              `json:"o,omitempty"`
	RedirectURL    *string           `json:"r,omitempty"`
	FlowID         *string           `json:"f,omitempty"`
	Items          *[]string         `json:"i,omitempty"`
	Language       *string           `json:"l,omitempty"`
	MobileApp      *bool             `json:"m,omitempty"`
	Configuration  *Configuration    `json:"c,omitempty"`
}

// sealed returns c in the short form links carry.
func (c Claims) sealed() sealedClaims {
	g := c.Configuration
	return sealedClaims{SessionID: c.SessionID, VerificationID: c.VerificationID, UserID: c.UserID,
		PartnerID: c.PartnerID, Environment: c.Environment, DataSource: c.DataSource, CreatedAt: c.CreatedAt,
		LifetimeMS: c.LifetimeMS, Until: c.Until, Reconnect: c.Reconnect, Experience: g.Experience, SingleUseURL: g.SingleUseURL, RedirectURL: g.RedirectURL, FlowID: g.FlowID,
		Items: g.Items, Language: g.Language, MobileApp: g.MobileApp}
}

// claims returns the claims w carries, in either form.
func (w sealedClaims) claims() Claims {
	g := Configuration{Experience: w.Experience, SingleUseURL: w.SingleUseURL, RedirectURL: w.RedirectURL,
		FlowID: w.FlowID, Items: w.Items, Language: w.Language, MobileApp: w.MobileApp}
	if w.Configuration != nil {
		g = *w.Configuration
	}
	return Claims{SessionID: w.SessionID, VerificationID: w.VerificationID, UserID: w.UserID, PartnerID: w.PartnerID,
		Environment: w.Environment, DataSource: w.DataSource, CreatedAt: w.CreatedAt, Configuration: g,
		LifetimeMS: w.LifetimeMS, Until: w.Until, Reconnect: w.Reconnect}
}

// Seal returns the link token for c.
func (s *Service) Seal(c Claims) (string, error) { return s.Sealer.Seal(c.sealed()) }

// Scope returns the tenant the session belongs to.
func (c Claims) Scope() store.Scope {
	return store.Scope{PartnerID: c.PartnerID, Environment: c.Environment}
}

// ExpiresAt is the instant the link stops working, on the tenant's clock.
func (c Claims) ExpiresAt() time.Time {
	life := Lifetime
	if c.LifetimeMS > 0 {
		life = time.Duration(c.LifetimeMS) * time.Millisecond
	}
	end := time.UnixMilli(c.CreatedAt).Add(life)
	if c.Until != 0 && time.UnixMilli(c.Until).Before(end) {
		return time.UnixMilli(c.Until)
	}
	return end
}

// TenantClock gives a tenant's time and how long its links work: a sandbox
// tenant may move its clock forward and shorten the lifetime.
type TenantClock interface {
	Clock(ctx context.Context, sc store.Scope) time.Time
	LinkLifetime(ctx context.Context, sc store.Scope, def time.Duration) time.Duration
}

// CustomizationChecker reports whether a customization of kind ("flow" or
// "experience") with id exists in scope.
type CustomizationChecker func(ctx context.Context, sc store.Scope, kind, id string) (bool, error)

// ItemChecker reports which of the given item ids are unknown in an
// environment; nil accepts every id.
type ItemChecker func(env store.Environment, ids []string) (unknown []string)

// Service creates and opens sessions.
type Service struct {
	Verifications *verification.Service
	Sealer        *token.Sealer
	// PublicURL is the base of links, without a trailing slash.
	PublicURL string
	Now       func() time.Time
	// Items validates a payroll session's configuration.items against the
	// payroll catalog of the verification's environment (banking sessions
	// have no items).
	Items ItemChecker
	// Customizations reports whether the flow or experience a session names
	// exists for its tenant; nil accepts every id.
	Customizations CustomizationChecker
	// Tenants, if set, gives each tenant's clock and link lifetime; nil
	// means Now and Lifetime for every tenant.
	Tenants TenantClock
}

// stamp sets a new link's creation time and lifetime from its tenant's clock.
func (s *Service) stamp(ctx context.Context, c *Claims) {
	if s.Tenants == nil {
		c.CreatedAt = s.Now().UnixMilli()
		return
	}
	c.CreatedAt = s.Tenants.Clock(ctx, c.Scope()).UnixMilli()
	if life := s.Tenants.LinkLifetime(ctx, c.Scope(), Lifetime); life != Lifetime {
		c.LifetimeMS = life.Milliseconds()
	}
}

// nowFor is the tenant's time a link is checked against (Open runs in
// no transaction).
func (s *Service) nowFor(c Claims) time.Time {
	if s.Tenants == nil {
		return s.Now()
	}
	return s.Tenants.Clock(context.Background(), c.Scope())
}

// Create validates a request and returns a new session for a verification visible to p.
func (s *Service) Create(ctx context.Context, p partner.Principal, in CreateInput) (View, error) {
	errs := v.Errors{}
	var id string
	if v.Required(errs, "verification", in.Verification) {
		id = strings.ToLower(in.Verification.V)
		if !v.IsUUID(id) {
			errs.Add("verification", v.MsgUUID)
		}
	}
	if err := errs.Err(); err != nil {
		return View{}, err
	}
	rec, err := s.Verifications.Head(ctx, p.Scope(), id)
	if err != nil {
		return View{}, fmt.Errorf("verification %s: %w", id, err)
	}
	switch {
	case rec.DataSource != verification.Payroll && rec.DataSource != verification.Banking:
		errs.Add("verification", "Sessions are for payroll and banking verifications; this is a "+rec.DataSource+" verification.")
	case rec.State == verification.StateCancelled || rec.State == verification.StateCompleted:
		errs.Add("verification", "The verification is "+rec.State+"; order a new verification to connect again.")
	case s.Verifications.Unserved(rec.Environment, rec.DataSource) != "":
		errs.Add("verification", s.Verifications.Unserved(rec.Environment, rec.DataSource))
	}
	if err := errs.Err(); err != nil {
		return View{}, err
	}
	cfg := s.configuration(errs, in.Configuration, rec.DataSource, rec.Environment)
	if err := errs.Err(); err != nil {
		return View{}, err
	}
	if err := s.checkCustomizations(ctx, p.Scope(), cfg); err != nil {
		return View{}, err
	}
	sid := make([]byte, 16)
	if _, err := rand.Read(sid); err != nil {
		return View{}, err
	}
	claims := Claims{
		SessionID: base64.RawURLEncoding.EncodeToString(sid), VerificationID: rec.ID,
		PartnerID: rec.PartnerID, Environment: rec.Environment, DataSource: rec.DataSource, Configuration: cfg,
	}
	s.stamp(ctx, &claims)
	tok, err := s.Seal(claims)
	if err != nil {
		return View{}, err
	}
	return View{Verification: rec.ID, Configuration: cfg, Link: s.PublicURL + "/connect/" + tok, DataSource: rec.DataSource}, nil
}

// UserLink is how a user token opens Link, beyond the configuration.
type UserLink struct {
	// Until ends the session when the user token expires (zero: Lifetime).
	Until time.Time
	// Reconnect is the user's account to sign in to again (Link's accountId).
	Reconnect string
}

// ForUser returns a new link for Link opened with a user token: a session
// of the user, not of a verification, for connecting payroll accounts, with
// the configuration the embedding page asked for (items, language, flow_id).
// Accounts connected through it belong to the user and complete no
// verification.
func (s *Service) ForUser(ctx context.Context, u store.User, in ConfigurationInput, opts ...UserLink) (string, error) {
	var o UserLink
	if len(opts) > 0 {
		o = opts[0]
	}
	if msg := s.Verifications.Unserved(u.Environment, verification.Payroll); msg != "" {
		return "", v.Field("user_token", msg)
	}
	errs := v.Errors{}
	cfg := s.configuration(errs, v.Opt[ConfigurationInput]{Set: true, V: in}, verification.Payroll, u.Environment)
	if err := errs.Err(); err != nil {
		return "", err
	}
	sc := store.Scope{PartnerID: u.PartnerID, Environment: u.Environment}
	if err := s.checkCustomizations(ctx, sc, cfg); err != nil {
		return "", err
	}
	sid := make([]byte, 16)
	if _, err := rand.Read(sid); err != nil {
		return "", err
	}
	c := Claims{SessionID: base64.RawURLEncoding.EncodeToString(sid), UserID: u.ID,
		PartnerID: u.PartnerID, Environment: u.Environment, DataSource: verification.Payroll,
		Configuration: cfg, Reconnect: o.Reconnect}
	s.stamp(ctx, &c)
	if !o.Until.IsZero() {
		c.Until = o.Until.UnixMilli()
	}
	tok, err := s.Seal(c)
	if err != nil {
		return "", err
	}
	return s.PublicURL + "/connect/" + tok, nil
}

// Resume returns a new link continuing the connection session of an
// earlier user-token link (genuine, expired or not) with a new user token
// of the same user: same session (so the same place in the flow), same
// configuration, ending at until. It refuses (ErrInvalid) a link that is
// not a user-token link of u.
func (s *Service) Resume(ctx context.Context, u store.User, old string, until time.Time) (string, error) {
	var w sealedClaims
	if err := s.Sealer.Open(old, &w); err != nil {
		return "", ErrInvalid
	}
	c := w.claims()
	if c.VerificationID != "" || c.UserID != u.ID || c.PartnerID != u.PartnerID || c.Environment != u.Environment {
		return "", ErrInvalid
	}
	c.LifetimeMS, c.Until = 0, 0
	s.stamp(ctx, &c)
	if !until.IsZero() {
		c.Until = until.UnixMilli()
	}
	tok, err := s.Seal(c)
	if err != nil {
		return "", err
	}
	return s.PublicURL + "/connect/" + tok, nil
}

// Open checks a link's token and returns its claims.
func (s *Service) Open(tok string) (Claims, error) {
	var w sealedClaims
	if err := s.Sealer.Open(tok, &w); err != nil {
		return Claims{}, ErrInvalid
	}
	c := w.claims()
	if !s.nowFor(c).Before(c.ExpiresAt()) {
		return c, ErrExpired
	}
	return c, nil
}

const maxRedirectURL = 2048

// configuration validates the configuration for a verification's data source.
// Fields of the other data source are refused unless they hold the default
// value that a session response echoes.
func (s *Service) configuration(errs v.Errors, in v.Opt[ConfigurationInput], ds string, env store.Environment) Configuration {
	cfg := Configuration{}
	if !v.NotNull(errs, "configuration", in) {
		in.V = ConfigurationInput{}
	}
	c := in.V
	payroll := ds == verification.Payroll
	// misplaced reports (and records) a field of the other data source given
	// with a value other than its default.
	misplaced := func(field string, o interface{ Has() bool }, forPayroll, isDefault bool) bool {
		if !o.Has() || isDefault || forPayroll == payroll {
			return false
		}
		if forPayroll {
			errs.Add("configuration."+field, "Payroll only; this is a banking verification.")
		} else {
			errs.Add("configuration."+field, "Banking only; this is a payroll verification.")
		}
		return true
	}
	// Shared fields.
	if c.RedirectURL.Has() {
		if msg := checkRedirect(c.RedirectURL.V); msg != "" {
			errs.Add("configuration.redirect_url", msg)
		} else {
			u := c.RedirectURL.V
			cfg.RedirectURL = &u
		}
	}
	v.NotNull(errs, "configuration.single_use_url", c.SingleUseURL)
	// Banking fields.
	if !misplaced("experience", c.Experience, false, false) && c.Experience.Has() {
		e := strings.ToLower(c.Experience.V)
		if !v.IsUUID(e) {
			errs.Add("configuration.experience", v.MsgUUID)
		}
		cfg.Experience = &e
	}
	if !misplaced("single_use_url", c.SingleUseURL, false, !c.SingleUseURL.V) {
		cfg.SingleUseURL = c.SingleUseURL.V
	}
	// Payroll fields.
	if !misplaced("flow_id", c.FlowID, true, false) && v.NotNull(errs, "configuration.flow_id", c.FlowID) {
		f := strings.TrimSpace(c.FlowID.V)
		switch {
		case f == "":
			errs.Add("configuration.flow_id", v.MsgBlank)
		case len(f) > 64:
			errs.Add("configuration.flow_id", "Ensure this field has no more than 64 characters.")
		case !v.IsText(f):
			errs.Add("configuration.flow_id", v.MsgNotText)
		}
		cfg.FlowID = &f
	}
	if !misplaced("items", c.Items, true, false) && v.NotNull(errs, "configuration.items", c.Items) {
		items := make([]string, 0, len(c.Items.V))
		seen := map[string]bool{}
		for _, it := range c.Items.V {
			if strings.TrimSpace(it) == "" {
				errs.Add("configuration.items", "Item ids may not be blank.")
				break
			}
			if !seen[it] {
				seen[it] = true
				items = append(items, it)
			}
		}
		if len(items) > 100 {
			errs.Add("configuration.items", "Ensure this field has no more than 100 elements.")
		} else if s.Items != nil && payroll { // banking sessions have no items
			if unknown := s.Items(env, items); len(unknown) > 0 {
				errs.Add("configuration.items", "Unknown item ids: "+strings.Join(unknown, ", ")+".")
			}
		}
		cfg.Items = &items
	}
	if !misplaced("language", c.Language, true, false) && v.NotNull(errs, "configuration.language", c.Language) {
		if !contains(Languages, c.Language.V) {
			errs.Add("configuration.language", v.Choice(c.Language.V))
		}
		lang := c.Language.V
		cfg.Language = &lang
	}
	if !misplaced("mobile_app", c.MobileApp, true, false) && v.NotNull(errs, "configuration.mobile_app", c.MobileApp) {
		m := c.MobileApp.V
		cfg.MobileApp = &m
	}
	if payroll {
		if cfg.Language == nil {
			en := "EN"
			cfg.Language = &en
		}
		if cfg.MobileApp == nil {
			f := false
			cfg.MobileApp = &f
		}
	}
	return cfg
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkRedirect returns why u is not an acceptable redirect_url, or "".
func checkRedirect(u string) string {
	if len(u) > maxRedirectURL {
		return fmt.Sprintf("Ensure this field has no more than %d characters.", maxRedirectURL)
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || strings.ContainsAny(u, " \t\r\n") {
		return "Enter an absolute URL, e.g. https://example.com/return or app://return."
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		if p.Host == "" {
			return "Enter an absolute URL with a host, e.g. https://example.com/return."
		}
	case "javascript", "data", "vbscript", "file", "blob":
		return "The " + p.Scheme + " scheme is not allowed for redirects."
	default:
		if p.Host == "" && p.Opaque == "" && p.Path == "" {
			return "Enter an absolute URL, e.g. app://return."
		}
	}
	return ""
}

// checkCustomizations refuses a flow_id or experience the tenant does not have.
func (s *Service) checkCustomizations(ctx context.Context, sc store.Scope, cfg Configuration) error {
	if s.Customizations == nil {
		return nil
	}
	errs := v.Errors{}
	for _, c := range []struct {
		field, kind string
		id          *string
	}{{"configuration.flow_id", "flow", cfg.FlowID}, {"configuration.experience", "experience", cfg.Experience}} {
		if c.id == nil {
			continue
		}
		ok, err := s.Customizations(ctx, sc, c.kind, *c.id)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add(c.field, "Unknown "+c.kind+" "+*c.id+"; create it with /partners/v2/"+c.kind+"s first.")
		}
	}
	return errs.Err()
}
