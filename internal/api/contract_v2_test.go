package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"go.yaml.in/yaml/v3"
)

// v2ContractPath is the platform's published document for its whole API,
// as published; v2ErrataPath lists, as JSON Patch operations each with its
// reason, the proven defects corrected before responses are checked
// against it.
const (
	v2ContractPath = "../../../shared/reference/argyle-api-v2-openapi.yaml"
	v2ErrataPath   = "testdata/v2-errata.json"
)

var (
	v2Once sync.Once
	v2Doc  *openapi3.T
	v2Err  error
)

// v2Contract returns the /v2 document with its errata applied, or nil when
// the file is missing.
func v2Contract(t testing.TB) *openapi3.T {
	t.Helper()
	v2Once.Do(func() {
		raw, err := os.ReadFile(v2ContractPath)
		if os.IsNotExist(err) {
			return
		}
		if err != nil {
			v2Err = err
			return
		}
		v2Doc, v2Err = loadWithErrata(raw)
	})
	if v2Err != nil {
		t.Fatalf("load the /v2 document: %v", v2Err)
	}
	return v2Doc
}

// yamlToJSON converts a YAML document to JSON.
func yamlToJSON(rawYAML []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(rawYAML, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func loadWithErrata(rawYAML []byte) (*openapi3.T, error) {
	doc, err := yamlToJSON(rawYAML)
	if err != nil {
		return nil, err
	}
	errata, err := os.ReadFile(v2ErrataPath)
	if err != nil {
		return nil, err
	}
	var notes []struct {
		Why string `json:"why"`
	}
	if err := json.Unmarshal(errata, &notes); err != nil {
		return nil, err
	}
	for i, n := range notes {
		if n.Why == "" {
			return nil, fmt.Errorf("erratum %d gives no reason", i)
		}
	}
	patch, err := jsonpatch.DecodePatch(errata)
	if err != nil {
		return nil, err
	}
	if doc, err = patch.Apply(doc); err != nil {
		return nil, fmt.Errorf("apply errata: %w", err)
	}
	return openapi3.NewLoader().LoadFromData(doc)
}

// v2Additions are /v2 path prefixes of verigate's own operations, which
// openapi.yaml describes.
var v2Additions = []string{"/v2/sandbox/"}

// checkV2Contract validates a /v2 success response against the document
// (verigate's additions against openapi.yaml).
func checkV2Contract(t testing.TB, hr *http.Request, r resp) {
	t.Helper()
	for _, prefix := range v2Additions {
		if strings.HasPrefix(hr.URL.Path, prefix) {
			if err := additionError(hr, r); err != nil {
				t.Errorf("%s\ndoes not conform to openapi.yaml: %v", r, err)
			}
			return
		}
	}
	doc := v2Contract(t)
	if doc == nil {
		return
	}
	tmpl, item, op, params := findOperation(doc, hr.Method, hr.URL.Path)
	if op == nil {
		t.Errorf("%s: no operation in the /v2 document", r)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: hr, PathParams: params,
			Route: &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: hr.Method, Operation: op},
		},
		Status: r.Status, Header: r.Header, Options: validationOptions,
	}
	in.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s\ndoes not conform to the /v2 document: %v", r, err)
	}
}

// TestV2ErrataAreNeeded: every erratum corrects something the published
// document really gets wrong: without it the document does not load, or
// the erratum changes nothing.
func TestV2ErrataAreNeeded(t *testing.T) {
	raw, err := os.ReadFile(v2ContractPath)
	if os.IsNotExist(err) {
		t.Skipf("%s not found (CI has it beside the repository)", v2ContractPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openapi3.NewLoader().LoadFromData(mustJSON(t, raw)); err == nil {
		t.Error("the published document loads without errata: drop the erratum that made it load")
	}
	if v2Contract(t) == nil {
		t.Fatal("the /v2 document did not load with its errata")
	}
}

func mustJSON(t *testing.T, rawYAML []byte) []byte {
	t.Helper()
	b, err := yamlToJSON(rawYAML)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
