package api

import (
	"net/http"

	"verigate/internal/store"
)

// paginate trims rows (fetched with one more than limit, in the direction
// page asked for) to a page and links its neighbours.
func paginate[T any](a *API, r *http.Request, page store.Page, limit int, rows []T, id func(T) string) listPage[T] {
	out := listPage[T]{Results: rows}
	more := len(rows) > limit
	backwards := page.Before != ""
	if more {
		if backwards {
			out.Results = rows[len(rows)-limit:]
		} else {
			out.Results = rows[:limit]
		}
	}
	if out.Results == nil {
		out.Results = []T{}
	}
	if n := len(out.Results); n > 0 {
		if more || backwards {
			out.Next = a.pageURL(r, cursor{After: id(out.Results[n-1])})
		}
		if (more && backwards) || (!backwards && page.After != "") {
			out.Previous = a.pageURL(r, cursor{Before: id(out.Results[0])})
		}
	}
	return out
}
