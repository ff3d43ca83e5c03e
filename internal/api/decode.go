package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"

	"verigate/internal/validate"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// decode reads a JSON object body into dst, turning every kind of bad input
// into a client error.
//
// A body is decoded in one pass (github.com/go-json-experiment/json, which
// matches names exactly and lets validate.Opt read its value from the same
// stream). That decoder is at least as strict as encoding/json: a body it
// refuses (duplicate names, a type mismatch, bad syntax) is decoded again
// with encoding/json, so errors keep their wording and a body encoding/json
// accepts is never refused. TestUnmarshalMatchesLegacy holds the two to
// the same results.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		if ct == "" {
			ct = "none"
		}
		return detail(http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported media type %q in request; send application/json.", ct))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case err != nil && !errors.As(err, &tooLarge):
		// A body cut short or too slow: the reader's error names socket
		// addresses, which are nobody's business but verigate's.
		return detail(http.StatusBadRequest, "The request body could not be read completely; send it again.")
	case err != nil:
		// reported below
	case !utf8.Valid(body):
		// Text is validated once, here, the same for every database.
		return detail(http.StatusBadRequest, "JSON parse error - the request body is not valid UTF-8.")
	case len(bytes.TrimSpace(body)) == 0:
		err = io.EOF
	case bytes.Contains(body, []byte(`\u0000`)):
		// Text columns cannot hold NUL characters; no field needs one.
		return detail(http.StatusBadRequest, "JSON parse error - strings may not contain NUL characters (\\u0000).")
	default:
		err = unmarshal(body, dst)
	}
	var typeErr *json.UnmarshalTypeError
	var fields validate.Errors
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return errTooLarge
	case errors.Is(err, io.EOF):
		return detail(http.StatusBadRequest, "JSON parse error - the request body is empty.")
	case errors.As(err, &fields):
		return fields
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return &httpError{status: http.StatusBadRequest, body: map[string][]string{
				"non_field_errors": {fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", typeErr.Value)}}}
		}
		return validate.Field(typeErr.Field, typeMessage(typeErr))
	default:
		return detail(http.StatusBadRequest, "JSON parse error - "+err.Error())
	}
}

// unmarshal decodes body, valid UTF-8, into dst, a pointer to a zero value,
// in one pass. What that decoder refuses, and a body with an upper-case
// key (which may be a case variant of a field's name), is decoded again by
// unmarshalLegacy, so errors are worded as encoding/json words them.
func unmarshal(body []byte, dst any) error {
	if !mayHaveCaseVariants(body) && jsonv2.Unmarshal(body, dst) == nil {
		return nil
	}
	reflect.ValueOf(dst).Elem().SetZero()
	return unmarshalLegacy(body, dst)
}

// unmarshalLegacy decodes body into dst with encoding/json, matching
// object keys to field names exactly.
func unmarshalLegacy(body []byte, dst any) error {
	body, err := exactFieldNames(body, reflect.TypeOf(dst))
	if err != nil {
		return err
	}
	return json.Unmarshal(body, dst)
}
