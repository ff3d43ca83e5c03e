// Package sandboxdata holds what the sandboxes share: the sample users, the
// sandbox payroll items and the deterministic payroll data generated for
// them, the special passwords and their scenarios, the seeded random
// helpers the sandboxes draw their numbers with, and Connector, the sign-in
// and aggregation behaviour of the payroll and gig sandboxes.
package sandboxdata

import (
	"fmt"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// DefaultSlowDelay is how long a sandbox Aggregate waits for connections made with PasswordSlow.
const DefaultSlowDelay = 10 * time.Second

// Passwords accepted for every sample user; each selects a scenario.
const (
	// PasswordGood signs in normally and asks for the user's verification code.
	PasswordGood = "passgood"
	// PasswordNoMFA signs in normally without a verification code.
	PasswordNoMFA = "passnomfa"
	// PasswordLocked fails sign-in with datasource.ErrAccountLocked.
	PasswordLocked = "passlocked"
	// PasswordMFATimeout asks for a code, then fails Verify with datasource.ErrMFATimeout.
	PasswordMFATimeout = "passmfatimeout"
	// PasswordUnsupportedMFA fails sign-in with datasource.ErrUnsupportedMFA.
	PasswordUnsupportedMFA = "passunsupportedmfa"
	// PasswordUnavailable fails sign-in with datasource.ErrProviderUnavailable.
	PasswordUnavailable = "passunavailable"
	// PasswordSlow signs in normally, but Aggregate waits the connector's SlowDelay first.
	PasswordSlow = "passslow"
)

// Scenarios a sandbox reference carries.
const (
	// ScenarioNormal connects and aggregates at once.
	ScenarioNormal = "normal"
	// ScenarioSlow aggregates after the connector's SlowDelay.
	ScenarioSlow = "slow"
	// ScenarioMFATimeout fails the verification code with datasource.ErrMFATimeout.
	ScenarioMFATimeout = "mfatimeout"
)

// PasswordScenario tells what a sandbox password simulates: the scenario its
// challenge or connection carries, whether sign-in connects without a code,
// or the error sign-in fails with.
func PasswordScenario(password string) (scenario string, noMFA bool, err error) {
	switch password {
	case PasswordGood:
		return ScenarioNormal, false, nil
	case PasswordSlow:
		return ScenarioSlow, false, nil
	case PasswordMFATimeout:
		return ScenarioMFATimeout, false, nil
	case PasswordNoMFA:
		return ScenarioNormal, true, nil
	case PasswordLocked:
		return "", false, datasource.ErrAccountLocked
	case PasswordUnsupportedMFA:
		return "", false, datasource.ErrUnsupportedMFA
	case PasswordUnavailable:
		return "", false, datasource.ErrProviderUnavailable
	}
	return "", false, datasource.ErrInvalidCredentials
}

// Payroll returns a sample user's (by username or e-mail) payroll data on a
// sandbox payroll item as of the given date; the same inputs always give
// identical data.
func Payroll(login, itemID string, asOf value.Date) (datasource.Data, error) {
	u, ok := lookupUser(login)
	if !ok {
		return datasource.Data{}, datasource.ErrInvalidCredentials
	}
	if _, ok := catalog.Get(itemID); !ok {
		return datasource.Data{}, fmt.Errorf("sandbox: %w %q", datasource.ErrUnknownItem, itemID)
	}
	return generate(u, itemID, asOf)
}
