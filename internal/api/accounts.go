package api

import (
	"net/http"

	"verigate/internal/accountdata"
	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Connected accounts, scoped to the key's tenant like verifications: read
// on both surfaces, deleted and their ongoing refresh disabled on /v2;
// their records are served by paystubs.go, payroll_documents.go,
// identities.go, employments.go, deposit_destinations.go, bank_accounts.go
// and bank_transactions.go.

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
	writeJSON(w, http.StatusOK, accountView(r)(acct))
	return nil
}

// renderAccount renders an account of a Partners v2 listing.
func renderAccount(x accountdata.Account) (payroll.Account, error) {
	return payroll.RenderAccount(x.Account, x.Records), nil
}

// accountView renders accounts as r's surface shows them.
func accountView(r *http.Request) func(accountdata.Account) payroll.Account {
	if surfaceOf(r) == v2 {
		return func(x accountdata.Account) payroll.Account { return payroll.RenderV2Account(x.Account, x.Records) }
	}
	return func(x accountdata.Account) payroll.Account { return payroll.RenderAccount(x.Account, x.Records) }
}

// listV2Accounts lists accounts on /v2, where user is optional.
func (a *API) listV2Accounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.AccountFilter{
		UserID:               uuidParam(errs, q, "user", false),
		Item:                 q.Get("item"),
		OngoingRefreshStatus: enumParam(errs, q, "ongoing_refresh_status", ongoingRefreshStatuses),
	}
	knownParams(errs, r, "user", "item", "ongoing_refresh_status")
	page := pageParams(errs, q)
	if err := errs.Err(); err != nil {
		return err
	}
	view := accountView(r)
	return writeList(a, w, r, page, func(p store.Page) ([]accountdata.Account, error) {
		return a.Accounts.Accounts(r.Context(), principal(r).Scope(), f, p)
	}, func(x accountdata.Account) string { return x.ID }, func(x accountdata.Account) (payroll.Account, error) { return view(x), nil })
}

// deleteAccount deletes an account and all its data; 204.
func (a *API) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.Accounts.Delete(r.Context(), principal(r).Scope(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// disableOngoingRefresh stops refreshing an account; 200 with the account.
func (a *API) disableOngoingRefresh(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	acct, err := a.Accounts.DisableOngoingRefresh(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, accountView(r)(acct))
	return nil
}
