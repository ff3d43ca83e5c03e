package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"log/slog"

	"verigate/internal/baseline"
	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/store"
)

// benchApp is a verigate on a fresh SQLite file with one partner, user and
// payroll verification.
type benchApp struct {
	handler      http.Handler
	key          partner.NewKey
	verification string
}

func newBenchApp(b *testing.B) benchApp {
	b.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://verigate.test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	key, err := app.Keys.CreatePartner(ctx, "bench", "bench", store.Sandbox)
	if err != nil {
		b.Fatal(err)
	}
	ba := benchApp{handler: app.Handler, key: key}
	var user struct{ ID string }
	ba.call(b, "POST", "/partners/v2/users", `{"client":"`+key.ClientID+`","first_name":"Jane"}`, &user)
	var v struct{ ID string }
	ba.call(b, "POST", "/partners/v2/verifications", `{"user":"`+user.ID+`","report":{"type":"voie"}}`, &v)
	ba.verification = v.ID
	return ba
}

func (ba benchApp) request(method, path, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = bytes.NewBufferString(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.SetBasicAuth(ba.key.ID, ba.key.Secret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func (ba benchApp) call(b *testing.B, method, path, body string, out any) {
	b.Helper()
	rec := httptest.NewRecorder()
	ba.handler.ServeHTTP(rec, ba.request(method, path, body))
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			b.Fatal(err)
		}
	}
}

// runParallel serves requests made by mk from all cores and fails on any non-200.
func runParallel(b *testing.B, h http.Handler, mk func() *http.Request) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, mk())
			if rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

const sessionBody = `{"verification":"%s","configuration":{"redirect_url":"https://your-application.com/return","flow_id":"12ABCD3E","items":["item_000000001","item_000000002"],"language":"EN","mobile_app":true}}`

// BenchmarkBareHandler is the ceiling: a net/http handler that decodes the
// same session request and encodes a response of the same size, in memory.
func BenchmarkBareHandler(b *testing.B) {
	h := http.HandlerFunc(baseline.Handler)
	body := []byte(`{"verification":"01a213cf-bfec-740f-a0f1-b0cf61f41846","configuration":{"redirect_url":"https://your-application.com/return","flow_id":"12ABCD3E","items":["item_000000001","item_000000002"],"language":"EN","mobile_app":true}}`)
	runParallel(b, h, func() *http.Request {
		r := httptest.NewRequest("POST", "/partners/v2/sessions", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	})
}

// BenchmarkCreateSession is POST /partners/v2/sessions through the real
// router, Basic auth and the SQLite store.
func BenchmarkCreateSession(b *testing.B) {
	ba := newBenchApp(b)
	body := []byte(fmtSession(ba.verification))
	runParallel(b, ba.handler, func() *http.Request {
		r := ba.request("POST", "/partners/v2/sessions", "")
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	})
}

// BenchmarkGetVerification is GET /partners/v2/verifications/{id} through
// the real router, Basic auth and the SQLite store.
func BenchmarkGetVerification(b *testing.B) {
	ba := newBenchApp(b)
	path := "/partners/v2/verifications/" + ba.verification
	runParallel(b, ba.handler, func() *http.Request { return ba.request("GET", path, "") })
}

func fmtSession(id string) string {
	return string(bytes.Replace([]byte(sessionBody), []byte("%s"), []byte(id), 1))
}

// runHTTP sends requests made by mk to srv over loopback TCP from 16
// concurrent keep-alive clients and fails on any non-200.
func runHTTP(b *testing.B, h http.Handler, mk func(base string) *http.Request) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(mk(srv.URL))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkHTTPBareHandler is the bare ceiling over loopback TCP.
func BenchmarkHTTPBareHandler(b *testing.B) {
	body := []byte(fmtSession("01a213cf-bfec-740f-a0f1-b0cf61f41846"))
	runHTTP(b, http.HandlerFunc(baseline.Handler), func(base string) *http.Request {
		r, _ := http.NewRequest("POST", base+"/partners/v2/sessions", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	})
}

// BenchmarkHTTPCreateSession is the session call over loopback TCP.
func BenchmarkHTTPCreateSession(b *testing.B) {
	ba := newBenchApp(b)
	body := []byte(fmtSession(ba.verification))
	runHTTP(b, ba.handler, func(base string) *http.Request {
		r, _ := http.NewRequest("POST", base+"/partners/v2/sessions", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.SetBasicAuth(ba.key.ID, ba.key.Secret)
		return r
	})
}
