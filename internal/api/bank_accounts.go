package api

import (
	"net/http"

	"verigate/internal/accountdata"
	"verigate/internal/banking"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Connected bank accounts (a verigate addition), read-only, paged and scoped
// like paystubs.

// renderBankAccount renders a bank_account record with its account's
// aggregation status.
func renderBankAccount(x accountdata.BankAccount) (banking.BankAccount, error) {
	return banking.RenderBankAccount(x.Record, x.Account)
}

func (a *API) listBankAccounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.RecordFilter{
		UserID:    uuidParam(errs, q, "user", true),
		AccountID: uuidParam(errs, q, "account", false),
	}
	page, err := recordPage(errs, r)
	if err != nil {
		return err
	}
	return writeList(a, w, r, page, func(p store.Page) ([]accountdata.BankAccount, error) {
		return a.Accounts.BankAccounts(r.Context(), principal(r).Scope(), f, p)
	}, func(x accountdata.BankAccount) string { return store.RecordKey(x.Record) }, renderBankAccount)
}

func (a *API) getBankAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := a.Accounts.BankAccount(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	v, err := renderBankAccount(x)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
