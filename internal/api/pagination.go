package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"verigate/internal/store"
	"verigate/internal/validate"
)

// listPage is the contract's paginated list envelope.
type listPage[T any] struct {
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// cursor is the opaque position carried in next and previous URLs.
type cursor struct {
	After  string `json:"a,omitempty"`
	Before string `json:"b,omitempty"`
}

const (
	defaultLimit = 10
	maxLimit     = 200
)

// pageParams reads limit and a cursor whose positions are ids.
func pageParams(errs validate.Errors, q url.Values) store.Page {
	return pageParamsWith(errs, q, validate.IsUUID)
}

// pageParamsWith reads limit and a cursor whose positions valid accepts.
func pageParamsWith(errs validate.Errors, q url.Values, valid func(string) bool) store.Page {
	p := store.Page{Limit: defaultLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			errs.Add("limit", "Ensure this value is an integer between 1 and 200.")
		}
		p.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		var c cursor
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err == nil {
			err = json.Unmarshal(raw, &c)
		}
		switch {
		case err != nil, c.After != "" && !valid(c.After), c.Before != "" && !valid(c.Before), (c.After == "") == (c.Before == ""):
			errs.Add("cursor", "Invalid cursor.")
		default:
			p.After, p.Before = c.After, c.Before
		}
	}
	return p
}

// pageURL returns the absolute URL of the page at c, keeping the request's other parameters.
func (a *API) pageURL(r *http.Request, c cursor) *string {
	b, _ := json.Marshal(c)
	q := r.URL.Query()
	q.Set("cursor", base64.RawURLEncoding.EncodeToString(b))
	u := a.PublicURL + r.URL.Path + "?" + q.Encode()
	return &u
}

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

// maxPageBytes bounds the JSON of one list page's results: a page whose
// objects are large holds fewer than its limit, and its next (or previous)
// link continues after the last one it holds.
var maxPageBytes = 4 << 20

// writeList writes one page of a listing. list fetches the rows of page,
// which asks for one row more than the page shows to tell whether another
// page exists; id gives a row's cursor position and view renders each row
// the page shows.
func writeList[T, V any](a *API, w http.ResponseWriter, r *http.Request, page store.Page, list func(store.Page) ([]T, error), id func(T) string, view func(T) (V, error)) error {
	return writeEncodedList(a, w, r, page, list, id, marshalView(view))
}

// marshalView returns an encoder of a row's view as JSON.
func marshalView[T, V any](view func(T) (V, error)) func(T) ([]byte, error) {
	return func(x T) ([]byte, error) {
		v, err := view(x)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
}

// writeEncodedList is writeList for rows that encode themselves: encode
// returns a row's JSON object, which is copied into the page as it is. The
// page stops before maxPageBytes (holding at least one object).
func writeEncodedList[T any](a *API, w http.ResponseWriter, r *http.Request, page store.Page, list func(store.Page) ([]T, error), id func(T) string, encode func(T) ([]byte, error)) error {
	limit := page.Limit
	page.Limit++
	rows, err := list(page)
	if err != nil {
		return err
	}
	listed := paginate(a, r, page, limit, rows, id)
	encoded := make([][]byte, 0, len(listed.Results))
	for _, x := range listed.Results {
		b, err := encode(x)
		if err != nil {
			return err
		}
		encoded = append(encoded, b)
	}
	if keep := fitting(encoded, page.Before != ""); keep < len(encoded) {
		n := len(encoded)
		if page.Before == "" {
			encoded = encoded[:keep]
			listed.Next = a.pageURL(r, cursor{After: id(listed.Results[keep-1])})
		} else {
			encoded = encoded[n-keep:]
			listed.Previous = a.pageURL(r, cursor{Before: id(listed.Results[n-keep])})
		}
	}
	writeRawJSON(w, http.StatusOK, pageJSON(listed.Next, listed.Previous, encoded))
	return nil
}

// pageJSON joins a page's links and encoded objects into the listing's
// {"next", "previous", "results"} object without decoding them again.
func pageJSON(next, previous *string, results [][]byte) []byte {
	nb, _ := json.Marshal(next) // a *string always encodes
	pb, _ := json.Marshal(previous)
	size := 40 + len(nb) + len(pb)
	for _, b := range results {
		size += len(b) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, `{"next":`...)
	out = append(out, nb...)
	out = append(out, `,"previous":`...)
	out = append(out, pb...)
	out = append(out, `,"results":[`...)
	for i, b := range results {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, "]}"...)
}

// fitting is how many of the encoded objects fit in maxPageBytes, counted
// from the start (or, backwards, from the end); at least one.
func fitting(encoded [][]byte, backwards bool) int {
	total := 0
	for i := range encoded {
		j := i
		if backwards {
			j = len(encoded) - 1 - i
		}
		total += len(encoded[j]) + 1
		if total > maxPageBytes && i > 0 {
			return i
		}
	}
	return len(encoded)
}
