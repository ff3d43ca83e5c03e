package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"verigate/internal/store"
	"verigate/internal/validate"
	"verigate/internal/verification"
)

// pathID returns the {id} path value; an id that is not a UUID cannot name
// anything, so it answers 404 like an unknown one.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !validate.IsUUID(id) {
		return "", errNotFound
	}
	return strings.ToLower(id), nil
}

func (a *API) orderVerification(w http.ResponseWriter, r *http.Request) error {
	var in verification.OrderInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Verifications.Order(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	if out, err = a.documentsOrdered(r, out); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) refreshVerification(w http.ResponseWriter, r *http.Request) error {
	var in verification.OrderInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Verifications.Refresh(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	if out, err = a.documentsOrdered(r, out); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getVerification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.Verifications.Get(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateVerification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in verification.UpdateInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Verifications.Update(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	if out, err = a.documentsOrdered(r, out); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) cancelVerification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.Verifications.Cancel(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listPage is the contract's paginated list envelope.
type listPage[T any] struct {
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

func (a *API) listVerifications(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.VerificationFilter{
		State:      enumParam(errs, q, "status_state", verification.States),
		Code:       enumParam(errs, q, "status_code", verification.Codes),
		ReportType: enumParam(errs, q, "report_type", verification.ReportTypeNames),
		LoanNumber: q.Get("loan_number"),
	}
	if u := q.Get("user"); u != "" {
		if !validate.IsUUID(u) {
			errs.Add("user", validate.MsgUUID)
		}
		f.UserID = strings.ToLower(u)
	}
	page := pageParams(errs, q)
	if err := errs.Err(); err != nil {
		return err
	}
	limit := page.Limit
	page.Limit++ // one more tells whether another page exists
	rows, err := a.Verifications.List(r.Context(), principal(r), f, page)
	if err != nil {
		return err
	}
	out := paginate(a, r, page, limit, rows, func(v verification.View) string { return v.ID })
	writeJSON(w, http.StatusOK, out)
	return nil
}

func enumParam(errs validate.Errors, q url.Values, name string, choices []string) string {
	v := q.Get(name)
	if v == "" {
		return ""
	}
	for _, c := range choices {
		if v == c {
			return v
		}
	}
	errs.Add(name, validate.Choice(v))
	return ""
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

// documentsOrdered lets the documents service queue a documents
// verification that was just ordered, refreshed or updated.
func (a *API) documentsOrdered(r *http.Request, out verification.View) (verification.View, error) {
	if a.Documents == nil {
		return out, nil
	}
	return a.Documents.Ordered(r.Context(), principal(r), out)
}
