package api

import (
	"net/http"

	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Employments (/v2): the jobs of connected payroll accounts; the contract
// lists them and has no retrieve operation.

func (a *API) listEmployments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.RecordFilter{
		UserID:    uuidParam(errs, q, "user", false),
		AccountID: uuidParam(errs, q, "account", false),
	}
	knownParams(errs, r, "user", "account")
	return listRecords(a, w, r, store.RecordEmployment, f, errs, marshalView(payroll.RenderEmployment))
}
