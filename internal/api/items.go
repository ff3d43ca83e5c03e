package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"verigate/internal/datasource"
	"verigate/internal/items"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Items and employer search: the catalogs of the data sources of the key's
// environment, paginated by position in the result list.

// multiParam reads a filter given repeated, comma-separated, or both.
func multiParam(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
				out = append(out, part)
			}
		}
	}
	return out
}

// choicesParam is multiParam whose values must be among choices.
func choicesParam(errs validate.Errors, q url.Values, name string, choices []string) []string {
	vals := multiParam(q, name)
	for _, v := range vals {
		if !slices.Contains(choices, v) {
			errs.Add(name, validate.Choice(v))
		}
	}
	return vals
}

// itemQuery reads the item filters of a listing; full adds those only
// GET /v2/items takes.
func itemQuery(errs validate.Errors, q url.Values, full bool) items.Query {
	out := items.Query{
		Q:        strings.TrimSpace(q.Get("q")),
		Kinds:    choicesParam(errs, q, "kind", items.Kinds),
		Statuses: choicesParam(errs, q, "status", items.Statuses),
		Mappings: choicesParam(errs, q, "mapping_status", items.MappingStatuses),
	}
	if !full {
		return out
	}
	out.IDs = multiParam(q, "id")
	if len(q["id"]) > 0 && len(out.IDs) == 0 {
		out.IDs = []string{""} // id= selects nothing rather than everything
	}
	if s := q.Get("min_matching_score"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || f < 0 || f > 1:
			errs.Add("min_matching_score", "Ensure this value is a number between 0 and 1.")
		case out.Q == "":
			errs.Add("min_matching_score", "Use min_matching_score together with q: only a search scores items.")
		default:
			out.MinScore = &f
		}
	}
	out.FilterSet = uuidParam(errs, q, "filter_set", false)
	return out
}

// positioned is an item with its place in a result list, which item
// cursors carry.
type positioned struct {
	pos int
	it  datasource.Item
}

func isPosition(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n < 1_000_000 && strconv.Itoa(n) == s
}

// window returns the rows of page (which asks for one more than it shows)
// from the whole result list.
func window(all []datasource.Item, p store.Page) []positioned {
	lo, hi := 0, p.Limit
	switch {
	case p.After != "":
		k, _ := strconv.Atoi(p.After)
		lo, hi = k+1, k+1+p.Limit
	case p.Before != "":
		k, _ := strconv.Atoi(p.Before)
		lo, hi = k-p.Limit, k
	}
	lo, hi = max(lo, 0), min(hi, len(all))
	var out []positioned
	for i := lo; i < hi; i++ {
		out = append(out, positioned{i, all[i]})
	}
	return out
}

// listCatalog answers one page of the environment's items that q selects, each rendered by view.
func listCatalog[V any](a *API, w http.ResponseWriter, r *http.Request, full bool, view func(datasource.Item) V) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	query := itemQuery(errs, q, full)
	page := pageParamsWith(errs, q, isPosition)
	if err := errs.Err(); err != nil {
		return err
	}
	p := principal(r)
	all, err := a.Items.List(r.Context(), p.Scope(), query)
	if errors.Is(err, store.ErrNotFound) && query.FilterSet != "" {
		return validate.Field("filter_set", fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, query.FilterSet))
	}
	if err != nil {
		return err
	}
	return writeList(a, w, r, page, func(p store.Page) ([]positioned, error) { return window(all, p), nil },
		func(x positioned) string { return strconv.Itoa(x.pos) },
		func(x positioned) (V, error) { return view(x.it), nil })
}

func (a *API) listItems(w http.ResponseWriter, r *http.Request) error {
	return listCatalog(a, w, r, true, func(it datasource.Item) datasource.Item { return it })
}

func (a *API) searchEmployers(w http.ResponseWriter, r *http.Request) error {
	return listCatalog(a, w, r, false, items.EmployerOf)
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request) error {
	it, err := a.Items.Get(principal(r).Environment, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}
