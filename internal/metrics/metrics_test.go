package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type backlogs struct{ deliveries, aggregations int }

func (b backlogs) PendingDeliveries(context.Context) (int, error) { return b.deliveries, nil }
func (b backlogs) PendingAggregations(context.Context) (int, error) {
	if b.aggregations < 0 {
		return 0, errors.New("database away")
	}
	return b.aggregations, nil
}

func scrape(t *testing.T, h http.Handler, auth string) (int, string) {
	t.Helper()
	r := httptest.NewRequest("GET", "/metrics", nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestBacklogsAndRequests(t *testing.T) {
	m := New(backlogs{deliveries: 7, aggregations: -1}, nil, nil)
	m.Request("/v2/users", "GET", 200, 3*time.Millisecond)
	m.Request("/v2/users", "GET", 200, 30*time.Millisecond)
	code, body := scrape(t, m.Handler(""), "")
	for _, want := range []string{
		"verigate_webhook_deliveries_pending 7",
		"verigate_aggregations_pending -1", // a backlog that could not be read shows as -1
		`verigate_http_requests_total{method="GET",route="/v2/users",status="200"} 2`,
		`verigate_http_request_duration_seconds_bucket{method="GET",route="/v2/users",le="0.005"} 1`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("scrape %d lacks %q", code, want)
		}
	}
	m.Delivery("delivered")
	m.Delivery("retrying")
	m.Delivery("retrying")
	m.Aggregation("done", 1500*time.Millisecond)
	_, body = scrape(t, m.Handler(""), "")
	for _, want := range []string{
		`verigate_webhook_attempts_total{outcome="retrying"} 2`,
		`verigate_aggregations_total{outcome="done"} 1`,
		`verigate_aggregation_duration_seconds_bucket{le="2.5"} 1`,
		`verigate_aggregation_duration_seconds_bucket{le="1"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	var nilMetrics *Metrics
	nilMetrics.Request("/x", "GET", 200, time.Second) // no metrics: nothing happens
	nilMetrics.Delivery("delivered")
}

func TestToken(t *testing.T) {
	h := New(nil, nil, nil).Handler("s3cret")
	for auth, want := range map[string]int{"": 401, "Bearer nope": 401, "s3cret": 401, "Bearer s3cret": 200} {
		if code, _ := scrape(t, h, auth); code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, code, want)
		}
	}
}
