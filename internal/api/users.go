package api

import (
	"net/http"

	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/validate"
)

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, a.Users.Create)
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, a.Users.Get)
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, a.Users.Update)
}

// The /v2 users: the same records, in the /v2 User shape.

func (a *API) createUserV2(w http.ResponseWriter, r *http.Request) error {
	var in partner.UserInput
	// Every field is optional, and clients create users with no body at
	// all: an empty body is an empty object.
	if r.ContentLength != 0 {
		if err := decode(w, r, &in); err != nil {
			return err
		}
	}
	out, err := a.Users.CreateV2(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listUsersV2(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	page := pageParams(errs, q)
	f := store.UserFilter{ExternalID: q.Get("external_id")}
	if err := errs.Err(); err != nil {
		return err
	}
	return writeList(a, w, r, page, func(p store.Page) ([]store.User, error) {
		return a.Users.List(r.Context(), principal(r), f, p)
	}, func(u store.User) string { return u.ID }, partner.V2View)
}

func (a *API) getUserV2(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, a.Users.GetV2)
}

func (a *API) updateUserV2(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, a.Users.UpdateV2)
}

func (a *API) deleteUserV2(w http.ResponseWriter, r *http.Request) error {
	return deleteByID(w, r, a.Users.Delete)
}
