package api

import (
	"net/http"

	"verigate/internal/invite"
	"verigate/internal/store"
	"verigate/internal/validate"
)

func (a *API) sendInvite(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, a.Invites.Send)
}

func (a *API) listInvites(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.InviteFilter{Statuses: choicesParam(errs, q, "status", invite.Statuses), ReplyTo: q.Get("reply_to")}
	page := pageParams(errs, q)
	if err := errs.Err(); err != nil {
		return err
	}
	return writeList(a, w, r, page, func(p store.Page) ([]store.Invite, error) {
		return a.Invites.List(r.Context(), principal(r), f, p)
	}, func(in store.Invite) string { return in.ID }, func(in store.Invite) (invite.View, error) {
		return a.Invites.ViewOf(r.Context(), in)
	})
}

func (a *API) getInvite(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, a.Invites.Get)
}

func (a *API) resendInvite(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, a.Invites.Resend)
}

func (a *API) revokeInvite(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, a.Invites.Revoke)
}
