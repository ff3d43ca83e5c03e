package api

import (
	"bytes"
	"io"
	"net/http/httptest"
	"testing"

	"verigate/internal/session"
)

const benchSessionBody = `{"verification":"01a213cf-bfec-740f-a0f1-b0cf61f41846","configuration":{"redirect_url":"https://your-application.com/return","flow_id":"12ABCD3E","items":["item_000000001","item_000000002"],"language":"EN","mobile_app":true}}`

// BenchmarkDecodeSession decodes the contract's payroll session request.
func BenchmarkDecodeSession(b *testing.B) {
	body := []byte(benchSessionBody)
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/partners/v2/sessions", nil)
	r.Header.Set("Content-Type", "application/json")
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in session.CreateInput
		if err := decode(w, r, &in); err != nil {
			b.Fatal(err)
		}
	}
}
