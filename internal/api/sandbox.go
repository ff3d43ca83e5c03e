package api

import (
	"net/http"
)

// The sandbox controls (verigate additions, sandbox keys only): the
// tenant's link and user-token lifetimes and clock, a test webhook event,
// and new paystubs for a connected account. docs/sandbox.md describes them.

func (a *API) getSandboxSettings(w http.ResponseWriter, r *http.Request) error {
	out, err := a.Sandbox.Settings(r.Context(), principal(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateSandboxSettings(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, a.Sandbox.UpdateSettings)
}

func (a *API) fireTestWebhook(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, a.Sandbox.FireWebhook)
}

func (a *API) addSandboxPaystubs(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, a.Sandbox.AddPaystubs)
}
