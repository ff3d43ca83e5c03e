// Package linkflow runs what a borrower does with a session link: choose
// an item, sign in, pass multi-factor authentication, choose the accounts to
// share (banks only), and wait while the account's data is aggregated. It
// knows data sources only through the datasource package's interface.
package linkflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"verigate/internal/customization"
	"verigate/internal/datasource"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/token"
	"verigate/internal/verification"
)

// Stages of a connection session.
const (
	StageSearch     = "search"     // choosing an item
	StageSignIn     = "signin"     // item chosen, credentials asked
	StageMFA        = "mfa"        // a code is asked
	StageAccounts   = "accounts"   // signed in to a bank; the accounts to share are asked
	StageConnecting = "connecting" // connected; data is being aggregated
	StageDone       = "done"       // data aggregated
	StageFailed     = "failed"     // the provider refused; the user may start over
	StageLocked     = "locked"     // too many failed attempts; the link is spent
)

// MaxFailures is how many wrong passwords or codes lock a session.
const MaxFailures = 5

// Errors a step returns; the web pages turn them into messages.
var (
	// ErrWrongStage means the step does not fit where the session is (e.g. a form re-posted after success).
	ErrWrongStage = errors.New("connection: step does not fit the session's stage")
	// ErrUnknownItem means the item is not offered by this session.
	ErrUnknownItem = errors.New("connection: item not offered")
	// ErrClosed means the verification no longer accepts connections.
	ErrClosed = errors.New("connection: verification closed")
	// ErrBusy means another request changed the session at the same moment.
	ErrBusy = errors.New("connection: session changed concurrently")
	// ErrItemUnavailable means the item does not accept new connections for now (status unavailable).
	ErrItemUnavailable = errors.New("connection: item unavailable")
	// ErrUsed means a single_use_url link has connected an account already and refuses any further step.
	ErrUsed = errors.New("connection: single-use link already used")
)

// Error codes of the account choice, shown like a connector's error codes.
const (
	// CodeAccountsRequired means no account was chosen.
	CodeAccountsRequired = "accounts_required"
	// CodeUnknownAccount means a chosen id is not one of the accounts offered.
	CodeUnknownAccount = "unknown_account"
)

// State is what a page needs to show a session.
type State struct {
	Session store.ConnectSession
	// Item is the chosen item, when there is one.
	Item *datasource.Item
	// Challenge is the pending multi-factor challenge at StageMFA.
	Challenge *datasource.Challenge
	// AttemptsLeft is how many more failures the session allows.
	AttemptsLeft int
	// Accounts are the bank accounts the borrower may share, at StageAccounts.
	Accounts []datasource.AccountChoice
	// Aggregation is the account's aggregation state once connected.
	Aggregation string
	// UserID is the connected account's user, once connected.
	UserID string
}

// Store is the storage the Link flow needs.
type Store interface {
	// InTx runs fn in one transaction that every call with fn's context joins.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateConnectSession(ctx context.Context, cs store.ConnectSession) error
	ConnectSession(ctx context.Context, id string) (store.ConnectSession, error)
	// UpdateConnectSession saves cs if its Version is still current (store.ErrConflict otherwise).
	UpdateConnectSession(ctx context.Context, cs store.ConnectSession) error
	Verification(ctx context.Context, s store.Scope, id string) (store.Verification, error)
	Account(ctx context.Context, id string) (store.Account, error)
	CreateAccount(ctx context.Context, a store.Account) error
	// ReconnectAccount stores a new connection of an existing account.
	ReconnectAccount(ctx context.Context, id, connection string, now time.Time) error
	// AddUserConnections adds an item and employers to a user's connected lists.
	AddUserConnections(ctx context.Context, userID, item string, employers []string, now time.Time) error
}

// InviteProgress is told how far a user gets in Link, for the user's invites.
type InviteProgress interface {
	// Attempted: the user submitted credentials.
	Attempted(ctx context.Context, userID string) error
	// Completed: an account of the user was connected (called in the
	// transaction that stores it).
	Completed(ctx context.Context, userID string) error
}

