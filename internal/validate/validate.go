// Package validate collects field errors in the shape partners' clients parse:
// a map from a dotted field path to its messages.
package validate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Errors maps a dotted field path (e.g. "configuration.language") to messages.
type Errors map[string][]string

// Add records msg against field.
func (e Errors) Add(field, msg string) { e[field] = append(e[field], msg) }

// Err returns e as an error, or nil when it holds nothing.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Error lists the failing fields.
func (e Errors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("invalid fields: ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + strings.Join(e[k], " "))
	}
	return b.String()
}

// Field is one error for one field.
func Field(field, msg string) error { return Errors{field: {msg}} }

// Common messages, worded as partners' clients already see them.
const (
	MsgRequired = "This field is required."
	MsgNull     = "This field may not be null."
	MsgBlank    = "This field may not be blank."
	MsgUUID     = "Must be a valid UUID."
	MsgNotText  = "Enter valid UTF-8 text without NUL characters."
)

// IsText reports whether s is valid UTF-8 without NUL characters, which no
// field needs and a database cannot store or compare (PostgreSQL refuses
// them).
func IsText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// IsUUID reports whether s is an 8-4-4-4-12 hexadecimal id.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Choice returns the message for a value outside choices.
func Choice(v string) string { return `"` + v + `" is not a valid choice.` }

// Opt is a JSON field that remembers whether it was present and whether it was null.
type Opt[T any] struct {
	Set  bool // the key was present
	Null bool // the value was JSON null
	V    T
}

// UnmarshalJSON records presence and nullness, then decodes the value.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		o.Null = true
		return nil
	}
	// The decoder has already checked b; plain strings and booleans, the
	// most common fields, need no second pass through encoding/json.
	switch p := any(&o.V).(type) {
	case *string:
		if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			*p = string(b[1 : len(b)-1])
			return nil
		}
	case *[]string:
		if list, ok := plainStrings(b); ok {
			*p = list
			return nil
		}
	case *bool:
		switch string(b) {
		case "true":
			*p = true
			return nil
		case "false":
			*p = false
			return nil
		}
	}
	return json.Unmarshal(b, &o.V)
}

// plainStrings reads b, valid JSON, as a list of strings without escapes;
// ok is false for anything else, which encoding/json then decodes.
func plainStrings(b []byte) (list []string, ok bool) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' || bytes.IndexByte(b, '\\') >= 0 || !utf8.Valid(b) {
		return nil, false
	}
	b = bytes.TrimSpace(b[1 : len(b)-1])
	list = []string{}
	for len(b) > 0 {
		if b[0] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(b[1:], '"') + 1
		if end == 0 {
			return nil, false
		}
		list = append(list, string(b[1:end]))
		b = bytes.TrimSpace(b[end+1:])
		if len(b) > 0 {
			if b[0] != ',' {
				return nil, false
			}
			b = bytes.TrimSpace(b[1:])
			if len(b) == 0 {
				return nil, false
			}
		}
	}
	return list, true
}

// UnmarshalJSONFrom is UnmarshalJSON for a streaming decoder, which reads
// the body once: a struct value is decoded field by field from the same
// stream, any other value is read as it is written and decoded by
// UnmarshalJSON.
func (o *Opt[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	o.Set = true
	if dec.PeekKind() == 'n' {
		o.Null = true
		_, err := dec.ReadToken()
		return err
	}
	if reflect.TypeFor[T]().Kind() == reflect.Struct {
		return jsonv2.UnmarshalDecode(dec, &o.V)
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return o.UnmarshalJSON(raw)
}

// Has reports whether a non-null value was given.
func (o Opt[T]) Has() bool { return o.Set && !o.Null }

// Ptr returns the value's address, or nil when absent or null.
func (o *Opt[T]) Ptr() *T {
	if !o.Has() {
		return nil
	}
	return &o.V
}

// Required records an error unless a non-null value was given.
func Required[T any](e Errors, field string, o Opt[T]) bool {
	switch {
	case !o.Set:
		e.Add(field, MsgRequired)
	case o.Null:
		e.Add(field, MsgNull)
	default:
		return true
	}
	return false
}

// NotNull records an error when the value was given as null; it reports whether a value is present.
func NotNull[T any](e Errors, field string, o Opt[T]) bool {
	if o.Null {
		e.Add(field, MsgNull)
		return false
	}
	return o.Set
}

// MaxLen records an error when s is longer than n characters.
func MaxLen(e Errors, field, s string, n int) {
	if len([]rune(s)) > n {
		e.Add(field, "Ensure this field has no more than "+itoa(n)+" characters.")
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
