package api

import (
	"errors"
	"fmt"
	"net/http"

	"verigate/internal/report"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// reportFile serves a report's PDF or JSON file (the file_url and json_url
// of a verification's report and, on /v2, of a user report).
func (a *API) reportFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	format := r.PathValue("format")
	if format != report.FormatPDF && format != report.FormatJSON {
		return errNotFound
	}
	sc := principal(r).Scope()
	b, rep, err := a.Reports.Open(r.Context(), sc, id, format)
	sum := rep.PDFSHA256
	if format == report.FormatJSON {
		sum = rep.JSONSHA256
	}
	if errors.Is(err, store.ErrNotFound) && surfaceOf(r) == v2 {
		b, sum, err = a.Reports.OpenUserReport(r.Context(), sc, id, format)
	}
	if err != nil {
		return err
	}
	if format == report.FormatJSON {
		writeFile(w, "application/json", "inline", fmt.Sprintf("verigate-report-%s.json", id), sum, b)
	} else {
		writeFile(w, "application/pdf", "inline", fmt.Sprintf("verigate-report-%s.pdf", id), sum, b)
	}
	return nil
}

// createReport serves POST /v2/reports/{type}. The path shares its pattern
// with /v2/reports/{id}, so the type is the {id} path value.
func (a *API) createReport(w http.ResponseWriter, r *http.Request) error {
	var in report.UserReportInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rec, err := a.Reports.GenerateUserReport(r.Context(), principal(r).Scope(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.Reports.RenderUserReport(rec, surfaceOf(r).prefix))
	return nil
}

func (a *API) getReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := a.Reports.UserReport(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.Reports.RenderUserReport(rec, surfaceOf(r).prefix))
	return nil
}

func (a *API) listReports(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	user := uuidParam(errs, q, "user", false)
	page := pageParams(errs, q)
	if err := errs.Err(); err != nil {
		return err
	}
	sc, prefix := principal(r).Scope(), surfaceOf(r).prefix
	return writeList(a, w, r, page,
		func(p store.Page) ([]store.UserReport, error) {
			return a.Reports.ListUserReports(r.Context(), sc, user, p)
		},
		func(u store.UserReport) string { return u.ID },
		func(u store.UserReport) (report.UserReportView, error) {
			return a.Reports.RenderUserReport(u, prefix), nil
		})
}

func (a *API) deleteReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.Reports.DeleteUserReport(r.Context(), principal(r).Scope(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
