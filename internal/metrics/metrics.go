// Package metrics collects what operators watch verigate by — requests by
// route and status with their latency, the webhook and aggregation
// backlogs, database pools, the Go runtime — and serves it in the
// Prometheus text format.
package metrics

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Backlogs counts the work waiting in the database.
type Backlogs interface {
	// PendingDeliveries counts webhook deliveries not yet delivered or given up.
	PendingDeliveries(ctx context.Context) (int, error)
	// PendingAggregations counts accounts waiting for, or in, aggregation.
	PendingAggregations(ctx context.Context) (int, error)
}

// Metrics is one process's set of metrics.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	deliveries   *prometheus.CounterVec
	aggregations *prometheus.CounterVec
	aggregating  prometheus.Histogram
	log          *slog.Logger
	// series holds each (route, method, status)'s counter and histogram,
	// found once instead of by their labels on every request.
	series sync.Map // requestKey → requestSeries
}

type requestKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// New returns the process's metrics, reading backlogs from b and pool
// statistics from the named database pools.
func New(b Backlogs, pools map[string]*sql.DB, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "verigate_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "verigate_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern and method.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "verigate_webhook_attempts_total", Help: "Webhook delivery attempts by outcome: delivered, retrying, failed.",
	}, []string{"outcome"})
	m.aggregations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "verigate_aggregations_total", Help: "Account aggregations by outcome: done, retried, failed.",
	}, []string{"outcome"})
	m.aggregating = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "verigate_aggregation_duration_seconds", Help: "Time to aggregate an account.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
	})
	m.reg.MustRegister(m.requests, m.latency, m.deliveries, m.aggregations, m.aggregating,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range pools {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	if b != nil {
		m.reg.MustRegister(
			m.backlog("verigate_webhook_deliveries_pending", "Webhook deliveries waiting to be delivered.", b.PendingDeliveries),
			m.backlog("verigate_aggregations_pending", "Accounts waiting for aggregation or being aggregated.", b.PendingAggregations),
		)
	}
	return m
}

// backlog is a gauge read from the database at each scrape.
func (m *Metrics) backlog(name, help string, count func(context.Context) (int, error)) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := count(ctx)
		if err != nil {
			m.log.Warn("metrics: backlog not read", "metric", name, "err", err)
			return -1
		}
		return float64(n)
	})
}

// Register adds collectors of other parts of verigate (workers' outcomes).
func (m *Metrics) Register(cs ...prometheus.Collector) { m.reg.MustRegister(cs...) }

// Request records one answered request.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	k := requestKey{route, method, status}
	s, ok := m.series.Load(k)
	if !ok {
		s, _ = m.series.LoadOrStore(k, requestSeries{m.requests.WithLabelValues(route, method, strconv.Itoa(status)),
			m.latency.WithLabelValues(route, method)})
	}
	rs := s.(requestSeries)
	rs.count.Inc()
	rs.latency.Observe(d.Seconds())
}

// Delivery records one webhook attempt's outcome.
func (m *Metrics) Delivery(outcome string) {
	if m != nil {
		m.deliveries.WithLabelValues(outcome).Inc()
	}
}

// Aggregation records how one aggregation ended and how long it took.
func (m *Metrics) Aggregation(outcome string, took time.Duration) {
	if m != nil {
		m.aggregations.WithLabelValues(outcome).Inc()
		m.aggregating.Observe(took.Seconds())
	}
}

// Handler serves the metrics; with a token, only to requests that carry it
// as "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="verigate metrics"`)
			http.Error(w, "metrics need the configured bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
