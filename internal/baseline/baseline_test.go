package baseline

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerEchoesTheSession(t *testing.T) {
	w := httptest.NewRecorder()
	Handler(w, httptest.NewRequest("POST", "/partners/v2/sessions", strings.NewReader(`{"verification":"v1","configuration":{"language":"EN"}}`)))
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != http.StatusOK {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	if out["verification"] != "v1" || out["configuration"].(map[string]any)["language"] != "EN" || out["link"] == "" {
		t.Errorf("response %v", out)
	}

	w = httptest.NewRecorder()
	Handler(w, httptest.NewRequest("POST", "/partners/v2/sessions", strings.NewReader(`{`)))
	if w.Code != http.StatusBadRequest {
		t.Errorf("a broken body: %d, want 400", w.Code)
	}
}
