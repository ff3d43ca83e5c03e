package api

import (
	"fmt"
	"net/http"

	"verigate/internal/report"
)

func (a *API) reportFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	format := r.PathValue("format")
	if format != report.FormatPDF && format != report.FormatJSON {
		return errNotFound
	}
	b, rep, err := a.Reports.Open(r.Context(), principal(r).Scope(), id, format)
	if err != nil {
		return err
	}
	if format == report.FormatJSON {
		writeFile(w, "application/json", "inline", fmt.Sprintf("verigate-report-%s.json", rep.ID), rep.JSONSHA256, b)
	} else {
		writeFile(w, "application/pdf", "inline", fmt.Sprintf("verigate-report-%s.pdf", rep.ID), rep.PDFSHA256, b)
	}
	return nil
}
