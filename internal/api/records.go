package api

import (
	"net/http"

	"verigate/internal/store"
	"verigate/internal/validate"
)

// listRecords serves a records listing: it reads the filters, pages the
// kind's records and renders each with view.
func listRecords[V any](a *API, w http.ResponseWriter, r *http.Request, kind string, f store.RecordFilter, errs validate.Errors, view func(store.AccountRecord) (V, error)) error {
	page := pageParamsWith(errs, r.URL.Query(), validRecordKey)
	if err := errs.Err(); err != nil {
		return err
	}
	limit := page.Limit
	page.Limit++
	rows, err := a.Store.ListRecords(r.Context(), principal(r).Scope(), kind, f, page)
	if err != nil {
		return err
	}
	listed := paginate(a, r, page, limit, rows, store.RecordKey)
	out := listPage[V]{Next: listed.Next, Previous: listed.Previous, Results: make([]V, 0, len(listed.Results))}
	for _, rec := range listed.Results {
		v, err := view(rec)
		if err != nil {
			return err
		}
		out.Results = append(out.Results, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
