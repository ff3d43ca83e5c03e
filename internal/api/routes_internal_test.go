package api

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

func TestSurfaceOf(t *testing.T) {
	for pattern, want := range map[string]surface{
		"/partners/v2/users/{id}":            partners,
		"/partners/":                         partners,
		"GET /partners/v2/verifications":     partners,
		"/v2/users/{id}":                     v2,
		"/v2/":                               v2,
		"POST /v2/verifications/{id}/cancel": v2,
		"GET /healthz":                       partners,
		"":                                   partners,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Pattern = pattern
		if got := surfaceOf(r); got != want {
			t.Errorf("surfaceOf(%q) = %s, want %s", pattern, got.name, want.name)
		}
	}
}

// TestOperationsTable: every operation names a method, a path under its
// surfaces' prefixes and at least one surface, and appears once.
func TestOperationsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, op := range (&API{}).operations() {
		if op.method == "" || !strings.HasPrefix(op.path, "/") || op.handler == nil || len(op.surfaces) == 0 {
			t.Errorf("incomplete operation %s %s", op.method, op.path)
		}
		for _, s := range op.surfaces {
			k := op.method + " " + s.prefix + op.path
			if seen[k] {
				t.Errorf("%s is listed twice", k)
			}
			seen[k] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("no operations")
	}
}

// TestOpenAPIDescribesEveryAddition: every operation the API serves that
// the published contracts do not describe is in verigate's own document,
// which is itself a valid OpenAPI document.
func TestOpenAPIDescribesEveryAddition(t *testing.T) {
	own, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := own.Validate(t.Context()); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}
	published := map[string]bool{}
	for _, f := range []string{"../../../shared/reference/partners-v2-openapi.yaml", "../../../shared/reference/argyle-api-v2-openapi.yaml"} {
		raw, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			t.Skipf("%s not found (CI has it beside the repository)", f)
		}
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]any `yaml:"paths"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for p, ops := range doc.Paths {
			for m := range ops {
				published[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	// Operations the platform's reference pages describe and its document
	// lacks are added to it by the errata (testdata/v2-errata.json).
	var errata []struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value any    `json:"value"`
	}
	raw, err := os.ReadFile("testdata/v2-errata.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &errata); err != nil {
		t.Fatal(err)
	}
	for _, e := range errata {
		ops, isObject := e.Value.(map[string]any)
		if p, ok := strings.CutPrefix(e.Path, "/paths/"); ok && e.Op == "add" && isObject {
			p = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
			for m := range ops {
				published[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	// The published documents name path parameters as they like; compare shapes.
	shape := func(p string) string {
		parts := strings.Split(p, "/")
		for i, s := range parts {
			if strings.HasPrefix(s, "{") {
				parts[i] = "{}"
			}
		}
		return strings.Join(parts, "/")
	}
	publishedShapes := map[string]bool{}
	for k := range published {
		m, p, _ := strings.Cut(k, " ")
		publishedShapes[m+" "+shape(p)] = true
	}
	described := map[string]bool{}
	for p, item := range own.Paths.Map() {
		for m := range item.Operations() {
			described[m+" "+shape(p)] = true
		}
	}
	missing := 0
	for _, op := range (&API{}).operations() {
		for _, s := range op.surfaces {
			k := op.method + " " + shape(s.prefix+op.path)
			if !publishedShapes[k] && !described[k] {
				t.Errorf("%s is neither in a published contract nor in openapi.yaml", k)
				missing++
			}
		}
	}
	for _, k := range []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.yaml", "GET /link/{}", "GET /logos/{}/{}"} {
		if !described[k] {
			t.Errorf("openapi.yaml lacks %s", k)
		}
	}
}
