package pages

import (
	"context"
	"errors"
	"io"
	"net/http"

	"verigate/internal/documents"
	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// Uploader stores a document for a user (documents.Service).
type Uploader interface {
	Upload(ctx context.Context, p partner.Principal, in documents.UploadInput, prefix string) (documents.UploadView, error)
}

// linkDocumentTypes are the documents Link asks for when the borrower
// cannot find an employer: the platform's three income documents.
var linkDocumentTypes = []string{"paystubs", "W-2", "1099"}

// uploadPage shows the upload form: the "can't find your employer?"
// fallback of a payroll session. It leaves the session where it is (the
// search), so Back to search returns to it.
func (h *Handler) uploadPage(q *request) {
	if h.Uploads == nil || q.claims.DataSource != "payroll" {
		h.message(q.w, http.StatusNotFound, q.lang, "notfound")
		return
	}
	h.renderUpload(q, http.StatusOK, "", "")
}

func (h *Handler) renderUpload(q *request, status int, uploaded, typ string) {
	v := h.newView(q)
	v.Stage, v.DocumentTypes, v.Uploaded, v.UploadedType = "upload", linkDocumentTypes, uploaded, typ
	user, err := h.Flow.UserOf(q.r.Context(), q.claims)
	if err != nil {
		h.fail(q, err)
		return
	}
	v.UserID = user
	if status == http.StatusBadRequest {
		v.Notice = "upload.error"
	}
	h.render(q.w, status, q.lang, "upload.html", v)
}

// upload stores a document uploaded in Link for the session's user (a
// documents account of the user, as POST /v2/user-uploads does).
func (h *Handler) upload(q *request) {
	if h.Uploads == nil || q.claims.DataSource != "payroll" {
		h.message(q.w, http.StatusNotFound, q.lang, "notfound")
		return
	}
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, documents.MaxUploadSize+64<<10)
	if err := q.r.ParseMultipartForm(1 << 20); err != nil {
		h.renderUpload(q, http.StatusBadRequest, "", "")
		return
	}
	if q.r.PostFormValue("csrf") != h.csrf(q.claims) {
		h.message(q.w, http.StatusForbidden, q.lang, "forbidden")
		return
	}
	typ := q.r.PostFormValue("document_type")
	f, hdr, err := q.r.FormFile("file")
	if err != nil {
		h.renderUpload(q, http.StatusBadRequest, "", "")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		h.renderUpload(q, http.StatusBadRequest, "", "")
		return
	}
	user, err := h.Flow.UserOf(q.r.Context(), q.claims)
	if err != nil {
		h.fail(q, err)
		return
	}
	p := partner.Principal{PartnerID: q.claims.PartnerID, Environment: q.claims.Environment}
	up, err := h.Uploads.Upload(q.r.Context(), p, documents.UploadInput{User: user, DocumentType: typ, FileName: hdr.Filename, Data: data}, "/v2")
	var verrs v.Errors
	switch {
	case errors.As(err, &verrs), errors.Is(err, store.ErrNotFound):
		h.renderUpload(q, http.StatusBadRequest, "", "")
		return
	case err != nil:
		h.fail(q, err)
		return
	}
	if err := h.Flow.DocumentsSubmitted(q.r.Context(), user); err != nil {
		// The document is stored; an invite left open is only a status.
		h.Log.WarnContext(q.r.Context(), "complete invites after an upload", "user", user, "err", err)
	}
	h.renderUpload(q, http.StatusOK, up.ID, typ)
}
