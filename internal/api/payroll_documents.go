package api

import (
	"fmt"
	"net/http"
	"strconv"

	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// documentView renders payroll documents with file URLs on r's surface.
func (a *API) documentView(r *http.Request) func(store.AccountRecord) (payroll.PayrollDocument, error) {
	base := a.PublicURL + surfaceOf(r).prefix + "/payroll-documents/"
	return func(rec store.AccountRecord) (payroll.PayrollDocument, error) {
		return payroll.RenderDocument(rec, base+rec.ID+"/file")
	}
}

func (a *API) listPayrollDocuments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	// The Partners v2 contract requires user; /v2 does not.
	f := store.RecordFilter{
		UserID:     uuidParam(errs, q, "user", surfaceOf(r) == partners),
		AccountID:  uuidParam(errs, q, "account", false),
		Employment: uuidParam(errs, q, "employment", false),
		FromDate:   dateBound(errs, q, "from_available_date", true),
		ToDate:     dateBound(errs, q, "to_available_date", false),
	}
	knownParams(errs, r, "account", "user", "employment", "from_available_date", "to_available_date")
	return listRecords(a, w, r, store.RecordPayrollDocument, f, errs, marshalView(a.documentView(r)))
}

func (a *API) getPayrollDocument(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.record(r, store.RecordPayrollDocument)
	if err != nil {
		return err
	}
	v, err := a.documentView(r)(rec)
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
	rec, err := a.record(r, store.RecordPayrollDocument)
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
