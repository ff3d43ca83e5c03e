package api

import (
	"reflect"
	"testing"
)

func TestMayHaveCaseVariants(t *testing.T) {
	for body, want := range map[string]bool{
		`{"user": "Jane Doe", "first_name": "ANN"}`: false, // upper case in values only
		`{"USER": "x"}`:                                true,
		`{"loan": {"Number": "1"}}`:                    true,
		`{"note": "a \"Quoted\": thing", "user": "x"}`: false,
		`{"a\"B": 1}`:                                  true,
		`["X", "Y"]`:                                   false,
		`{"user" : "x", "First_Name"   :"y"}`:          true,
	} {
		if got := mayHaveCaseVariants([]byte(body)); got != want {
			t.Errorf("mayHaveCaseVariants(%s) = %v, want %v", body, got, want)
		}
	}
}

func TestExactFieldNames(t *testing.T) {
	type loan struct {
		Number string `json:"number"`
	}
	type input struct {
		User  string           `json:"user"`
		Loans []loan           `json:"loans"`
		Meta  map[string]any   `json:"meta"`
		Inner *struct{ A int } `json:"inner"`
	}
	out, err := exactFieldNames([]byte(`{"USER": "u", "loans": [{"NUMBER": "1", "number": "2"}], "meta": {"KEEP": 1}, "Inner": {"A": 1}}`), reflect.TypeOf(&input{}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"loans":[{"number":"2"}],"meta":{"KEEP":1}}`
	if string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
	same := []byte(`{"user": "Jane"}`)
	if out, _ := exactFieldNames(same, reflect.TypeOf(&input{})); &out[0] != &same[0] {
		t.Error("a body without upper-case keys was copied")
	}
}
