package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/store"
)

// BenchmarkV2Paystubs compares GET /v2/paystubs?user=<id>&limit=200 with
// GET /v2/paystubs/{id} on a SQLite store holding VERIGATE_BENCH_ROWS
// paystub records (1,000 per user, each a real sandbox paystub), over
// loopback HTTP with the real router and auth. It is skipped unless
// VERIGATE_BENCH_ROWS is set, so CI never builds the data:
//
//	VERIGATE_BENCH_ROWS=1000000 go test -run '^$' -bench V2Paystubs -benchtime 3s ./internal/api/
func BenchmarkV2Paystubs(b *testing.B) {
	rows, _ := strconv.Atoi(os.Getenv("VERIGATE_BENCH_ROWS"))
	if rows <= 0 {
		b.Skip("set VERIGATE_BENCH_ROWS (e.g. 1000000) to build the store and run")
	}
	e := newEnv(b)
	if path := os.Getenv("VERIGATE_BENCH_DB"); path != "" {
		e = newEnvOn(b, path) // kept after the run, to inspect query plans
	}
	start := time.Now()
	target, targetStub := buildPaystubs(b, e, rows)
	b.Logf("built %d paystub records in %s", rows, time.Since(start).Round(time.Second))

	// Responses are asked for uncompressed, except by list-200-gzip,
	// which accepts gzip as most clients do.
	gzipped := false
	get := func(b *testing.B, path string) {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.SetBasicAuth(e.A.ID, e.A.Secret)
		if !gzipped {
			req.Header.Set("Accept-Encoding", "identity")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path, res.StatusCode)
		}
		b.SetBytes(n)
	}
	b.Run("list-200", func(b *testing.B) {
		for b.Loop() {
			get(b, "/v2/paystubs?user="+target+"&limit=200")
		}
	})
	b.Run("list-200-second-page", func(b *testing.B) {
		first := e.ok(b, e.A, "GET", "/v2/paystubs?user="+target+"&limit=200", nil)
		next := first["next"].(string)[len(e.srv.URL):]
		for b.Loop() {
			get(b, next)
		}
	})
	b.Run("list-200-gzip", func(b *testing.B) {
		gzipped = true
		defer func() { gzipped = false }()
		for b.Loop() {
			get(b, "/v2/paystubs?user="+target+"&limit=200")
		}
	})
	b.Run("by-id", func(b *testing.B) {
		for b.Loop() {
			get(b, "/v2/paystubs/"+targetStub)
		}
	})
}

// paystubsPerUser is how many paystub records buildPaystubs gives each user.
const paystubsPerUser = 1000

// buildPaystubs stores rows paystub records, paystubsPerUser a user, each
// a copy of a real sandbox paystub with its own source id and date, through
// the store as aggregation writes them; it returns the first user and the
// id of one of that user's paystubs.
func buildPaystubs(tb testing.TB, e *env, rows int) (user, paystub string) {
	ctx := context.Background()
	data, err := payrollsandbox.DataFor("test_1", "item_000000001", dataAsOf)
	if err != nil {
		tb.Fatal(err)
	}
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for made := 0; made < rows; made += paystubsPerUser {
		u := e.createUser(tb, e.A, nil)
		now := e.clock.Now().UTC().Truncate(time.Millisecond)
		a := store.Account{ID: store.NewID(), PartnerID: e.A.Partner, Environment: e.A.Env, UserID: u, VerificationID: store.NewID(),
			DataSource: "payroll", Item: "item_000000001", Source: payrollsandbox.Source, ConnectionStatus: "connected",
			Aggregation: store.AggregationRunning, CreatedAt: now, UpdatedAt: now}
		if err := e.app.Store.CreateAccount(ctx, a); err != nil {
			tb.Fatal(err)
		}
		a.Version, a.Aggregation, a.ScannedAt = 1, store.AggregationDone, &now
		recs, err := aggregate.Records(a, data, now)
		if err != nil {
			tb.Fatal(err)
		}
		var out []store.AccountRecord
		tmpl := recs[0]
		for _, r := range recs {
			if r.Kind == store.RecordPaystub {
				tmpl = r
				break
			}
		}
		for i := 0; i < paystubsPerUser && made+i < rows; i++ {
			r := tmpl
			r.SourceID = fmt.Sprintf("stub-%d", i)
			r.ID = aggregate.RecordID(a, store.RecordPaystub, r.SourceID)
			r.Date = day.AddDate(0, 0, i*7).Format(time.DateOnly)
			out = append(out, r)
		}
		if err := e.app.Store.FinishAggregation(ctx, a, out); err != nil {
			tb.Fatal(err)
		}
		if user == "" {
			user, paystub = u, out[len(out)/2].ID
		}
	}
	return user, paystub
}

// TestPaystubsBenchmarkStore: the store BenchmarkV2Paystubs builds, which
// only runs when asked to, answers its requests: two pages of one user's
// paystubs and one by id.
func TestPaystubsBenchmarkStore(t *testing.T) {
	e := newEnv(t)
	user, paystub := buildPaystubs(t, e, 250)
	first := e.ok(t, e.A, "GET", "/v2/paystubs?user="+user+"&limit=200", nil)
	results, _ := first["results"].([]any)
	next, _ := first["next"].(string)
	if len(results) != 200 || next == "" {
		t.Fatalf("first page: %d paystubs, next %q", len(results), next)
	}
	second := e.ok(t, e.A, "GET", next[len(e.srv.URL):], nil)
	if rest, _ := second["results"].([]any); len(rest) != 50 {
		t.Fatalf("second page: %d paystubs, want 50", len(rest))
	}
	if got := e.ok(t, e.A, "GET", "/v2/paystubs/"+paystub, nil); got["id"] != paystub || got["gross_pay"] == nil {
		t.Fatalf("paystub by id: %v", got)
	}
}