// AccountEvents is told of accounts stored by a successful sign-in.
type AccountEvents interface {
	AccountConnected(ctx context.Context, a store.Account) error
}

// accountReconnected is what AccountEvents may also be told: an existing
// account connected again (without it, AccountConnected is told).
type accountReconnected interface {
	AccountReconnected(ctx context.Context, a store.Account) error
}

// Service carries out the steps of connection sessions.
type Service struct {
	Store         Store
	Verifications *verification.Service
	// Connectors serves each data source ("payroll", "banking") in each environment.
	Connectors datasource.Registry
	// Secrets seals connector state kept in the database.
	Secrets *token.Sealer
	Now     func() time.Time
	// Connected is told when an account is connected, so aggregation starts at once.
	Connected func()
	// Accounts, if set, is told of each account a sign-in stores, in the
	// transaction that stores it (webhook.Sync records the account events).
	Accounts AccountEvents
	// Invites, if set, is told of users' sign-in attempts and connections.
	Invites InviteProgress
	// Customizations looks up the flow or experience a session names; nil
	// means sessions are never customized.
	Customizations *customization.Service
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Connector returns the connector of a session's data source in the session's environment.
func (s *Service) Connector(c session.Claims) (datasource.Connector, error) {
	conn, ok := s.Connectors.For(string(c.Environment), c.DataSource)
	if !ok {
		return nil, fmt.Errorf("connection: no connector for %s in %s", c.DataSource, c.Environment)
	}
	return conn, nil
}

// Customization returns the customization a session names, its flow
// (payroll, configuration.flow_id) or its experience (banking,
// configuration.experience), looked up in the session's own tenant (from
// the sealed link, never from the request). ok is false when the session
// names none, or when it was deleted after the link was made: the pages
// then show verigate's defaults.
func (s *Service) Customization(ctx context.Context, c session.Claims) (cust store.Customization, ok bool, err error) {
	if s.Customizations == nil {
		return cust, false, nil
	}
	kind, id := store.CustomizationFlow, c.Configuration.FlowID
	if id == nil {
		kind, id = store.CustomizationExperience, c.Configuration.Experience
	}
	if id == nil {
		return cust, false, nil
	}
	cust, err = s.Customizations.Lookup(ctx, c.Scope(), kind, *id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Customization{}, false, nil
	}
	if err != nil {
		return store.Customization{}, false, err
	}
	return cust, true, nil
}

// Offered returns the ids of the items a session is limited to, in order:
// its configuration.items, its customization's allowed items or
// institutions, or, when both are set, the ids in both. restricted is false
// when neither limits the session (every item of the catalog is offered);
// when both do and have no id in common, ids is empty and nothing is offered.
func (s *Service) Offered(ctx context.Context, c session.Claims) (ids []string, restricted bool, err error) {
	var items []string
	if c.Configuration.Items != nil {
		items = *c.Configuration.Items
	}
	cust, _, err := s.Customization(ctx, c)
	if err != nil {
		return nil, false, err
	}
	switch allowed := cust.Allowed; {
	case len(items) > 0 && len(allowed) > 0:
		ids = []string{}
		for _, id := range items {
			if slices.Contains(allowed, id) {
				ids = append(ids, id)
			}
		}
		return ids, true, nil
	case len(items) > 0:
		return items, true, nil
	case len(allowed) > 0:
		return allowed, true, nil
	}
	return nil, false, nil
}

// sources lists the data sources whose items a session offers: its own
// and, for a payroll session, the gig platforms' (verification.Gig) where
// the environment has a connector for them.
func (s *Service) sources(c session.Claims) []string {
	if c.DataSource == verification.Payroll {
		return []string{verification.Payroll, verification.Gig}
	}
	return []string{c.DataSource}
}

// connectors returns the connectors of a session's sources, in order, with
// their data sources; the session's own must exist.
func (s *Service) connectors(c session.Claims) ([]datasource.Connector, []string, error) {
	own, err := s.Connector(c)
	if err != nil {
		return nil, nil, err
	}
	cxs, names := []datasource.Connector{own}, []string{c.DataSource}
	for _, ds := range s.sources(c)[1:] {
		if cx, ok := s.Connectors.For(string(c.Environment), ds); ok {
			cxs, names = append(cxs, cx), append(names, ds)
		}
	}
	return cxs, names, nil
}

// connectorFor returns the connector of a session that serves an item and
// its data source; ok is false when none of the session's sources has it.
func (s *Service) connectorFor(c session.Claims, itemID string) (cx datasource.Connector, dataSource string, ok bool, err error) {
	cxs, names, err := s.connectors(c)
	if err != nil {
		return nil, "", false, err
	}
	for i, cx := range cxs {
		if cx.Catalog().Has(itemID) {
			return cx, names[i], true, nil
		}
	}
	return cxs[0], names[0], false, nil
}

// Items returns the items a session offers that match query (all of them
// for an empty query): the catalogs of its sources, merged as one search.
func (s *Service) Items(ctx context.Context, c session.Claims, query string, limit int) ([]datasource.Item, error) {
	cxs, _, err := s.connectors(c)
	if err != nil {
		return nil, err
	}
	only, restricted, err := s.Offered(ctx, c)
	if err != nil {
		return nil, err
	}
	if restricted && len(only) == 0 {
		return []datasource.Item{}, nil
	}
	lists := make([][]datasource.Item, len(cxs))
	for i, cx := range cxs {
		lists[i] = cx.Catalog().Search(query, limit, only)
	}
	return datasource.MergeSearch(query, limit, lists...), nil
}

// item returns an item if the session offers it.
func (s *Service) item(ctx context.Context, c session.Claims, id string) (datasource.Item, error) {
	cx, _, ok, err := s.connectorFor(c, id)
	if err != nil {
		return datasource.Item{}, err
	}
	it, found := cx.Catalog().Get(id)
	if !ok || !found {
		return it, ErrUnknownItem
	}
	only, restricted, err := s.Offered(ctx, c)
	if err != nil {
		return it, err
	}
	if restricted && !slices.Contains(only, id) {
		return it, ErrUnknownItem
	}
	return it, nil
}

// Open returns a session's state, creating it on the link's first opening;
// the first opening of any link of a verification marks it
// user_session_started. A session opened with a user token (no
// verification) belongs to its user alone.
func (s *Service) Open(ctx context.Context, c session.Claims) (State, error) {
	cs, err := s.Store.ConnectSession(ctx, c.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		if c.VerificationID != "" {
			head, err := s.Verifications.Head(ctx, c.Scope(), c.VerificationID)
			if err != nil {
				return State{}, err
			}
			if (verification.Status{State: head.State, Code: head.Code}).Terminal() {
				return State{}, ErrClosed
			}
		}
		now := s.now()
		cs = store.ConnectSession{ID: c.SessionID, VerificationID: c.VerificationID, UserID: c.UserID, Stage: StageSearch, CreatedAt: now, UpdatedAt: now}
		if e := c.Configuration.Experience; e != nil {
			cs.Experience = *e // recorded for a later customization of the pages
		}
		// A session offering exactly one item (by its configuration.items, its
		// customization's list, or both) opens at that item's sign-in.
		only, restricted, err := s.Offered(ctx, c)
		if err != nil {
			return State{}, err
		}
		if restricted && len(only) == 1 {
			cs.Stage, cs.Item = StageSignIn, only[0]
		}
		switch err := s.Store.CreateConnectSession(ctx, cs); {
		case errors.Is(err, store.ErrDuplicate):
			// Opened twice at once: the other request created it.
		case err != nil:
			return State{}, err
		default:
			if err := s.started(ctx, c); err != nil {
				return State{}, err
			}
		}
		if cs, err = s.Store.ConnectSession(ctx, c.SessionID); err != nil {
			return State{}, err
		}
	} else if err != nil {
		return State{}, err
	}
	return s.state(ctx, c, cs)
}

// started moves the verification to user_session_started unless it is past
// that already, or has none (Link opened with a user token).
func (s *Service) started(ctx context.Context, c session.Claims) error {
	if c.VerificationID == "" {
		return nil
	}
	_, err := s.Verifications.Transition(ctx, c.Scope(), c.VerificationID, verification.Change{Event: verification.EventSessionStarted})
	var se *verification.StateError
	if errors.As(err, &se) {
		return nil // already started, authenticated or further
	}
	return err
}

// state completes a stored session with what the page shows.
func (s *Service) state(ctx context.Context, c session.Claims, cs store.ConnectSession) (State, error) {
	st := State{Session: cs, AttemptsLeft: max(0, MaxFailures-cs.Failures)}
	if cs.Item != "" {
		if it, err := s.item(ctx, c, cs.Item); err == nil {
			st.Item = &it
		}
	}
	if cs.Stage == StageMFA && cs.Challenge != "" {
		var ch datasource.Challenge
		if err := s.Secrets.Open(cs.Challenge, &ch); err != nil {
			return st, fmt.Errorf("session %s: open challenge: %w", cs.ID, err)
		}
		st.Challenge = &ch
	}
	if cs.Stage == StageAccounts && cs.Connection != "" {
		var conn datasource.Connection
		if err := s.Secrets.Open(cs.Connection, &conn); err != nil {
			return st, fmt.Errorf("session %s: open connection: %w", cs.ID, err)
		}
		st.Accounts = conn.Accounts
	}
	// A reserved id (see reserve) is no stored account yet.
	if cs.AccountID != "" && !Reserved(cs) {
		a, err := s.Store.Account(ctx, cs.AccountID)
		if err != nil {
			return st, err
		}
		st.Aggregation, st.UserID = a.Aggregation, a.UserID
		if cs.Stage == StageConnecting && a.Aggregation == store.AggregationDone {
			st.Session.Stage = StageDone
		}
		if cs.Stage == StageConnecting && a.Aggregation == store.AggregationFailed {
			st.Session.Stage, st.Session.ErrorCode = StageFailed, a.ErrorCode
		}
	}
	return st, nil
}

// Reserved reports whether the session's AccountID is only reserved: the id
// the account being signed in to will have (reported to the Web SDK's
// onAccountCreated before the code is asked), not yet a stored account.
func Reserved(cs store.ConnectSession) bool {
	return cs.Stage == StageSignIn || cs.Stage == StageMFA || cs.Stage == StageAccounts
}

// reserve gives the session the id of the account its sign-in creates (the
// account it reconnects, for a reconnection), once credentials are accepted.
func reserve(c session.Claims, cs *store.ConnectSession) {
	if cs.AccountID != "" {
		return
	}
	cs.AccountID = c.Reconnect
	if cs.AccountID == "" {
		cs.AccountID = store.NewID()
	}
}

// step loads the session, checks its stage, applies fn and saves the result.
func (s *Service) step(ctx context.Context, c session.Claims, stages []string, fn func(cs *store.ConnectSession) error) (State, error) {
	cs, err := s.Store.ConnectSession(ctx, c.SessionID)
	if err != nil {
		return State{}, err
	}
	if cs.UsedAt != nil {
		return State{}, ErrUsed
	}
	// A connected account whose aggregation failed leaves the session at
	// StageFailed, as the page shows it, so the user may try again.
	if cs.Stage == StageConnecting && cs.AccountID != "" {
		a, err := s.Store.Account(ctx, cs.AccountID)
		if err != nil {
			return State{}, err
		}
		if a.Aggregation == store.AggregationFailed {
			cs.Stage, cs.ErrorCode = StageFailed, a.ErrorCode
		}
	}
	ok := false
	for _, st := range stages {
		ok = ok || cs.Stage == st
	}
	if !ok {
		st, serr := s.state(ctx, c, cs)
		if serr != nil {
			return st, serr
		}
		return st, ErrWrongStage
	}
	if err := fn(&cs); errors.Is(err, errNoSave) {
		return s.state(ctx, c, cs)
	} else if err != nil {
		st, serr := s.state(ctx, c, cs)
		if serr != nil {
			return st, serr
		}
		return st, err
	}
	cs.UpdatedAt = s.now()
	if err := s.Store.UpdateConnectSession(ctx, cs); errors.Is(err, store.ErrConflict) {
		return State{}, ErrBusy
	} else if err != nil {
		return State{}, err
	}
	cs.Version++
	return s.state(ctx, c, cs)
}

// errNoSave, returned by a step's function, ends the step without saving
// the session: the step's outcome is saved by what comes next.
var errNoSave = errors.New("linkflow: nothing to save")

// Select chooses an item (from search, or to start over after a failure).
func (s *Service) Select(ctx context.Context, c session.Claims, itemID string) (State, error) {
	return s.step(ctx, c, []string{StageSearch, StageSignIn, StageFailed}, func(cs *store.ConnectSession) error {
		it, err := s.item(ctx, c, itemID)
		if err != nil {
			return err
		}
		if it.Status == datasource.StatusUnavailable {
			return ErrItemUnavailable
		}
		cs.Stage, cs.Item, cs.ErrorCode, cs.Challenge, cs.AccountID, cs.Connection = StageSignIn, itemID, "", "", "", ""
		cs.AttemptedSelection = true
		return nil
	})
}

// Back returns to the item search, dropping the chosen item. A user-token
// session (no verification) may also go back from a connected account, to
// connect another one.
func (s *Service) Back(ctx context.Context, c session.Claims) (State, error) {
	stages := []string{StageSearch, StageSignIn, StageMFA, StageAccounts, StageFailed}
	if c.VerificationID == "" {
		stages = append(stages, StageConnecting, StageDone)
	}
	return s.step(ctx, c, stages, func(cs *store.ConnectSession) error {
		cs.Stage, cs.Item, cs.ErrorCode, cs.Challenge, cs.AccountID, cs.Connection = StageSearch, "", "", "", "", ""
		return nil
	})
}

// failed records a failed attempt, locking the session after MaxFailures.
func failed(cs *store.ConnectSession, err error) {
	cs.Failures++
	cs.ErrorCode = datasource.ErrorCode(err)
	if cs.Failures >= MaxFailures {
		cs.Stage, cs.Challenge, cs.AccountID = StageLocked, "", "" // a reserved id is dropped
	}
}

// refused records a provider refusal that ends this attempt.
func refused(cs *store.ConnectSession, err error) {
	cs.Stage, cs.Challenge, cs.ErrorCode, cs.AccountID = StageFailed, "", datasource.ErrorCode(err), "" // a reserved id is dropped
}

// SignIn submits credentials for the chosen item.
func (s *Service) SignIn(ctx context.Context, c session.Claims, cred datasource.Credentials) (State, error) {
	var conn *datasource.Connection
	tried := false
	st, err := s.step(ctx, c, []string{StageSignIn}, func(cs *store.ConnectSession) error {
		cx, _, _, err := s.connectorFor(c, cs.Item)
		if err != nil {
			return err
		}
		cred.Username = strings.TrimSpace(cred.Username)
		cs.AttemptedSelection = true
		tried = true
		res, err := cx.SignIn(ctx, cs.Item, cred)
		switch {
		case errors.Is(err, datasource.ErrInvalidCredentials):
			failed(cs, err)
			return nil
		case isRefusal(err):
			refused(cs, err)
			return nil
		case err != nil:
			return err
		case res.Challenge != nil:
			sealed, err := s.Secrets.Seal(res.Challenge)
			if err != nil {
				return err
			}
			cs.Stage, cs.Challenge, cs.ErrorCode = StageMFA, sealed, ""
			reserve(c, cs)
			return nil
		default:
			conn, err = s.arrived(cx, cs, *res.Connection)
			return err
		}
	})
	if err != nil {
		return st, err
	}
	if conn != nil {
		return s.connected(ctx, c, *conn) // which marks the user's invites completed
	}
	if tried && s.Invites != nil {
		userID, err := s.UserOf(ctx, c)
		if err != nil {
			return st, err
		}
		if err := s.Invites.Attempted(ctx, userID); err != nil {
			return st, fmt.Errorf("invite attempted: %w", err)
		}
	}
	return st, nil
}

// UserOf returns the user a session connects accounts for: its own, or its
// verification's.
func (s *Service) UserOf(ctx context.Context, c session.Claims) (string, error) {
	if c.VerificationID == "" {
		return c.UserID, nil
	}
	rec, err := s.Store.Verification(ctx, c.Scope(), c.VerificationID)
	return rec.UserID, err
}

// DocumentsSubmitted records that the person finished Link by uploading
// documents instead of connecting an account: the user's invites are
// completed, as a connection completes them.
func (s *Service) DocumentsSubmitted(ctx context.Context, userID string) error {
	if s.Invites == nil {
		return nil
	}
	return s.Invites.Completed(ctx, userID)
}

// Verify submits the multi-factor code.
func (s *Service) Verify(ctx context.Context, c session.Claims, code string) (State, error) {
	var conn *datasource.Connection
	st, err := s.step(ctx, c, []string{StageMFA}, func(cs *store.ConnectSession) error {
		cx, _, _, err := s.connectorFor(c, cs.Item)
		if err != nil {
			return err
		}
		var ch datasource.Challenge
		if err := s.Secrets.Open(cs.Challenge, &ch); err != nil {
			return fmt.Errorf("open challenge: %w", err)
		}
		got, err := cx.Verify(ctx, ch, strings.TrimSpace(code))
		switch {
		case errors.Is(err, datasource.ErrInvalidCode):
			failed(cs, err)
			return nil
		case isRefusal(err):
			refused(cs, err)
			return nil
		case err != nil:
			return err
		}
		if conn, err = s.arrived(cx, cs, got); err != nil || conn == nil {
			return err
		}
		// A correct code: connected saves the session with the account, and
		// retries when another request changed the session meanwhile, so
		// the code is never lost to a concurrent request.
		return errNoSave
	})
	if err != nil || conn == nil {
		return st, err
	}
	return s.connected(ctx, c, *conn)
}

// arrived takes a connection the connector has just established. A bank
// connection waits at StageAccounts for the borrower's choice of accounts,
// sealed in the session (never in the page), and arrived returns nil; any
// other connection is returned, to be connected at once.
func (s *Service) arrived(cx datasource.Connector, cs *store.ConnectSession, conn datasource.Connection) (*datasource.Connection, error) {
	if _, bank := cx.(datasource.BankConnector); !bank {
		return &conn, nil
	}
	sealed, err := s.Secrets.Seal(conn)
	if err != nil {
		return nil, err
	}
	cs.Stage, cs.Challenge, cs.ErrorCode, cs.Connection = StageAccounts, "", "", sealed
	if cs.AccountID == "" {
		cs.AccountID = store.NewID() // reserved, as at the code step
	}
	return nil, nil
}

// Share connects a bank account with the accounts the borrower chose (ids
// from State.Accounts; at least one). A choice that is empty or names an
// account not offered stays at StageAccounts with CodeAccountsRequired or
// CodeUnknownAccount as the session's error code, and counts as no failure.
func (s *Service) Share(ctx context.Context, c session.Claims, ids []string) (State, error) {
	var conn *datasource.Connection
	st, err := s.step(ctx, c, []string{StageAccounts}, func(cs *store.ConnectSession) error {
		var pending datasource.Connection
		if err := s.Secrets.Open(cs.Connection, &pending); err != nil {
			return fmt.Errorf("open connection: %w", err)
		}
		shared, code := chosen(pending.Accounts, ids)
		cs.ErrorCode = code
		if code == "" {
			pending.Shared = shared
			conn = &pending
		}
		return nil
	})
	if err != nil || conn == nil {
		return st, err
	}
	return s.connected(ctx, c, *conn)
}

// chosen checks a choice of account ids against the accounts offered and
// returns them without repeats, in the order offered, or an error code.
func chosen(offered []datasource.AccountChoice, ids []string) ([]string, string) {
	picked := map[string]bool{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			picked[id] = true
		}
	}
	if len(picked) == 0 {
		return nil, CodeAccountsRequired
	}
	var out []string
	for _, a := range offered {
		if picked[a.ID] {
			out = append(out, a.ID)
		}
	}
	if len(out) != len(picked) {
		return nil, CodeUnknownAccount
	}
	return out, ""
}

