package api

import (
	"context"
	"net/http"
)

// Health checks: /healthz answers while the process serves, /readyz while
// the database answers too.

// Pinger is what the readiness check asks whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	if err := a.DB.Ping(r.Context()); err != nil {
		a.Log.WarnContext(r.Context(), "database not reachable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "detail": "The database is not reachable."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
