// Package banksandbox is a deterministic, offline bank connector with the
// sandbox's sample users (package sandboxdata), for developing and testing
// banking verifications without a real bank.
//
// The catalog has fictional banks and credit unions (see Institutions).
// Sign-in works exactly like the payroll sandbox: the same usernames, e-mail
// addresses, passwords (including the special passwords of package
// sandboxdata, which simulate failures) and verification codes. A connection lists the
// user's accounts (Connection.Accounts); Aggregate returns the accounts in
// Connection.Shared (all when it is empty) with 24 months of transactions
// and daily balances ending at the as-of date. Data depends only on the
// user, the institution and the as-of date, and payroll deposits match the
// sandbox payroll data (see PayrollItem). docs/sandbox.md describes the data.
package banksandbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

// Source is the Connection.Source of bank sandbox connections.
const Source = "sandbox"

// Connector is the bank sandbox connector; create it with [New]. Its fields
// may be changed before first use, and it is then safe for concurrent use.
type Connector struct {
	// Now returns the current time; connections and Aggregate use its UTC date as the as-of date. Nil means time.Now.
	Now func() time.Time
	// SlowDelay is how long Aggregate waits for sandboxdata.PasswordSlow connections; zero means no wait.
	SlowDelay time.Duration
}

var _ datasource.BankConnector = (*Connector)(nil)

// New returns a bank sandbox connector using the real clock and sandboxdata.DefaultSlowDelay.
func New() *Connector {
	return &Connector{Now: time.Now, SlowDelay: sandboxdata.DefaultSlowDelay}
}

// Catalog returns the institutions as items of kind datasource.KindBank.
func (c *Connector) Catalog() datasource.Catalog { return institutions.Items() }

// Institutions returns the sandbox institutions.
func (c *Connector) Institutions() *datasource.InstitutionCatalog { return institutions }

// Institutions returns the sandbox institutions (the same as Connector.Institutions).
func Institutions() *datasource.InstitutionCatalog { return institutions }

// today is the as-of date: ctx's time (datasource.WithNow), else Now's.
func (c *Connector) today(ctx context.Context) value.Date {
	return value.DateOf(datasource.Now(ctx, c.Now).UTC())
}

// scenarios carried in references: the shared sandbox ones.
const (
	scenarioNormal     = sandboxdata.ScenarioNormal
	scenarioSlow       = sandboxdata.ScenarioSlow
	scenarioMFATimeout = sandboxdata.ScenarioMFATimeout
)

// SignIn checks a sample user's credentials for an institution and, except
// for sandboxdata.PasswordNoMFA, returns a challenge for the user's code.
func (c *Connector) SignIn(ctx context.Context, institutionID string, cred datasource.Credentials) (datasource.SignInResult, error) {
	if err := ctx.Err(); err != nil {
		return datasource.SignInResult{}, err
	}
	inst, ok := institutions.Get(institutionID)
	if !ok {
		return datasource.SignInResult{}, fmt.Errorf("banksandbox: %w %q", datasource.ErrUnknownItem, institutionID)
	}
	if inst.Status == datasource.InstitutionOffline {
		return datasource.SignInResult{}, fmt.Errorf("banksandbox: %s: %w", inst.Name, datasource.ErrProviderUnavailable)
	}
	p, u, ok := lookup(cred.Username)
	if !ok {
		return datasource.SignInResult{}, datasource.ErrInvalidCredentials
	}
	scenario, noMFA, err := sandboxdata.PasswordScenario(cred.Password)
	if err != nil {
		return datasource.SignInResult{}, err
	}
	if noMFA {
		conn, err := c.connection(ctx, p, inst, scenario)
		if err != nil {
			return datasource.SignInResult{}, err
		}
		return datasource.SignInResult{Connection: &conn}, nil
	}
	return datasource.SignInResult{Challenge: &datasource.Challenge{
		Ref:         makeRef(refChallenge, p.username, institutionID, scenario),
		ItemID:      institutionID,
		Kind:        p.mfa,
		Destination: p.destination,
		Prompt:      p.prompt(),
		CodeLength:  len(u.Code),
	}}, nil
}

// Verify checks the user's verification code for a challenge from SignIn.
func (c *Connector) Verify(ctx context.Context, ch datasource.Challenge, code string) (datasource.Connection, error) {
	if err := ctx.Err(); err != nil {
		return datasource.Connection{}, err
	}
	p, inst, scenario, err := parseRef(refChallenge, ch.Ref)
	if err != nil {
		return datasource.Connection{}, err
	}
	if scenario == scenarioMFATimeout {
		return datasource.Connection{}, datasource.ErrMFATimeout
	}
	_, u, _ := lookup(p.username)
	if strings.TrimSpace(code) != u.Code {
		return datasource.Connection{}, datasource.ErrInvalidCode
	}
	return c.connection(ctx, p, inst, scenario)
}

