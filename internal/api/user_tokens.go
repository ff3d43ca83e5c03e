package api

import (
	"net/http"

	"verigate/internal/partner"
)

func (a *API) createUserToken(w http.ResponseWriter, r *http.Request) error {
	var in partner.TokenInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Users.Token(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