// Used reports whether a single_use_url link has connected an account
// already; a link that is not single-use, or was never opened, is not used.
func (s *Service) Used(ctx context.Context, c session.Claims) (bool, error) {
	if !c.Configuration.SingleUseURL {
		return false, nil
	}
	cs, err := s.Store.ConnectSession(ctx, c.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return cs.UsedAt != nil, nil
}

// isRefusal reports whether err is a provider refusal the user should be told about.
func isRefusal(err error) bool {
	for _, e := range []error{datasource.ErrAccountLocked, datasource.ErrMFATimeout, datasource.ErrUnsupportedMFA,
		datasource.ErrProviderUnavailable, datasource.ErrReauthRequired, datasource.ErrUnknownItem} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// connected stores the account, updates the user, the session and the
// verification in one transaction, and starts aggregation.
func (s *Service) connected(ctx context.Context, c session.Claims, conn datasource.Connection) (State, error) {
	// The connection is in hand: a concurrent change of the session or the
	// verification only means saving it again on what is there now.
	for attempt := 1; ; attempt++ {
		st, err := s.connectOnce(ctx, c, conn)
		if !errors.Is(err, store.ErrConflict) || attempt == maxConnectAttempts {
			if errors.Is(err, store.ErrConflict) {
				return State{}, ErrBusy
			}
			return st, err
		}
	}
}

// maxConnectAttempts bounds how often a connection is saved again after concurrent changes.
const maxConnectAttempts = 8

// connectOnce reads the session and saves the account with it in one
// transaction; store.ErrConflict when something changed meanwhile.
func (s *Service) connectOnce(ctx context.Context, c session.Claims, conn datasource.Connection) (State, error) {
	cs, err := s.Store.ConnectSession(ctx, c.SessionID)
	if err != nil {
		return State{}, err
	}
	if cs.Stage != StageSignIn && cs.Stage != StageMFA && cs.Stage != StageAccounts {
		return s.state(ctx, c, cs)
	}
	userID := c.UserID
	if c.VerificationID != "" {
		rec, err := s.Store.Verification(ctx, c.Scope(), c.VerificationID)
		if err != nil {
			return State{}, err
		}
		if (verification.Status{State: rec.State, Code: rec.Code}).Terminal() {
			return State{}, ErrClosed
		}
		userID = rec.UserID
	}
	sealed, err := s.Secrets.Seal(conn)
	if err != nil {
		return State{}, err
	}
	// The account belongs to the data source whose connector connected it:
	// a gig item of a payroll session gives a gig account.
	_, dataSource, _, err := s.connectorFor(c, conn.ItemID)
	if err != nil {
		return State{}, err
	}
	now := s.now()
	id := cs.AccountID // reserved at the code or accounts step
	if id == "" {
		if id = c.Reconnect; id == "" {
			id = store.NewID()
		}
	}
	if c.Reconnect != "" && id == c.Reconnect {
		return s.reconnectOnce(ctx, c, cs, userID, conn.ItemID, sealed, now)
	}
	acct := store.Account{
		ID: id, PartnerID: c.PartnerID, Environment: c.Environment, UserID: userID, VerificationID: c.VerificationID,
		DataSource: dataSource, Item: conn.ItemID, Source: conn.Source, Employers: []string{}, ConnectionStatus: "connected",
		Connection: sealed, Aggregation: store.AggregationPending, CreatedAt: now, UpdatedAt: now,
	}
	cs.Stage, cs.Challenge, cs.ErrorCode, cs.AccountID, cs.Connection, cs.UpdatedAt = StageConnecting, "", "", acct.ID, "", now
	if c.Configuration.SingleUseURL {
		cs.UsedAt = &now // spent with the connection, in the same transaction
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateAccount(ctx, acct); err != nil {
			return err
		}
		if s.Accounts != nil {
			if err := s.Accounts.AccountConnected(ctx, acct); err != nil {
				return err
			}
		}
		if err := s.Store.AddUserConnections(ctx, acct.UserID, acct.Item, acct.Employers, acct.UpdatedAt); err != nil {
			return err
		}
		if s.Invites != nil {
			if err := s.Invites.Completed(ctx, acct.UserID); err != nil {
				return err
			}
		}
		if err := s.Store.UpdateConnectSession(ctx, cs); err != nil {
			return err
		}
		if c.VerificationID == "" || dataSource != c.DataSource {
			return nil // a user-token Link, or a gig account the verification's report does not use
		}
		_, err := s.Verifications.Transition(ctx, c.Scope(), c.VerificationID, verification.Change{Event: verification.EventAuthenticated})
		var se *verification.StateError
		if errors.As(err, &se) {
			return nil // a refresh's or a further verification: its status stays
		}
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return State{}, err
	} else if err != nil {
		return State{}, fmt.Errorf("connect account: %w", err)
	}
	cs.Version++
	if s.Connected != nil {
		s.Connected()
	}
	return s.state(ctx, c, cs)
}

// reconnectOnce stores a new connection of the account a user-token
// session reconnects (Link's accountId) instead of creating one: the same
// account, connected again and aggregated again (webhooks accounts.connected
// and accounts.updated; the user's lists).
func (s *Service) reconnectOnce(ctx context.Context, c session.Claims, cs store.ConnectSession, userID, item, sealed string, now time.Time) (State, error) {
	acct, err := s.Store.Account(ctx, c.Reconnect)
	if err != nil {
		return State{}, fmt.Errorf("reconnect account %s: %w", c.Reconnect, err)
	}
	if acct.UserID != userID || acct.Item != item {
		return State{}, fmt.Errorf("reconnect account %s: not the user's account at %s", c.Reconnect, item)
	}
	cs.Stage, cs.Challenge, cs.ErrorCode, cs.AccountID, cs.Connection, cs.UpdatedAt = StageConnecting, "", "", acct.ID, "", now
	acct.Connection, acct.ConnectionStatus, acct.ErrorCode, acct.ErrorMessage = sealed, "connected", "", ""
	acct.Aggregation, acct.AggregationAttempts, acct.UpdatedAt = store.AggregationPending, 0, now
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.ReconnectAccount(ctx, acct.ID, sealed, now); err != nil {
			return err
		}
		if r, ok := s.Accounts.(accountReconnected); ok {
			if err := r.AccountReconnected(ctx, acct); err != nil {
				return err
			}
		} else if s.Accounts != nil {
			if err := s.Accounts.AccountConnected(ctx, acct); err != nil {
				return err
			}
		}
		if err := s.Store.AddUserConnections(ctx, acct.UserID, acct.Item, acct.Employers, now); err != nil {
			return err
		}
		return s.Store.UpdateConnectSession(ctx, cs)
	})
	if errors.Is(err, store.ErrConflict) {
		return State{}, err
	} else if err != nil {
		return State{}, fmt.Errorf("reconnect account: %w", err)
	}
	cs.Version++
	if s.Connected != nil {
		s.Connected()
	}
	return s.state(ctx, c, cs)
}
