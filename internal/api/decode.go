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

	"verigate/internal/validate"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// decode reads a JSON object body into dst, turning every kind of bad input
// into a client error.
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
		if body, err = exactFieldNames(body, reflect.TypeOf(dst)); err == nil {
			err = json.Unmarshal(body, dst)
		}
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
