package api

import (
	"io"
	"net/http"

	"verigate/internal/customization"
)

// Flows and experiences are the two kinds of customization (payroll and
// banking); one set of handlers serves both, made for a kind.

// customizationID returns the {id} path value if it can name a customization of kind.
func customizationID(r *http.Request, kind string) (string, error) {
	id := r.PathValue("id")
	if !customization.ValidID(kind, id) {
		return "", errNotFound
	}
	return id, nil
}

func (a *API) listCustomizations(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		out, err := a.Customizations.List(r.Context(), principal(r), kind)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, listPage[customization.View]{Results: out})
		return nil
	}
}

func (a *API) createCustomization(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
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
	}
}

func (a *API) getCustomization(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
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
	}
}

func (a *API) updateCustomization(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
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
	}
}

func (a *API) deleteCustomization(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := customizationID(r, kind)
		if err != nil {
			return err
		}
		if err := a.Customizations.Delete(r.Context(), principal(r), kind, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (a *API) setCustomizationLogo(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
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
	}
}

func (a *API) deleteCustomizationLogo(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
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
	}
}
