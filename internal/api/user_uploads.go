package api

import (
	"net/http"

	"verigate/internal/documents"
	"verigate/internal/store"
	"verigate/internal/validate"
)

func (a *API) createUpload(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeUpload(w, r)
	if err != nil {
		return err
	}
	out, err := a.Documents.Upload(r.Context(), principal(r), in, surfaceOf(r).prefix)
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
	out, err := a.Documents.Get(r.Context(), principal(r).Scope(), id, surfaceOf(r).prefix)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listUploads serves GET /v2/user-uploads: filters account, user and
// document_type, newest first.
func (a *API) listUploads(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.UploadFilter{
		AccountID:    uuidParam(errs, q, "account", false),
		UserID:       uuidParam(errs, q, "user", false),
		DocumentType: enumParam(errs, q, "document_type", documents.DocumentTypes),
	}
	page := pageParams(errs, q)
	if err := errs.Err(); err != nil {
		return err
	}
	sc, prefix := principal(r).Scope(), surfaceOf(r).prefix
	return writeList(a, w, r, page,
		func(p store.Page) ([]store.Upload, error) { return a.Documents.List(r.Context(), sc, f, p) },
		func(u store.Upload) string { return u.ID },
		func(u store.Upload) (documents.UploadView, error) { return a.Documents.Render(u, prefix), nil })
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
	writeFile(w, u.ContentType, "attachment", documents.SafeFileName(u.FileName, u.ContentType), u.SHA256, b)
	return nil
}
