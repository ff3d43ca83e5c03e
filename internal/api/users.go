package api

import (
	"net/http"

	"verigate/internal/partner"
)

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var in partner.UserInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Users.Create(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.Users.Get(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in partner.UserInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Users.Update(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
