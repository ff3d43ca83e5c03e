package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"verigate/internal/customization"
	"verigate/internal/invite"
	"verigate/internal/partner"
	"verigate/internal/report"
	"verigate/internal/sandbox"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/validate"
	"verigate/internal/verification"
)

// httpError is an error that already knows its status and body.
type httpError struct {
	status int
	body   any
}

func (e *httpError) Error() string { return fmt.Sprintf("http %d: %v", e.status, e.body) }

func detail(status int, msg string) error {
	return &httpError{status: status, body: map[string]string{"detail": msg}}
}

var (
	errNoCredentials  = detail(http.StatusUnauthorized, "Authentication credentials were not provided.")
	errBadCredentials = detail(http.StatusUnauthorized, "Invalid username/password.")
	errNotFound       = detail(http.StatusNotFound, "Not found.")
	errTooLarge       = detail(http.StatusRequestEntityTooLarge, "Request body is too large; the limit is 1 MiB.")
)

// writeError is the one place where an error becomes an HTTP status and a body.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var fields validate.Errors
	var state *verification.StateError
	switch {
	case errors.As(err, &he):
	case errors.As(err, &fields):
		he = &httpError{status: http.StatusBadRequest, body: fields}
	case errors.Is(err, store.ErrNotFound):
		he = errNotFound.(*httpError)
	case errors.As(err, &state):
		he = &httpError{status: http.StatusConflict, body: map[string]string{"detail": state.Msg}}
	case errors.Is(err, partner.ErrUnauthenticated):
		he = errBadCredentials.(*httpError)
	case errors.Is(err, partner.ErrKeyRevoked):
		he = &httpError{status: http.StatusConflict, body: map[string]string{"detail": "The API key is revoked already."}}
	case errors.Is(err, customization.ErrSample):
		he = &httpError{status: http.StatusConflict, body: map[string]string{"detail": "The sample customizations are read-only; create your own instead."}}
	case errors.Is(err, invite.ErrRevoked):
		he = &httpError{status: http.StatusConflict, body: map[string]string{"detail": invite.ErrRevoked.Error()}}
	case errors.Is(err, session.ErrInvalid):
		he = errNotFound.(*httpError)
	case errors.Is(err, sandbox.ErrProduction):
		he = &httpError{status: http.StatusForbidden, body: map[string]string{"detail": "The sandbox controls are for sandbox API keys; this is a production key."}}
	case errors.Is(err, report.ErrDailyLimit):
		he = &httpError{status: http.StatusTooManyRequests, body: map[string]string{"detail": fmt.Sprintf(
			"The user has %d reports generated in the last 24 hours, the most allowed; delete one of them or try again later.", report.DailyUserReports)}}
	default:
		a.Log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r.Context()), "err", err)
		he = &httpError{status: http.StatusInternalServerError, body: map[string]string{"detail": "Internal server error; the request id identifies it in verigate's logs."}}
	}
	if he.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="verigate", charset="UTF-8"`)
	}
	writeJSON(w, he.status, he.body)
}

// typeMessage words a JSON type mismatch for the expected Go kind.
func typeMessage(e *json.UnmarshalTypeError) string {
	switch k := e.Type.Kind().String(); {
	case k == "string":
		return "Not a valid string."
	case strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint"):
		return "A valid integer is required."
	case k == "float64" || k == "float32":
		return "A valid number is required."
	case k == "bool":
		return "Must be a valid boolean."
	case k == "slice" || k == "array":
		return fmt.Sprintf("Expected a list of items but got type %q.", e.Value)
	default:
		return fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", e.Value)
	}
}
