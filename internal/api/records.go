package api

import (
	"net/http"
	"sort"

	"verigate/internal/store"
	"verigate/internal/validate"
)

// Helpers of the groups that serve an account's records: paystubs,
// payroll-documents, bank-accounts and bank-transactions.

// recordPage reads the page of a records listing, whose cursor positions
// are record keys, and returns errs with any error it added.
func recordPage(errs validate.Errors, r *http.Request) (store.Page, error) {
	page := pageParamsWith(errs, r.URL.Query(), validRecordKey)
	return page, errs.Err()
}

// listRecords serves a listing of one kind of record: it reads the page,
// lists the kind's records matching f and encodes each with encode
// (marshalView of a rendering function, or one that copies stored JSON).
func listRecords(a *API, w http.ResponseWriter, r *http.Request, kind string, f store.RecordFilter, errs validate.Errors, encode func(store.AccountRecord) ([]byte, error)) error {
	page, err := recordPage(errs, r)
	if err != nil {
		return err
	}
	return writeEncodedList(a, w, r, page, func(p store.Page) ([]store.AccountRecord, error) {
		return a.Accounts.Records(r.Context(), principal(r).Scope(), kind, f, p)
	}, store.RecordKey, encode)
}

// record returns the {id} record of kind.
func (a *API) record(r *http.Request, kind string) (store.AccountRecord, error) {
	id, err := pathID(r)
	if err != nil {
		return store.AccountRecord{}, err
	}
	return a.Accounts.Record(r.Context(), principal(r).Scope(), kind, id)
}

// getRecord serves the {id} record of kind rendered with view.
func getRecord[V any](a *API, w http.ResponseWriter, r *http.Request, kind string, view func(store.AccountRecord) (V, error)) error {
	rec, err := a.record(r, kind)
	if err != nil {
		return err
	}
	v, err := view(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// msgUnknownFilter answers a query parameter a /v2 listing does not take.
const msgUnknownFilter = "Unknown filter; see the operation's documented parameters."

// knownParams adds an error for each query parameter of r that a /v2
// listing does not take (limit and cursor aside), so a misspelt filter is
// noticed instead of listing everything. The Partners v2 surface keeps
// ignoring unknown parameters, as it always has.
func knownParams(errs validate.Errors, r *http.Request, names ...string) {
	if surfaceOf(r) != v2 {
		return
	}
	var unknown []string
	for name := range r.URL.Query() {
		known := name == "limit" || name == "cursor"
		for _, n := range names {
			known = known || name == n
		}
		if !known {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		errs.Add(name, msgUnknownFilter)
	}
}
