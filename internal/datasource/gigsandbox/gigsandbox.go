// Package gigsandbox is a deterministic, offline connector to gig platforms
// (rideshare and delivery), for developing and testing against verigate's
// gigs, shifts, ratings and vehicles without a real gig platform.
//
// The sample users and the special passwords are those of the payroll
// sandbox (package sandboxdata): the same logins, codes, MFA behaviour and
// failure scenarios. Aggregated data is generated from the user, the item
// and the as-of date only, so the same inputs always give identical data;
// a day's gigs do not depend on the as-of date, so a later aggregation keeps
// the ids of the gigs it repeats. docs/sandbox.md describes the data.
package gigsandbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

// Source is the Connection.Source of gig sandbox connections.
const Source = "sandbox_gig"

// Connector is the gig sandbox connector; create it with [New]. Its fields
// may be changed before first use, and it is then safe for concurrent use.
type Connector struct {
	// Now returns the current time; Aggregate generates data as of its UTC date. Nil means time.Now.
	Now func() time.Time
	// SlowDelay is how long Aggregate waits for sandboxdata.PasswordSlow connections; zero means no wait.
	SlowDelay time.Duration
}

var _ datasource.Connector = (*Connector)(nil)

// New returns a gig sandbox connector using the real clock and sandboxdata.DefaultSlowDelay.
func New() *Connector {
	return &Connector{Now: time.Now, SlowDelay: sandboxdata.DefaultSlowDelay}
}

// Catalog returns the gig sandbox items.
func (c *Connector) Catalog() datasource.Catalog { return catalog }

// SignIn checks a sample user's credentials for a gig item and, except for
// sandboxdata.PasswordNoMFA, returns a challenge for the user's verification code.
func (c *Connector) SignIn(ctx context.Context, itemID string, cred datasource.Credentials) (datasource.SignInResult, error) {
	if err := ctx.Err(); err != nil {
		return datasource.SignInResult{}, err
	}
	item, ok := catalog.Get(itemID)
	if !ok {
		return datasource.SignInResult{}, fmt.Errorf("gig sandbox: %w %q", datasource.ErrUnknownItem, itemID)
	}
	if item.Status == datasource.StatusUnavailable {
		return datasource.SignInResult{}, fmt.Errorf("gig sandbox: %s: %w", item.Name, datasource.ErrProviderUnavailable)
	}
	u, ok := sandboxdata.Lookup(cred.Username)
	if !ok {
		return datasource.SignInResult{}, datasource.ErrInvalidCredentials
	}
	scenario, noMFA, err := sandboxdata.PasswordScenario(cred.Password)
	if err != nil {
		return datasource.SignInResult{}, err
	}
	if noMFA {
		conn := connection(u, itemID, scenario)
		return datasource.SignInResult{Connection: &conn}, nil
	}
	return datasource.SignInResult{Challenge: &datasource.Challenge{
		Ref:         makeRef(refChallenge, u.Username, itemID, scenario),
		ItemID:      itemID,
		Kind:        u.MFA,
		Destination: u.Destination,
		Prompt:      u.Prompt,
		CodeLength:  len(u.Code),
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
	if scenario == sandboxdata.ScenarioMFATimeout {
		return datasource.Connection{}, datasource.ErrMFATimeout
	}
	if strings.TrimSpace(code) != u.Code {
		return datasource.Connection{}, datasource.ErrInvalidCode
	}
	return connection(u, itemID, scenario), nil
}

// Aggregate returns the connected user's gig data for the item as of
// today's UTC date (per Now). sandboxdata.PasswordSlow connections first
// wait SlowDelay, or return ctx's error if ctx ends sooner.
func (c *Connector) Aggregate(ctx context.Context, conn datasource.Connection) (datasource.Data, error) {
	if err := ctx.Err(); err != nil {
		return datasource.Data{}, err
	}
	u, itemID, scenario, err := parseRef(refConnection, conn.Ref)
	if err != nil {
		return datasource.Data{}, err
	}
	if scenario == sandboxdata.ScenarioSlow && c.SlowDelay > 0 {
		t := time.NewTimer(c.SlowDelay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return datasource.Data{}, fmt.Errorf("gig sandbox: aggregate: %w", ctx.Err())
		case <-t.C:
		}
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	return DataFor(u.Username, itemID, value.DateOf(now().UTC()))
}

// SignInHint names test credentials for the sign-in page of sandbox sessions.
func (c *Connector) SignInHint() string {
	return "test_1 / " + sandboxdata.PasswordGood + " / 8081"
}

// Reference kinds; a challenge reference cannot be used as a connection.
const (
	refChallenge  = "mfa"
	refConnection = "conn"
)

func makeRef(kind, username, itemID, scenario string) string {
	return strings.Join([]string{"gigsandbox", kind, "v1", username, itemID, scenario}, ":")
}

func parseRef(kind, ref string) (u sandboxdata.SampleUser, itemID, scenario string, err error) {
	p := strings.Split(ref, ":")
	if len(p) != 6 || p[0] != "gigsandbox" || p[1] != kind || p[2] != "v1" {
		return u, "", "", datasource.ErrReauthRequired
	}
	u, ok := sandboxdata.Lookup(p[3])
	if !ok || u.Username != p[3] {
		return u, "", "", datasource.ErrReauthRequired
	}
	if !catalog.Has(p[4]) {
		return u, "", "", datasource.ErrReauthRequired
	}
	switch p[5] {
	case sandboxdata.ScenarioNormal, sandboxdata.ScenarioSlow, sandboxdata.ScenarioMFATimeout:
	default:
		return u, "", "", datasource.ErrReauthRequired
	}
	return u, p[4], p[5], nil
}

func connection(u sandboxdata.SampleUser, itemID, scenario string) datasource.Connection {
	return datasource.Connection{Ref: makeRef(refConnection, u.Username, itemID, scenario), ItemID: itemID, Source: Source}
}
