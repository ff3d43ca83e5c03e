package api

import (
	"net/http"

	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

func (a *API) listPaystubs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	// The contract's from_start_date and to_start_date filter on paystub_date.
	f := store.RecordFilter{
		AccountID:  uuidParam(errs, q, "account", false),
		UserID:     uuidParam(errs, q, "user", false),
		Employment: uuidParam(errs, q, "employment", false),
		FromDate:   dateBound(errs, q, "from_start_date", true),
		ToDate:     dateBound(errs, q, "to_start_date", false),
	}
	knownParams(errs, r, "account", "user", "employment", "from_start_date", "to_start_date")
	return listRecords(a, w, r, store.RecordPaystub, f, errs, payroll.PaystubJSON)
}

func (a *API) getPaystub(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.record(r, store.RecordPaystub)
	if err != nil {
		return err
	}
	b, err := payroll.PaystubJSON(rec)
	if err != nil {
		return err
	}
	writeRawJSON(w, http.StatusOK, b)
	return nil
}
