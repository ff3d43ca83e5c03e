package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	user := e.createUser(t, e.A, nil)
	e.call(t, e.A, "GET", "/partners/v2/users/not-a-uuid", nil)
	v := e.orderID(t, e.A, user, "voie")
	e.connectSandbox(t, e.A, v, "item_000000001")
	if did, err := e.app.Aggregator.RunOnce(t.Context()); !did || err != nil {
		t.Fatalf("aggregate: %v, %v", did, err)
	}
	resp, err := http.Get(e.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	for _, want := range []string{
		`verigate_http_requests_total{method="POST",route="/partners/v2/users",status="200"} 1`,
		`verigate_http_requests_total{method="GET",route="/partners/v2/users/{id}",status="404"} 1`,
		`verigate_http_request_duration_seconds_bucket{method="POST",route="/partners/v2/users",le="+Inf"} 1`,
		`verigate_webhook_deliveries_pending 0`,
		`verigate_aggregations_pending 0`,
		`verigate_aggregations_total{outcome="done"} 1`,
		`go_goroutines`,
		`go_sql_open_connections{db_name="verigate_write"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if resp.StatusCode != http.StatusOK || strings.Contains(body, e.A.ID) {
		t.Errorf("/metrics: %d (or it names a key)", resp.StatusCode)
	}
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(e.srv.URL + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/yaml") || !strings.Contains(string(b), "/partners/v2/api-keys") {
		t.Fatalf("/openapi.yaml: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
