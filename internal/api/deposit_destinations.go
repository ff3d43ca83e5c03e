package api

import (
	"net/http"

	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Deposit destinations (/v2): where connected payroll accounts' pay is
// deposited.

func (a *API) listDepositDestinations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.RecordFilter{
		AccountID: uuidParam(errs, q, "account", false),
		UserID:    uuidParam(errs, q, "user", false),
	}
	knownParams(errs, r, "account", "user")
	return listRecords(a, w, r, store.RecordDepositDestination, f, errs, marshalView(payroll.RenderDepositDestination))
}

func (a *API) getDepositDestination(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.record(r, store.RecordDepositDestination)
	if err != nil {
		return err
	}
	v, err := payroll.RenderDepositDestination(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
