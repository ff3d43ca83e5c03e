package api

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"verigate/internal/report"
	"verigate/internal/validate"
)

func (a *API) createUpload(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeUpload(w, r)
	if err != nil {
		return err
	}
	out, err := a.Documents.Upload(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.Documents.Get(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// writeFile sends an immutable file with its checksum as the entity tag.
func writeFile(w http.ResponseWriter, contentType, disposition, fileName, sha string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": fileName}))
	h.Set("ETag", `"`+sha+`"`)
	h.Set("Cache-Control", "private, max-age=86400, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (a *API) uploadFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, u, err := a.Documents.File(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	writeFile(w, u.ContentType, "attachment", u.FileName, u.SHA256, b)
	return nil
}

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

// receiptInput is the body of POST /receipts.
type receiptInput struct {
	User validate.Opt[string] `json:"user"`
}

func (a *API) createReceipt(w http.ResponseWriter, r *http.Request) error {
	var in receiptInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	errs := validate.Errors{}
	if validate.Required(errs, "user", in.User) && !validate.IsUUID(in.User.V) {
		errs.Add("user", validate.MsgUUID)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	b, err := a.Reports.Receipt(r.Context(), principal(r).Scope(), strings.ToLower(in.User.V))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="receipt.pdf"`)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}
