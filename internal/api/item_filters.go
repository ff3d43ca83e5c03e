package api

import (
	"net/http"

	"verigate/internal/items"
	"verigate/internal/store"
	"verigate/internal/validate"
)

func (a *API) createItemFilter(w http.ResponseWriter, r *http.Request) error {
	var in items.FilterInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Items.CreateFilter(r.Context(), principal(r).Scope(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listItemFilters(w http.ResponseWriter, r *http.Request) error {
	errs := validate.Errors{}
	page := pageParams(errs, r.URL.Query())
	if err := errs.Err(); err != nil {
		return err
	}
	return writeList(a, w, r, page, func(p store.Page) ([]store.ItemFilter, error) {
		return a.Items.Filters(r.Context(), principal(r).Scope(), p)
	}, func(f store.ItemFilter) string { return f.ID }, func(f store.ItemFilter) (items.FilterView, error) { return items.FilterViewOf(f), nil })
}

func (a *API) getItemFilter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.Items.Filter(r.Context(), principal(r).Scope(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) replaceItemFilter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in items.FilterInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Items.ReplaceFilter(r.Context(), principal(r).Scope(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deleteItemFilter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.Items.DeleteFilter(r.Context(), principal(r).Scope(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
