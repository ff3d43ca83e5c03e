package api

import (
	"net/http"

	"verigate/internal/partner"
)

// The API keys a partner holds (verigate additions): list them, revoke one,
// rotate one. A key reaches only its partner's keys of its own environment;
// creating keys is the command line's job (docs/api.md).

func keyScope(r *http.Request) partner.KeyScope {
	p := principal(r)
	return partner.KeyScope{PartnerID: p.PartnerID, Environment: p.Environment}
}

func (a *API) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	out, err := a.Keys.List(r.Context(), keyScope(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listPage[partner.KeyView]{Results: out})
	return nil
}

func (a *API) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	out, err := a.Keys.Revoke(r.Context(), keyScope(r), r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) rotateAPIKey(w http.ResponseWriter, r *http.Request) error {
	out, err := a.Keys.Rotate(r.Context(), keyScope(r), r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
