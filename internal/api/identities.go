package api

import (
	"net/http"

	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Identities (/v2): the person of each connected payroll account.

func (a *API) listIdentities(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.RecordFilter{
		AccountID:  uuidParam(errs, q, "account", false),
		UserID:     uuidParam(errs, q, "user", false),
		Employment: uuidParam(errs, q, "employment", false),
	}
	knownParams(errs, r, "account", "user", "employment")
	return listRecords(a, w, r, store.RecordIdentity, f, errs, marshalView(payroll.RenderIdentity))
}

func (a *API) getIdentity(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.record(r, store.RecordIdentity)
	if err != nil {
		return err
	}
	v, err := payroll.RenderIdentity(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
