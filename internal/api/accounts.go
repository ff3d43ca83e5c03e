package api

import (
	"net/http"

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
	limit := page.Limit
	page.Limit++ // one more tells whether another page exists
	rows, err := a.Store.ListAccounts(r.Context(), principal(r).Scope(), f, page)
	if err != nil {
		return err
	}
	listed := paginate(a, r, page, limit, rows, func(x store.Account) string { return x.ID })
	ids := make([]string, len(listed.Results))
	for i, x := range listed.Results {
		ids[i] = x.ID
	}
	sums, err := a.Store.SummarizeRecords(r.Context(), ids)
	if err != nil {
		return err
	}
	out := listPage[payroll.Account]{Next: listed.Next, Previous: listed.Previous, Results: make([]payroll.Account, 0, len(ids))}
	for _, x := range listed.Results {
		out.Results = append(out.Results, payroll.RenderAccount(x, sums))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	acct, err := a.Store.AccountInScope(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	sums, err := a.Store.SummarizeRecords(r.Context(), []string{acct.ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, payroll.RenderAccount(acct, sums))
	return nil
}
