package api

import (
	"io"
	"net/http"

	"verigate/internal/customization"
)

// customizationID returns the {id} path value if it can name a customization of kind.
func customizationID(r *http.Request, kind string) (string, error) {
	id := r.PathValue("id")
	if !customization.ValidID(kind, id) {
		return "", errNotFound
	}
	return id, nil
}

// customizationRoutes serves one kind of customization (flows or experiences).
func (a *API) customizationRoutes(kind string) (collection, item, logo methods) {
	collection = methods{
		"GET": func(w http.ResponseWriter, r *http.Request) error {
			out, err := a.Customizations.List(r.Context(), principal(r), kind)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, listPage[customization.View]{Results: out})
			return nil
		},
		"POST": func(w http.ResponseWriter, r *http.Request) error {
			var in customization.Input
			if err := decode(w, r, &in); err != nil {
				return err
			}
			out, err := a.Customizations.Create(r.Context(), principal(r), kind, in)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusCreated, out)
			return nil
		},
	}
	item = methods{
		"GET": func(w http.ResponseWriter, r *http.Request) error {
			id, err := customizationID(r, kind)
			if err != nil {
				return err
			}
			out, err := a.Customizations.Get(r.Context(), principal(r), kind, id)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		},
		"PATCH": func(w http.ResponseWriter, r *http.Request) error {
			id, err := customizationID(r, kind)
			if err != nil {
				return err
			}
			var in customization.Input
			if err := decode(w, r, &in); err != nil {
				return err
			}
			out, err := a.Customizations.Update(r.Context(), principal(r), kind, id, in)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		},
		"DELETE": func(w http.ResponseWriter, r *http.Request) error {
			id, err := customizationID(r, kind)
			if err != nil {
				return err
			}
			if err := a.Customizations.Delete(r.Context(), principal(r), kind, id); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		},
	}
	logo = methods{
		"PUT": func(w http.ResponseWriter, r *http.Request) error {
			id, err := customizationID(r, kind)
			if err != nil {
				return err
			}
			img, err := io.ReadAll(http.MaxBytesReader(w, r.Body, customization.MaxLogo))
			if err != nil {
				return detail(http.StatusRequestEntityTooLarge, "The logo is too large; the limit is 256 KiB.")
			}
			out, err := a.Customizations.SetLogo(r.Context(), principal(r), kind, id, img)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		},
		"DELETE": func(w http.ResponseWriter, r *http.Request) error {
			id, err := customizationID(r, kind)
			if err != nil {
				return err
			}
			out, err := a.Customizations.SetLogo(r.Context(), principal(r), kind, id, nil)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		},
	}
	return collection, item, logo
}
