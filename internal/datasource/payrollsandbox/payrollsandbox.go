// Package payrollsandbox is a deterministic, offline payroll connector with sample
// users, for developing and testing against verigate without a real payroll
// provider.
//
// Three sample users (see [SampleUsers]) can connect to every item of the
// sandbox catalog; special passwords simulate provider failures. Aggregated
// data is generated from the user, the item and the as-of date only, so the
// same inputs always give identical data. docs/sandbox.md describes the
// data for verigate's users.
package payrollsandbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// DefaultSlowDelay is how long Aggregate waits for connections made with PasswordSlow.
const DefaultSlowDelay = 10 * time.Second

// Source is the Connection.Source of sandbox connections.
const Source = "sandbox"

// Connector is the sandbox connector; create it with [New]. Its fields may be
// changed before first use, and it is then safe for concurrent use.
type Connector struct {
	// Now returns the current time; Aggregate generates data as of its UTC date. Nil means time.Now.
	Now func() time.Time
	// SlowDelay is how long Aggregate waits for PasswordSlow connections; zero means no wait.
	SlowDelay time.Duration
}

var _ datasource.Connector = (*Connector)(nil)

var catalog = newCatalog()

// New returns a sandbox connector using the real clock and DefaultSlowDelay.
func New() *Connector {
	return &Connector{Now: time.Now, SlowDelay: DefaultSlowDelay}
}

// Catalog returns the sandbox items.
func (c *Connector) Catalog() datasource.Catalog { return catalog }

// scenarios carried in references.
const (
	scenarioNormal     = "normal"
	scenarioSlow       = "slow"
	scenarioMFATimeout = "mfatimeout"
)

// PasswordScenario tells what a sandbox password simulates: the scenario its
// challenge or connection carries, whether sign-in connects without a code,
// or the error sign-in fails with. The bank sandbox uses the same passwords.
func PasswordScenario(password string) (scenario string, noMFA bool, err error) {
	switch password {
	case PasswordGood:
		return scenarioNormal, false, nil
	case PasswordSlow:
		return scenarioSlow, false, nil
	case PasswordMFATimeout:
		return scenarioMFATimeout, false, nil
	case PasswordNoMFA:
		return scenarioNormal, true, nil
	case PasswordLocked:
		return "", false, datasource.ErrAccountLocked
	case PasswordUnsupportedMFA:
		return "", false, datasource.ErrUnsupportedMFA
	case PasswordUnavailable:
		return "", false, datasource.ErrProviderUnavailable
	}
	return "", false, datasource.ErrInvalidCredentials
}

// Scenarios a sandbox reference carries.
const (
	ScenarioNormal     = scenarioNormal
	ScenarioSlow       = scenarioSlow
	ScenarioMFATimeout = scenarioMFATimeout
)

// SignIn checks a sample user's credentials for an item and, except for
// PasswordNoMFA, returns a challenge for the user's verification code.
func (c *Connector) SignIn(ctx context.Context, itemID string, cred datasource.Credentials) (datasource.SignInResult, error) {
	if err := ctx.Err(); err != nil {
		return datasource.SignInResult{}, err
	}
	item, ok := catalog.Get(itemID)
	if !ok {
		return datasource.SignInResult{}, fmt.Errorf("sandbox: %w %q", datasource.ErrUnknownItem, itemID)
	}
	if item.Status == datasource.StatusUnavailable {
		return datasource.SignInResult{}, fmt.Errorf("sandbox: %s: %w", item.Name, datasource.ErrProviderUnavailable)
	}
	u, ok := lookupUser(cred.Username)
	if !ok {
		return datasource.SignInResult{}, datasource.ErrInvalidCredentials
	}
	scenario, noMFA, err := PasswordScenario(cred.Password)
	if err != nil {
		return datasource.SignInResult{}, err
	}
	if noMFA {
		conn := u.connection(itemID, scenario)
		return datasource.SignInResult{Connection: &conn}, nil
	}
	kind, dest, prompt := u.challenge()
	return datasource.SignInResult{Challenge: &datasource.Challenge{
		Ref:         makeRef(refChallenge, u.username, itemID, scenario),
		ItemID:      itemID,
		Kind:        kind,
		Destination: dest,
		Prompt:      prompt,
		CodeLength:  len(u.code),
	}}, nil
}

