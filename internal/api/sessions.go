package api

import (
	"net/http"

	"verigate/internal/session"
)

func (a *API) createSession(w http.ResponseWriter, r *http.Request) error {
	var in session.CreateInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Sessions.Create(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
