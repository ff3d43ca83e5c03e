package api

import (
	"net/http"
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