// Verify checks the user's verification code for a challenge from SignIn.
func (c *Connector) Verify(ctx context.Context, ch datasource.Challenge, code string) (datasource.Connection, error) {
	if err := ctx.Err(); err != nil {
		return datasource.Connection{}, err
	}
	u, itemID, scenario, err := parseRef(refChallenge, ch.Ref)
	if err != nil {
		return datasource.Connection{}, err
	}
	if scenario == scenarioMFATimeout {
		return datasource.Connection{}, datasource.ErrMFATimeout
	}
	if strings.TrimSpace(code) != u.code {
		return datasource.Connection{}, datasource.ErrInvalidCode
	}
	return u.connection(itemID, scenario), nil
}

// Aggregate returns the connected user's data for the item as of today's
// UTC date (per Now). PasswordSlow connections first wait SlowDelay, or
// return ctx's error if ctx ends sooner.
func (c *Connector) Aggregate(ctx context.Context, conn datasource.Connection) (datasource.Data, error) {
	if err := ctx.Err(); err != nil {
		return datasource.Data{}, err
	}
	u, itemID, scenario, err := parseRef(refConnection, conn.Ref)
	if err != nil {
		return datasource.Data{}, err
	}
	if scenario == scenarioSlow && c.SlowDelay > 0 {
		t := time.NewTimer(c.SlowDelay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return datasource.Data{}, fmt.Errorf("sandbox: aggregate: %w", ctx.Err())
		case <-t.C:
		}
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	return generate(u, itemID, value.DateOf(now().UTC()))
}

// DataFor returns the data Aggregate would return for a sample user (by
// username or e-mail) connected to an item, as of the given date.
func DataFor(login, itemID string, asOf value.Date) (datasource.Data, error) {
	u, ok := lookupUser(login)
	if !ok {
		return datasource.Data{}, datasource.ErrInvalidCredentials
	}
	if _, ok := catalog.Get(itemID); !ok {
		return datasource.Data{}, fmt.Errorf("sandbox: %w %q", datasource.ErrUnknownItem, itemID)
	}
	return generate(u, itemID, asOf)
}

// Reference kinds; a challenge reference cannot be used as a connection.
const (
	refChallenge  = "mfa"
	refConnection = "conn"
)

func makeRef(kind, username, itemID, scenario string) string {
	return strings.Join([]string{"sandbox", kind, "v1", username, itemID, scenario}, ":")
}

func parseRef(kind, ref string) (u *user, itemID, scenario string, err error) {
	p := strings.Split(ref, ":")
	if len(p) != 6 || p[0] != "sandbox" || p[1] != kind || p[2] != "v1" {
		return nil, "", "", datasource.ErrReauthRequired
	}
	u, ok := lookupUser(p[3])
	if !ok || u.username != p[3] {
		return nil, "", "", datasource.ErrReauthRequired
	}
	if _, ok := catalog.Get(p[4]); !ok {
		return nil, "", "", datasource.ErrReauthRequired
	}
	switch p[5] {
	case scenarioNormal, scenarioSlow, scenarioMFATimeout:
	default:
		return nil, "", "", datasource.ErrReauthRequired
	}
	return u, p[4], p[5], nil
}

func (u *user) connection(itemID, scenario string) datasource.Connection {
	return datasource.Connection{
		Ref:    makeRef(refConnection, u.username, itemID, scenario),
		ItemID: itemID,
		Source: Source,
	}
}

// SignInHint names test credentials for the sign-in page of sandbox sessions.
func (c *Connector) SignInHint() string {
	return "test_1 / " + PasswordGood + " / 8081"
}
