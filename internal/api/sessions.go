package api

import (
	"net/http"
)

func (a *API) createSession(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, a.Sessions.Create)
}
