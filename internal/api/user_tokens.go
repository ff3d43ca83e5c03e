package api

import (
	"net/http"
)

func (a *API) createUserToken(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, a.Users.Token)
}
