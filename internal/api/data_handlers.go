package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Connected data: accounts, paystubs and payroll documents, read-only and
// scoped to the key's tenant like verifications.

var ongoingRefreshStatuses = []string{store.OngoingRefreshEnabled, store.OngoingRefreshDisabled, store.OngoingRefreshIdle}

// uuidParam reads an optional (or, when required, mandatory) UUID filter.
func uuidParam(errs validate.Errors, q url.Values, name string, required bool) string {
	v := q.Get(name)
	switch {
	case v == "" && required:
		errs.Add(name, validate.MsgRequired)
	case v != "" && !validate.IsUUID(v):
		errs.Add(name, validate.MsgUUID)
	default:
		return strings.ToLower(v)
	}
	return ""
}

const msgDateTime = "Datetime has wrong format. Use ISO 8601, e.g. 2024-01-01T00:00:00Z."

// dateBound reads a from_/to_ date filter, a date (2024-01-05) or an RFC 3339
// date-time, as an inclusive bound on record dates (YYYY-MM-DD). A record
// dated D is at D's midnight UTC (it renders as "DT00:00:00Z"), so "on or
// after" an instant past midnight starts the next day, and "on or before"
// one keeps the instant's own day.
func dateBound(errs validate.Errors, q url.Values, name string, from bool) string {
	v := q.Get(name)
	if v == "" {
		return ""
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Format(time.DateOnly)
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Year() < 1 || t.UTC().Year() > 9999 {
		errs.Add(name, msgDateTime)
		return ""
	}
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if from && t.After(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day.Format(time.DateOnly)
}

func validRecordKey(s string) bool {
	_, _, ok := store.ParseRecordKey(s)
	return ok
}

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
	return listRecords(a, w, r, store.RecordPaystub, f, errs, payroll.RenderPaystub)
}

func (a *API) getPaystub(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := a.Store.RecordInScope(r.Context(), principal(r).Scope(), store.RecordPaystub, id)
	if err != nil {
		return err
	}
	v, err := payroll.RenderPaystub(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// documentFileURL is where a payroll document's file is downloaded.
func (a *API) documentFileURL(id string) string {
	return a.PublicURL + "/partners/v2/payroll-documents/" + id + "/file"
}

func (a *API) renderDocument(rec store.AccountRecord) (payroll.PayrollDocument, error) {
	return payroll.RenderDocument(rec, a.documentFileURL(rec.ID))
}

func (a *API) listPayrollDocuments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.RecordFilter{
		UserID:     uuidParam(errs, q, "user", true),
		AccountID:  uuidParam(errs, q, "account", false),
		Employment: uuidParam(errs, q, "employment", false),
		FromDate:   dateBound(errs, q, "from_available_date", true),
		ToDate:     dateBound(errs, q, "to_available_date", false),
	}
	return listRecords(a, w, r, store.RecordPayrollDocument, f, errs, a.renderDocument)
}

func (a *API) payrollDocument(r *http.Request) (store.AccountRecord, error) {
	id, err := pathID(r)
	if err != nil {
		return store.AccountRecord{}, err
	}
	return a.Store.RecordInScope(r.Context(), principal(r).Scope(), store.RecordPayrollDocument, id)
}

func (a *API) getPayrollDocument(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.payrollDocument(r)
	if err != nil {
		return err
	}
	v, err := a.renderDocument(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// getPayrollDocumentFile serves a payroll document's file (a verigate
// addition the contract's file_url points at): a PDF generated from the
// document's data, to the owning tenant only.
func (a *API) getPayrollDocumentFile(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.payrollDocument(r)
	if err != nil {
		return err
	}
	name, pdf, err := payroll.DocumentFile(rec)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(pdf)
	return nil
}
