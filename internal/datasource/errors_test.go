package datasource

import (
	"errors"
	"testing"
)

func TestErrorCode(t *testing.T) {
	for err, want := range map[error]string{
		nil:                                "",
		ErrInvalidCredentials:              "invalid_credentials",
		ErrInvalidCode:                     "invalid_mfa",
		ErrAccountLocked:                   "account_disabled",
		ErrMFATimeout:                      "mfa_timeout",
		ErrUnsupportedMFA:                  "unsupported_mfa_method",
		ErrProviderUnavailable:             "platform_temporarily_unavailable",
		ErrReauthRequired:                  "auth_required",
		errors.New("boom"):                 "system_error",
		wrap(ErrInvalidCode):               "invalid_mfa",
		wrap(wrap(ErrProviderUnavailable)): "platform_temporarily_unavailable",
	} {
		if got := ErrorCode(err); got != want {
			t.Errorf("ErrorCode(%v) = %q, want %q", err, got, want)
		}
	}
}

func wrap(err error) error { return &wrapped{err} }

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }
