package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// pngBytes is the smallest valid PNG header verigate's sniffing accepts.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)

func TestFlowsAndExperiencesCRUD(t *testing.T) {
	e := newEnv(t)
	k := e.A
	for _, c := range []struct{ path, list, wantID string }{
		{"/partners/v2/flows", "items", "MYFLOW1"},
		{"/partners/v2/experiences", "institutions", "5d0b8c8e-0000-4000-8000-00000000abcd"},
	} {
		body := map[string]any{"id": c.wantID, "name": "Main", "brand_name": "Acme Lending", "accent_color": "#1F5EFF",
			"intro": map[string]any{"EN": "Connect to finish your application.", "ES": "Conéctese para terminar."},
			c.list:  []any{"a", "b", "a"}, "frame_origins": []any{"https://app.acme.example/", "http://localhost:3000"}}
		got := e.send(t, req{key: &k, method: "POST", path: c.path, body: body})
		if got.Status != http.StatusCreated {
			t.Fatalf("%s create: %s", c.path, got)
		}
		v := got.obj(t)
		if v["id"] != c.wantID || v["accent_color"] != "#1f5eff" || v["brand_name"] != "Acme Lending" ||
			jsonString(v[c.list]) != `["a","b"]` || jsonString(v["frame_origins"]) != `["https://app.acme.example","http://localhost:3000"]` {
			t.Fatalf("%s created %s", c.path, got)
		}
		// Duplicate ids, bad colours and low contrast are refused.
		fieldError(t, e.call(t, k, "POST", c.path, body), "id")
		bad := map[string]any{"name": "x", "accent_color": "#ffff00"}
		if msg := fieldError(t, e.call(t, k, "POST", c.path, bad), "accent_color"); !strings.Contains(msg[0], "contrast") {
			t.Errorf("low contrast message %q", msg)
		}
		fieldError(t, e.call(t, k, "POST", c.path, map[string]any{"name": "x", "accent_color": "blue"}), "accent_color")
		fieldError(t, e.call(t, k, "POST", c.path, map[string]any{"name": "x", "frame_origins": []any{"https://x.example/path"}}), "frame_origins")
		fieldError(t, e.call(t, k, "POST", c.path, map[string]any{"name": "x", "intro": map[string]any{"FR": "Bonjour"}}), "intro")
		fieldError(t, e.call(t, k, "POST", c.path, map[string]any{}), "name")

		item := c.path + "/" + c.wantID
		patched := e.ok(t, k, "PATCH", item, map[string]any{"brand_name": "Acme", "accent_color": nil})
		if patched["brand_name"] != "Acme" || patched["accent_color"] != nil || patched["name"] != "Main" {
			t.Fatalf("patched %v", patched)
		}
		// Logos are sniffed and size-limited.
		logo := e.send(t, req{key: &k, method: "PUT", path: item + "/logo", body: pngBytes, contentType: "image/png"})
		if logo.Status != http.StatusOK || logo.obj(t)["has_logo"] != true {
			t.Fatalf("logo upload: %s", logo)
		}
		fieldError(t, e.send(t, req{key: &k, method: "PUT", path: item + "/logo", body: []byte("<svg onload=alert(1)>"), contentType: "image/png"}), "logo")
		detailOf(t, e.send(t, req{key: &k, method: "PUT", path: item + "/logo", body: append(pngBytes, make([]byte, 300<<10)...), contentType: "image/png"}), http.StatusRequestEntityTooLarge)

		// Other partners and environments see nothing.
		detailOf(t, e.call(t, e.B, "GET", item, nil), http.StatusNotFound)
		detailOf(t, e.call(t, e.AProd, "PATCH", item, map[string]any{"name": "y"}), http.StatusNotFound)
		detailOf(t, e.call(t, e.B, "DELETE", item, nil), http.StatusNotFound)

		list := e.ok(t, k, "GET", c.path, nil)["results"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["id"] != c.wantID || list[1].(map[string]any)["sample"] != true {
			t.Fatalf("list = %v", list)
		}
		if got := e.call(t, k, "DELETE", item, nil); got.Status != http.StatusNoContent {
			t.Fatalf("delete: %s", got)
		}
		detailOf(t, e.call(t, k, "GET", item, nil), http.StatusNotFound)
	}
	// The samples are there for sandbox keys, read-only, and absent in production.
	if got := e.ok(t, k, "GET", "/partners/v2/flows/12ABCD3E", nil); got["sample"] != true {
		t.Fatalf("sample flow = %v", got)
	}
	detailOf(t, e.call(t, k, "PATCH", "/partners/v2/flows/12ABCD3E", map[string]any{"name": "mine"}), http.StatusConflict)
	detailOf(t, e.call(t, k, "DELETE", "/partners/v2/experiences/97f1eccb-241d-4052-8409-fab9e27a589b", nil), http.StatusConflict)
	detailOf(t, e.call(t, e.AProd, "GET", "/partners/v2/flows/12ABCD3E", nil), http.StatusNotFound)
	detailOf(t, e.call(t, k, "GET", "/partners/v2/experiences/not-a-uuid", nil), http.StatusNotFound)
}

func TestSessionsNeedAKnownFlowOrExperience(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	payroll := e.orderID(t, k, user, "voie")
	banking := e.orderID(t, k, user, "voa")
	fieldError(t, e.call(t, k, "POST", "/partners/v2/sessions", map[string]any{"verification": payroll, "configuration": map[string]any{"flow_id": "NOPE"}}), "configuration.flow_id")
	fieldError(t, e.call(t, k, "POST", "/partners/v2/sessions", map[string]any{"verification": banking, "configuration": map[string]any{"experience": "5d0b8c8e-0000-4000-8000-00000000abcd"}}), "configuration.experience")
	// The contract's example ids work for sandbox keys, and a partner's own flows work once created.
	e.session(t, k, payroll, map[string]any{"flow_id": "12ABCD3E"})
	e.session(t, k, banking, map[string]any{"experience": "97f1eccb-241d-4052-8409-fab9e27a589b"})
	if got := e.call(t, k, "POST", "/partners/v2/flows", map[string]any{"id": "NOPE", "name": "now it exists"}); got.Status != http.StatusCreated {
		t.Fatalf("create flow: %s", got)
	}
	e.session(t, k, payroll, map[string]any{"flow_id": "NOPE"})
	// Another partner's flow is unknown.
	other := e.orderID(t, e.B, e.createUser(t, e.B, nil), "voie")
	fieldError(t, e.call(t, e.B, "POST", "/partners/v2/sessions", map[string]any{"verification": other, "configuration": map[string]any{"flow_id": "NOPE"}}), "configuration.flow_id")
}
