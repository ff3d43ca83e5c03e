package datasource

import (
	"context"
	"errors"
)

// Errors a connector returns, possibly wrapped; test for them with errors.Is.
var (
	// ErrInvalidCredentials means the username or password is wrong.
	ErrInvalidCredentials = errors.New("connector: invalid credentials")
	// ErrInvalidCode means the multi-factor code is wrong.
	ErrInvalidCode = errors.New("connector: invalid verification code")
	// ErrAccountLocked means the provider has locked or disabled the account.
	ErrAccountLocked = errors.New("connector: account locked by the provider")
	// ErrMFATimeout means the multi-factor challenge expired before it was completed.
	ErrMFATimeout = errors.New("connector: verification timed out")
	// ErrUnsupportedMFA means the account uses a multi-factor method the connector cannot handle.
	ErrUnsupportedMFA = errors.New("connector: unsupported verification method")
	// ErrProviderUnavailable means the provider cannot be reached or refuses new connections for now.
	ErrProviderUnavailable = errors.New("connector: provider unavailable")
	// ErrUnknownItem means the item id is not in the connector's catalog.
	ErrUnknownItem = errors.New("connector: unknown item")
	// ErrReauthRequired means a challenge or connection is no longer valid and the user must sign in again.
	ErrReauthRequired = errors.New("connector: sign-in required again")
)

// ErrorCode returns the contract's account connection error_code for err
// ("invalid_credentials", "invalid_mfa", ...), or "system_error" for errors
// that are not from this package (including nil-safe: nil gives "").
func ErrorCode(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrInvalidCredentials):
		return "invalid_credentials"
	case errors.Is(err, ErrInvalidCode):
		return "invalid_mfa"
	case errors.Is(err, ErrAccountLocked):
		return "account_disabled"
	case errors.Is(err, ErrMFATimeout):
		return "mfa_timeout"
	case errors.Is(err, ErrUnsupportedMFA):
		return "unsupported_mfa_method"
	case errors.Is(err, ErrProviderUnavailable):
		return "platform_temporarily_unavailable"
	case errors.Is(err, ErrReauthRequired):
		return "auth_required"
	case errors.Is(err, context.DeadlineExceeded):
		return "service_unavailable"
	default:
		return "system_error"
	}
}
