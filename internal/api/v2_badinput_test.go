package api_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// v2NotServed are the document's paths verigate leaves out (docs/api-v2.md).
var v2NotServed = []string{"/v2/open-banking/", "/v2/user-forms", "/v2/item-migrations"}

func v2Served(path string) bool {
	for _, p := range v2NotServed {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return strings.HasPrefix(path, "/v2/")
}

// TestV2BadQueryEverywhere sends every /v2 list operation of the document
// the bad query values a client can send — limit out of range, a cursor
// that is not one, and for each documented filter a value of the wrong
// kind — and expects a 400 naming the parameter, never a 5xx.
func TestV2BadQueryEverywhere(t *testing.T) {
	doc := v2Contract(t)
	if doc == nil {
		t.Skipf("%s not found (CI has it beside the repository)", v2ContractPath)
	}
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	var paths []string
	for p, item := range doc.Paths.Map() {
		if v2Served(p) && !strings.Contains(p, "{") && item.Get != nil {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	if len(paths) < 15 {
		t.Fatalf("only %d /v2 list operations in the document", len(paths))
	}
	for _, p := range paths {
		op := doc.Paths.Value(p).Get
		base := url.Values{}
		if hasParam(op, "user") {
			base.Set("user", user)
		}
		if p == "/v2/employments" && !hasParam(op, "user") {
			base.Set("user", user)
		}
		if got := e.call(t, k, "GET", p+"?"+base.Encode(), nil); got.Status != http.StatusOK {
			t.Errorf("GET %s?%s: %s", p, base.Encode(), got)
			continue
		}
		bad := map[string][]string{"limit": {"201", "0", "-1", "ten"}, "cursor": {"garbage", "eyJhIjoienoifQ"}}
		for _, prm := range op.Parameters {
			if prm.Value == nil || prm.Value.In != "query" || prm.Value.Schema == nil || prm.Value.Schema.Value == nil {
				continue
			}
			s := prm.Value.Schema.Value
			switch {
			case s.Format == "uuid" && prm.Value.Name != "item":
				// (item ids are item_000000001, whatever the document's format says)
				bad[prm.Value.Name] = append(bad[prm.Value.Name], "not-a-uuid")
			case s.Format == "date" || strings.HasSuffix(prm.Value.Name, "_date"):
				bad[prm.Value.Name] = append(bad[prm.Value.Name], "2024-13-45")
			case s.Format == "date-time" || strings.HasSuffix(prm.Value.Name, "_datetime"):
				bad[prm.Value.Name] = append(bad[prm.Value.Name], "yesterday")
			case len(s.Enum) > 0:
				bad[prm.Value.Name] = append(bad[prm.Value.Name], "no-such-value")
			}
		}
		for name, values := range bad {
			for _, v := range values {
				q := url.Values{}
				for k2, vs := range base {
					q[k2] = vs
				}
				q.Set(name, v)
				got := e.call(t, k, "GET", p+"?"+q.Encode(), nil)
				if got.Status != http.StatusBadRequest {
					t.Errorf("GET %s?%s: %s, want 400", p, q.Encode(), got)
					continue
				}
				fieldError(t, got, name)
			}
		}
	}
}

func hasParam(op *openapi3.Operation, name string) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.Name == name {
			return true
		}
	}
	return false
}

// TestV2UnknownIDs: every /v2 operation on one object answers 404 for an
// id that is not a UUID and for one that names nothing in the tenant.
func TestV2UnknownIDs(t *testing.T) {
	doc := v2Contract(t)
	if doc == nil {
		t.Skipf("%s not found (CI has it beside the repository)", v2ContractPath)
	}
	e := newEnv(t)
	var checked int
	for p, item := range doc.Paths.Map() {
		if !v2Served(p) || !strings.Contains(p, "{") {
			continue
		}
		for method := range item.Operations() {
			if method != http.MethodGet && method != http.MethodDelete && method != http.MethodPatch {
				continue // creations and actions: checked with their own tests
			}
			for _, id := range []string{"not-a-uuid", "0190a0c2-1111-7000-8000-000000000001"} {
				path := p[:strings.Index(p, "{")] + id + p[strings.Index(p, "}")+1:]
				got := e.call(t, e.A, method, path, map[string]any{})
				if got.Status != http.StatusNotFound {
					t.Errorf("%s %s: %s, want 404", method, path, got)
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d id operations checked", checked)
	}
}
