package validate

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestOptDecoding(t *testing.T) {
	type body struct {
		S  Opt[string]                  `json:"s"`
		B  Opt[bool]                    `json:"b"`
		N  Opt[int]                     `json:"n"`
		L  Opt[[]string]                `json:"l"`
		In Opt[struct{ X Opt[string] }] `json:"in"`
	}
	for _, c := range []struct {
		in   string
		want func(b body) bool
	}{
		{`{}`, func(b body) bool { return !b.S.Set && !b.B.Set && !b.N.Set }},
		{`{"s": null, "b": null}`, func(b body) bool { return b.S.Set && b.S.Null && b.B.Null && !b.S.Has() }},
		{`{"s": "plain"}`, func(b body) bool { return b.S.Has() && b.S.V == "plain" }},
		{`{"s": "esc\"aped\\n"}`, func(b body) bool { return b.S.V == "esc\"aped\\n" }},
		{`{"s": "line\nbreak é \u00e9"}`, func(b body) bool { return b.S.V == "line\nbreak é é" }},
		{"{\"s\": \"bad \xff utf8\"}", func(b body) bool { return b.S.V == "bad \ufffd utf8" }},
		{`{"b": true}`, func(b body) bool { return b.B.Has() && b.B.V }},
		{`{"b": false}`, func(b body) bool { return b.B.Has() && !b.B.V }},
		{`{"n": 42, "l": ["a", "b"]}`, func(b body) bool { return b.N.V == 42 && len(b.L.V) == 2 }},
		{`{"in": {"X": "y"}}`, func(b body) bool { return b.In.Has() && b.In.V.X.V == "y" }},
	} {
		var b body
		if err := json.Unmarshal([]byte(c.in), &b); err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !c.want(b) {
			t.Errorf("%s: decoded %+v", c.in, b)
		}
	}
	for _, bad := range []string{`{"s": 5}`, `{"b": "true"}`, `{"n": "5"}`, `{"n": 1.5}`, `{"l": "x"}`, `{"in": {"X": 1}}`} {
		var b body
		err := json.Unmarshal([]byte(bad), &b)
		var te *json.UnmarshalTypeError
		if !asTypeError(err, &te) || te.Field == "" {
			t.Errorf("%s: err = %v, want a type error naming the field", bad, err)
		}
	}
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	e, ok := err.(*json.UnmarshalTypeError)
	*te = e
	return ok
}

func TestErrorsAndHelpers(t *testing.T) {
	e := Errors{}
	if e.Err() != nil {
		t.Fatal("empty Errors is an error")
	}
	if !Required(e, "a", Opt[string]{Set: true, V: "x"}) || Required(e, "b", Opt[string]{}) || Required(e, "c", Opt[string]{Set: true, Null: true}) {
		t.Fatal("Required misjudged")
	}
	MaxLen(e, "d", "héllo", 4)
	MaxLen(e, "e", "héllo", 5)
	if e["b"][0] != MsgRequired || e["c"][0] != MsgNull || len(e["d"]) != 1 || e["e"] != nil {
		t.Fatalf("errors = %v", e)
	}
	for s, ok := range map[string]bool{"43A2C6C3-1e63-91e5-88e3-f9ab2dcc489b": true, "43a2c6c3-1e63-91e5-88e3-f9ab2dcc489": false, "x": false,
		"43a2c6c3-1e63-91e5-88e3-f9ab2dcc489g": false, "43a2c6c31-e63-91e5-88e3-f9ab2dcc489b": false,
		"43a2c6c3-1e63-91e5-88e3-f9ab2dcc489b\n": false, "": false} {
		if IsUUID(s) != ok {
			t.Errorf("IsUUID(%q) = %v", s, !ok)
		}
	}
}

// TestOptStringList decodes lists of strings as encoding/json does, with
// and without the quick path for plain strings.
func TestOptStringList(t *testing.T) {
	for _, in := range []string{`[]`, ` [ ] `, `["a"]`, `[ "a" , "b"  ]`, `["a\"b", "c"]`, `["é", ""]`, `[1]`, `["a",]`, `"a"`, `[["a"]]`} {
		var got Opt[[]string]
		gotErr := json.Unmarshal([]byte(in), &got)
		var want []string
		wantErr := json.Unmarshal([]byte(in), &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got.V, want) || gotErr == nil && !got.Set {
			t.Errorf("%s: got %#v (%v), encoding/json %#v (%v)", in, got.V, gotErr, want, wantErr)
		}
	}
}
