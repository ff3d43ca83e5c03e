package sandboxdata

import (
	"context"
	"fmt"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// Connector connects the sample users to the items of one catalog: sign-in,
// verification codes and the special passwords' scenarios, around a
// generator of the users' data. The payroll and gig sandboxes are each a
// Connector with their own catalog, data and reference prefix.
type Connector struct {
	// Name prefixes the references it hands out and its errors ("sandbox").
	Name string
	// Source is the Connection.Source of its connections.
	Source string
	// Items are the items users sign in to.
	Items datasource.Catalog
	// Data generates a sample user's data on an item as of a date.
	Data func(login, itemID string, asOf value.Date) (datasource.Data, error)
	// Now returns the current time; Aggregate generates data as of its UTC date. Nil means time.Now.
	Now func() time.Time
	// SlowDelay is how long Aggregate waits for PasswordSlow connections; zero means no wait.
	SlowDelay time.Duration
}

var _ datasource.Connector = (*Connector)(nil)

// Catalog returns the connector's items.
func (c *Connector) Catalog() datasource.Catalog { return c.Items }

// SignIn checks a sample user's credentials for an item and, except for
// PasswordNoMFA, returns a challenge for the user's verification code.
func (c *Connector) SignIn(ctx context.Context, itemID string, cred datasource.Credentials) (datasource.SignInResult, error) {
	if err := ctx.Err(); err != nil {
		return datasource.SignInResult{}, err
	}
	item, ok := c.Items.Get(itemID)
	if !ok {
		return datasource.SignInResult{}, fmt.Errorf("%s: %w %q", c.Name, datasource.ErrUnknownItem, itemID)
	}
	if item.Status == datasource.StatusUnavailable {
		return datasource.SignInResult{}, fmt.Errorf("%s: %s: %w", c.Name, item.Name, datasource.ErrProviderUnavailable)
	}
	u, ok := Lookup(cred.Username)
	if !ok {
		return datasource.SignInResult{}, datasource.ErrInvalidCredentials
	}
	scenario, noMFA, err := PasswordScenario(cred.Password)
	if err != nil {
		return datasource.SignInResult{}, err
	}
	if noMFA {
		conn := c.connection(u, itemID, scenario)
		return datasource.SignInResult{Connection: &conn}, nil
	}
	return datasource.SignInResult{Challenge: &datasource.Challenge{
		Ref:         c.makeRef(refChallenge, u.Username, itemID, scenario),
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
	u, itemID, scenario, err := c.parseRef(refChallenge, ch.Ref)
	if err != nil {
		return datasource.Connection{}, err
	}
	if scenario == ScenarioMFATimeout {
		return datasource.Connection{}, datasource.ErrMFATimeout
	}
	if strings.TrimSpace(code) != u.Code {
		return datasource.Connection{}, datasource.ErrInvalidCode
	}
	return c.connection(u, itemID, scenario), nil
}

// Aggregate returns the connected user's data for the item as of today's
// UTC date (per datasource.Now: ctx's time, else Now). PasswordSlow connections first wait SlowDelay, or
// return ctx's error if ctx ends sooner.
func (c *Connector) Aggregate(ctx context.Context, conn datasource.Connection) (datasource.Data, error) {
	if err := ctx.Err(); err != nil {
		return datasource.Data{}, err
	}
	u, itemID, scenario, err := c.parseRef(refConnection, conn.Ref)
	if err != nil {
		return datasource.Data{}, err
	}
	if scenario == ScenarioSlow && c.SlowDelay > 0 {
		t := time.NewTimer(c.SlowDelay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return datasource.Data{}, fmt.Errorf("%s: aggregate: %w", c.Name, ctx.Err())
		case <-t.C:
		}
	}
	return c.Data(u.Username, itemID, value.DateOf(datasource.Now(ctx, c.Now).UTC()))
}

// SignInHint names test credentials for the sign-in page of sandbox sessions.
func (c *Connector) SignInHint() string {
	return "test_1 / " + PasswordGood + " / 8081"
}

// Reference kinds; a challenge reference cannot be used as a connection.
const (
	refChallenge  = "mfa"
	refConnection = "conn"
)

func (c *Connector) makeRef(kind, username, itemID, scenario string) string {
	return strings.Join([]string{c.Name, kind, "v1", username, itemID, scenario}, ":")
}

func (c *Connector) parseRef(kind, ref string) (u SampleUser, itemID, scenario string, err error) {
	p := strings.Split(ref, ":")
	if len(p) != 6 || p[0] != c.Name || p[1] != kind || p[2] != "v1" {
		return u, "", "", datasource.ErrReauthRequired
	}
	u, ok := Lookup(p[3])
	if !ok || u.Username != p[3] {
		return u, "", "", datasource.ErrReauthRequired
	}
	if _, ok := c.Items.Get(p[4]); !ok {
		return u, "", "", datasource.ErrReauthRequired
	}
	switch p[5] {
	case ScenarioNormal, ScenarioSlow, ScenarioMFATimeout:
	default:
		return u, "", "", datasource.ErrReauthRequired
	}
	return u, p[4], p[5], nil
}

func (c *Connector) connection(u SampleUser, itemID, scenario string) datasource.Connection {
	return datasource.Connection{Ref: c.makeRef(refConnection, u.Username, itemID, scenario), ItemID: itemID, Source: c.Source}
}
