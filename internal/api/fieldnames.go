package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// exactFieldNames drops, before body is decoded into a value of type t,
// every object key that names one of t's fields only when compared without
// case ("USER" for "user"): the contracts match names exactly, and
// encoding/json would take them. A dropped key is an unknown field, ignored
// like any other. It returns body itself when nothing needs dropping.
func exactFieldNames(body []byte, t reflect.Type) ([]byte, error) {
	if !mayHaveCaseVariants(body) {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep numbers as written
	var v any
	if err := dec.Decode(&v); err != nil {
		return body, nil // let the real decoding report it
	}
	if !dropCaseVariants(v, t) {
		return body, nil
	}
	return json.Marshal(v)
}

// mayHaveCaseVariants is a quick look, with no allocation, for an object
// key holding an upper-case letter: verigate's input field names are all
// lower case, so a body without one needs no second look.
func mayHaveCaseVariants(body []byte) bool {
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		upper := false
		j := i + 1
		for ; j < len(body) && body[j] != '"'; j++ {
			switch c := body[j]; {
			case c == '\\':
				j++ // an escape: skip what it escapes
			case c >= 'A' && c <= 'Z':
				upper = true
			}
		}
		k := j + 1
		for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
			k++
		}
		if upper && k < len(body) && body[k] == ':' {
			return true
		}
		i = j
	}
	return false
}

// fieldSet is the JSON names of a struct's fields with their types.
type fieldSet struct {
	exact map[string]reflect.Type
	fold  map[string]string // lower-cased name → exact name
}

var fieldSets sync.Map // reflect.Type → *fieldSet

func fieldsOf(t reflect.Type) *fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{exact: map[string]reflect.Type{}, fold: map[string]string{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs.exact[name] = f.Type
		fs.fold[strings.ToLower(name)] = name
	}
	fieldSets.Store(t, fs)
	return fs
}

// valueType is the type a JSON value for t is decoded into: the value of an
// optional-field wrapper (validate.Opt), what a pointer points to.
func valueType(t reflect.Type) reflect.Type {
	for {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Opt[") && t.NumField() == 3 && t.Field(2).Name == "V":
			t = t.Field(2).Type
		default:
			return t
		}
	}
}

// dropCaseVariants removes case-variant keys from v, decoded JSON for t,
// and reports whether it removed any.
func dropCaseVariants(v any, t reflect.Type) bool {
	t = valueType(t)
	changed := false
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok || t == reflect.TypeOf(json.RawMessage{}) {
			return false
		}
		fs := fieldsOf(t)
		for k, val := range m {
			if ft, ok := fs.exact[k]; ok {
				changed = dropCaseVariants(val, ft) || changed
				continue
			}
			if _, variant := fs.fold[strings.ToLower(k)]; variant {
				delete(m, k)
				changed = true
			}
		}
	case reflect.Slice, reflect.Array:
		if items, ok := v.([]any); ok {
			for _, it := range items {
				changed = dropCaseVariants(it, t.Elem()) || changed
			}
		}
	case reflect.Map:
		if m, ok := v.(map[string]any); ok {
			for _, val := range m {
				changed = dropCaseVariants(val, t.Elem()) || changed
			}
		}
	}
	return changed
}