// Aggregate returns the shared accounts of the connection with their
// transactions and balances as of today's UTC date (per Now). It fails with
// datasource.ErrUnknownAccount when conn.Shared names none of the user's
// accounts (unknown ids among known ones are ignored). PasswordSlow
// connections first wait SlowDelay, or return ctx's error if ctx ends sooner.
func (c *Connector) Aggregate(ctx context.Context, conn datasource.Connection) (datasource.Data, error) {
	if err := ctx.Err(); err != nil {
		return datasource.Data{}, err
	}
	p, inst, scenario, err := parseRef(refConnection, conn.Ref)
	if err != nil {
		return datasource.Data{}, err
	}
	if scenario == scenarioSlow && c.SlowDelay > 0 {
		t := time.NewTimer(c.SlowDelay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return datasource.Data{}, fmt.Errorf("banksandbox: aggregate: %w", ctx.Err())
		case <-t.C:
		}
	}
	return dataFor(p, inst, conn.Shared, c.today(ctx))
}

// DataFor returns the data Aggregate would return for a sample user (by
// username or e-mail) connected to an institution and sharing the accounts
// with the given ids (all when shared is empty), as of the given date.
func DataFor(login, institutionID string, shared []string, asOf value.Date) (datasource.Data, error) {
	p, _, ok := lookup(login)
	if !ok {
		return datasource.Data{}, datasource.ErrInvalidCredentials
	}
	inst, ok := institutions.Get(institutionID)
	if !ok {
		return datasource.Data{}, fmt.Errorf("banksandbox: %w %q", datasource.ErrUnknownItem, institutionID)
	}
	return dataFor(p, inst, shared, asOf)
}

// AccountsFor returns the accounts a sample user may share at an
// institution, with their current balances as of the given date: the
// Connection.Accounts of a connection made that day.
func AccountsFor(login, institutionID string, asOf value.Date) ([]datasource.AccountChoice, error) {
	d, err := DataFor(login, institutionID, nil, asOf)
	if err != nil {
		return nil, err
	}
	return choices(d), nil
}

func choices(d datasource.Data) []datasource.AccountChoice {
	out := make([]datasource.AccountChoice, len(d.BankAccounts))
	for i, a := range d.BankAccounts {
		out[i] = datasource.AccountChoice{ID: a.ID, Name: a.Name, Type: a.Type, Mask: "…" + a.Last4,
			CurrentBalance: a.Balances.Current}
	}
	return out
}

func dataFor(p *profile, inst datasource.Institution, shared []string, asOf value.Date) (datasource.Data, error) {
	d, err := generate(p, inst, asOf)
	if err != nil || len(shared) == 0 {
		return d, err
	}
	keep := map[string]bool{}
	for _, a := range d.BankAccounts {
		if slices.Contains(shared, a.ID) {
			keep[a.ID] = true
		}
	}
	if len(keep) == 0 {
		return datasource.Data{}, fmt.Errorf("banksandbox: %w: none of %q", datasource.ErrUnknownAccount, shared)
	}
	d.BankAccounts = slices.DeleteFunc(d.BankAccounts, func(a datasource.BankAccount) bool { return !keep[a.ID] })
	d.Transactions = slices.DeleteFunc(d.Transactions, func(t datasource.Transaction) bool { return !keep[t.AccountID] })
	return d, nil
}

func (c *Connector) connection(ctx context.Context, p *profile, inst datasource.Institution, scenario string) (datasource.Connection, error) {
	d, err := generate(p, inst, c.today(ctx))
	if err != nil {
		return datasource.Connection{}, err
	}
	return datasource.Connection{
		Ref:      makeRef(refConnection, p.username, inst.ID, scenario),
		ItemID:   inst.ID,
		Source:   Source,
		Accounts: choices(d),
	}, nil
}

// Reference kinds; a challenge reference cannot be used as a connection.
const (
	refChallenge  = "mfa"
	refConnection = "conn"
)

func makeRef(kind, username, institutionID, scenario string) string {
	return strings.Join([]string{"banksandbox", kind, "v1", username, institutionID, scenario}, ":")
}

func parseRef(kind, ref string) (p *profile, inst datasource.Institution, scenario string, err error) {
	f := strings.Split(ref, ":")
	if len(f) != 6 || f[0] != "banksandbox" || f[1] != kind || f[2] != "v1" {
		return nil, inst, "", datasource.ErrReauthRequired
	}
	p, _, ok := lookup(f[3])
	if !ok || p.username != f[3] {
		return nil, inst, "", datasource.ErrReauthRequired
	}
	inst, ok = institutions.Get(f[4])
	if !ok {
		return nil, inst, "", datasource.ErrReauthRequired
	}
	switch f[5] {
	case scenarioNormal, scenarioSlow, scenarioMFATimeout:
	default:
		return nil, inst, "", datasource.ErrReauthRequired
	}
	return p, inst, f[5], nil
}

// SignInHint names test credentials for the sign-in page of sandbox sessions.
func (c *Connector) SignInHint() string {
	return "test_1 / " + sandboxdata.PasswordGood + " / 8081"
}
