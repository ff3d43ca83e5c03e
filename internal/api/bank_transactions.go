package api

import (
	"net/http"

	"verigate/internal/banking"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Transactions of connected bank accounts (a verigate addition), read-only,
// paged and scoped like paystubs.

func (a *API) listBankTransactions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	// A transaction's record keeps its bank account's id in the employment column.
	f := store.RecordFilter{
		UserID:     uuidParam(errs, q, "user", false),
		AccountID:  uuidParam(errs, q, "account", false),
		Employment: uuidParam(errs, q, "bank_account", false),
		FromDate:   dateBound(errs, q, "from_date", true),
		ToDate:     dateBound(errs, q, "to_date", false),
	}
	return listRecords(a, w, r, store.RecordTransaction, f, errs, marshalView(banking.RenderTransaction))
}

func (a *API) getBankTransaction(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.record(r, store.RecordTransaction)
	if err != nil {
		return err
	}
	v, err := banking.RenderTransaction(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
