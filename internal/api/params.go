package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"verigate/internal/store"
	"verigate/internal/validate"
)

// Path and query parameters: reading them, and refusing the ones no
// operation can take.

// pathID returns the {id} path value; an id that is not a UUID cannot name
// anything, so it answers 404 like an unknown one.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !validate.IsUUID(id) {
		return "", errNotFound
	}
	return strings.ToLower(id), nil
}

// checkQuery refuses query parameters that are not text: invalid UTF-8 or
// NUL characters, which no parameter needs and a database cannot compare.
func checkQuery(r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	errs := validate.Errors{}
	for name, values := range r.URL.Query() {
		for _, v := range append([]string{name}, values...) {
			if !validate.IsText(v) {
				errs.Add(name, validate.MsgNotText)
				break
			}
		}
	}
	return errs.Err()
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

// uuidParam reads an optional (or, when required, mandatory) UUID filter.
func uuidParam(errs validate.Errors, q url.Values, name string, required bool) string {
	v := q.Get(name)
	switch {
	case v == "" && required:
		errs.Add(name, validate.MsgRequired)
	case v != "" && !validate.IsUUID(v):
		errs.Add(name, validate.MsgUUID)
	default:
		return strings.ToLower(v)
	}
	return ""
}

const msgDateTime = "Datetime has wrong format. Use ISO 8601, e.g. 2024-01-01T00:00:00Z."

// dateBound reads a from_/to_ date filter, a date (2024-01-05) or an RFC 3339
// date-time, as an inclusive bound on record dates (YYYY-MM-DD). A record
// dated D is at D's midnight UTC (it renders as "DT00:00:00Z"), so "on or
// after" an instant past midnight starts the next day, and "on or before"
// one keeps the instant's own day.
func dateBound(errs validate.Errors, q url.Values, name string, from bool) string {
	v := q.Get(name)
	if v == "" {
		return ""
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Format(time.DateOnly)
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Year() < 1 || t.UTC().Year() > 9999 {
		errs.Add(name, msgDateTime)
		return ""
	}
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if from && t.After(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day.Format(time.DateOnly)
}

func validRecordKey(s string) bool {
	_, _, ok := store.ParseRecordKey(s)
	return ok
}

// dateTimeBound reads a from_/to_ date-time filter, an RFC 3339 date-time
// or a date (its midnight UTC), as an inclusive bound on records dated to
// the second (store.RecordDateTime). A fraction of a second moves a "from"
// bound up to the next whole second and a "to" bound down to its own.
func dateTimeBound(errs validate.Errors, q url.Values, name string, from bool) string {
	v := q.Get(name)
	if v == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t, err = time.Parse(time.DateOnly, v)
	}
	if err != nil || t.Year() < 1 || t.UTC().Year() > 9999 {
		errs.Add(name, msgDateTime)
		return ""
	}
	t = t.UTC()
	s := t.Truncate(time.Second)
	if from && s.Before(t) {
		s = s.Add(time.Second)
	}
	return s.Format(store.RecordDateTime)
}
