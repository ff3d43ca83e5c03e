package api

import (
	"net/http"

	"verigate/internal/banking"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Connected bank accounts (a verigate addition), read-only, paged and scoped
// like paystubs.

// bankAccountView renders bank_account records, reading each record's
// account (for its aggregation status) once per request.
func (a *API) bankAccountView(r *http.Request) func(store.AccountRecord) (banking.BankAccount, error) {
	accounts := map[string]store.Account{}
	return func(rec store.AccountRecord) (banking.BankAccount, error) {
		acct, ok := accounts[rec.AccountID]
		if !ok {
			var err error
			if acct, err = a.Store.AccountInScope(r.Context(), principal(r).Scope(), rec.AccountID); err != nil {
				return banking.BankAccount{}, err
			}
			accounts[rec.AccountID] = acct
		}
		return banking.RenderBankAccount(rec, acct)
	}
}

func (a *API) listBankAccounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.RecordFilter{
		UserID:    uuidParam(errs, q, "user", true),
		AccountID: uuidParam(errs, q, "account", false),
	}
	return listRecords(a, w, r, store.RecordBankAccount, f, errs, a.bankAccountView(r))
}

func (a *API) getBankAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := a.Store.RecordInScope(r.Context(), principal(r).Scope(), store.RecordBankAccount, id)
	if err != nil {
		return err
	}
	v, err := a.bankAccountView(r)(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
