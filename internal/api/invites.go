package api

import (
	"net/http"

	"verigate/internal/invite"
	"verigate/internal/store"
	"verigate/internal/validate"
)

func (a *API) sendInvite(w http.ResponseWriter, r *http.Request) error {
	var in invite.Input
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Invites.Send(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
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

// inviteAction serves the operations on one invite.
func (a *API) inviteAction(do func(*invite.Service, *http.Request, string) (invite.View, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		out, err := do(a.Invites, r, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func (a *API) getInvite(w http.ResponseWriter, r *http.Request) error {
	return a.inviteAction(func(s *invite.Service, r *http.Request, id string) (invite.View, error) {
		return s.Get(r.Context(), principal(r), id)
	})(w, r)
}

func (a *API) resendInvite(w http.ResponseWriter, r *http.Request) error {
	return a.inviteAction(func(s *invite.Service, r *http.Request, id string) (invite.View, error) {
		return s.Resend(r.Context(), principal(r), id)
	})(w, r)
}

func (a *API) revokeInvite(w http.ResponseWriter, r *http.Request) error {
	return a.inviteAction(func(s *invite.Service, r *http.Request, id string) (invite.View, error) {
		return s.Revoke(r.Context(), principal(r), id)
	})(w, r)
}
