package api

import (
	"net/http"

	"verigate/internal/accountdata"
	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Connected accounts, read-only and scoped to the key's tenant like
// verifications; their records are served by paystubs.go,
// payroll_documents.go, bank_accounts.go and bank_transactions.go.

var ongoingRefreshStatuses = []string{store.OngoingRefreshEnabled, store.OngoingRefreshDisabled, store.OngoingRefreshIdle}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.AccountFilter{
		UserID:               uuidParam(errs, q, "user", true),
		Item:                 q.Get("item"),
		OngoingRefreshStatus: enumParam(errs, q, "ongoing_refresh_status", ongoingRefreshStatuses),
	}
	page := pageParams(errs, q)
	if err := errs.Err(); err != nil {
		return err
	}
	return writeList(a, w, r, page, func(p store.Page) ([]accountdata.Account, error) {
		return a.Accounts.Accounts(r.Context(), principal(r).Scope(), f, p)
	}, func(x accountdata.Account) string { return x.ID }, renderAccount)
}

func (a *API) getAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	acct, err := a.Accounts.Account(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, payroll.RenderAccount(acct.Account, acct.Records))
	return nil
}

// renderAccount renders an account of a listing.
func renderAccount(x accountdata.Account) (payroll.Account, error) {
	return payroll.RenderAccount(x.Account, x.Records), nil
}
