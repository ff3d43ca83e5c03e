package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/store"
	"verigate/internal/store/postgres/pgtest"
	"verigate/internal/store/storetest"
)

// BenchmarkScale measures the reads that must not slow down as the store
// grows: a GET of a verification, a session, and the listings of a user's
// verifications, accounts and paystubs, each on a random verification or
// user so that caches do not hide the database. It grows two stores
// (storetest.Grow): 1,000 verifications and VERIGATE_BENCH_ROWS (ten per
// user, as many paystubs and webhook deliveries), and alternates requests
// between them, timing each, so that both see the same load on a shared
// machine; it reports the time per request on each and their ratio
// (large/small). It runs on SQLite, and on PostgreSQL when
// VERIGATE_TEST_POSTGRES_URL is set (in schemas of its own), through the
// real router and auth, in memory:
//
//	VERIGATE_BENCH_ROWS=1000000 go test ./internal/server -run '^$' -bench Scale -benchtime 20000x -timeout 2h
func BenchmarkScale(b *testing.B) {
	rows, _ := strconv.Atoi(os.Getenv("VERIGATE_BENCH_ROWS"))
	if rows <= 0 {
		b.Skip("set VERIGATE_BENCH_ROWS (e.g. 1000000) to grow the stores and run")
	}
	b.Run("sqlite", func(b *testing.B) {
		benchScale(b, rows, sqliteScale)
	})
	b.Run("postgres", func(b *testing.B) {
		u := os.Getenv("VERIGATE_TEST_POSTGRES_URL")
		if u == "" {
			b.Skip("VERIGATE_TEST_POSTGRES_URL is not set")
		}
		benchScale(b, rows, func(b testing.TB) (string, string, bool) { return pgtest.Schema(b, u, "verigate_bench"), "pgx", true })
	})
}

// scaleApp is a verigate over a grown store, with a key of its tenant.
type scaleApp struct {
	handler http.Handler
	key     partner.NewKey
	g       storetest.Grown
}

// newScaleApp opens a store at the place open gives (an SQLite path or a
// postgres:// URL, the database/sql driver, whether it is PostgreSQL) and
// grows it to rows verifications.
func newScaleApp(b testing.TB, rows int, open func(testing.TB) (string, string, bool)) scaleApp {
	ctx := context.Background()
	where, driver, postgres := open(b)
	st, err := server.OpenStore(ctx, where)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	db, err := sql.Open(driver, where)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	g, err := storetest.Grow(ctx, st, db, postgres, rows)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("grew a store to %d verifications in %s", rows, time.Since(start).Round(time.Second))
	// Grown before server.New gives the store its personal-data cipher:
	// copies of a sealed record would not open under their new account and
	// source ids, so the grown records are stored in clear, as records
	// stored before encryption are, and read alike.
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://verigate.test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	key, err := app.Keys.CreateKeyForClient(ctx, g.Client, "bench", store.Sandbox)
	if err != nil {
		b.Fatal(err)
	}
	return scaleApp{handler: app.Handler, key: key, g: g}
}

// sqliteScale places a grown store in a new SQLite file.
func sqliteScale(tb testing.TB) (string, string, bool) {
	return filepath.Join(tb.TempDir(), "scale.db"), "sqlite", false
}

// scaleCases are the requests BenchmarkScale times, each made for a grown store.
var scaleCases = []struct {
	name string
	mk   func(a scaleApp) *http.Request
}{
	{"GetVerification", func(a scaleApp) *http.Request {
		return a.get("/partners/v2/verifications/" + a.g.VerificationID(1+mrand.IntN(a.g.Verifications)))
	}},
	{"CreateSession", func(a scaleApp) *http.Request {
		body := []byte(fmtSession(a.g.VerificationID(1 + mrand.IntN(a.g.Verifications))))
		r := httptest.NewRequest("POST", "/partners/v2/sessions", bytes.NewReader(body))
		r.SetBasicAuth(a.key.ID, a.key.Secret)
		r.Header.Set("Content-Type", "application/json")
		return r
	}},
	{"VerificationsByUser", func(a scaleApp) *http.Request { return a.get("/partners/v2/verifications?user=" + a.user()) }},
	{"V2AccountsByUser", func(a scaleApp) *http.Request { return a.get("/v2/accounts?user=" + a.user()) }},
	{"V2PaystubsByUser", func(a scaleApp) *http.Request { return a.get("/v2/paystubs?user=" + a.user()) }},
}

// TestScaleRequests makes each of BenchmarkScale's requests on a small
// grown store, so that the benchmark, which only runs when asked to, keeps
// working: each answers 200 with what the grown store holds.
func TestScaleRequests(t *testing.T) {
	a := newScaleApp(t, 1000, sqliteScale)
	for _, c := range scaleCases {
		for range 5 {
			rec := httptest.NewRecorder()
			a.handler.ServeHTTP(rec, c.mk(a))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d: %s", c.name, rec.Code, rec.Body)
			}
			if body := rec.Body.String(); c.name != "CreateSession" && !strings.Contains(body, `"id"`) {
				t.Fatalf("%s: nothing found in the grown store: %s", c.name, body)
			}
		}
	}
}

func benchScale(b *testing.B, rows int, open func(testing.TB) (string, string, bool)) {
	small, large := newScaleApp(b, 1000, open), newScaleApp(b, rows, open)
	for _, c := range scaleCases {
		b.Run(c.name, func(b *testing.B) {
			var spent [2]time.Duration
			for i := range b.N {
				for j, a := range []scaleApp{small, large} {
					if i%2 == 1 {
						j, a = 1-j, []scaleApp{small, large}[1-j] // alternate which goes first
					}
					req := c.mk(a)
					rec := httptest.NewRecorder()
					start := time.Now()
					a.handler.ServeHTTP(rec, req)
					spent[j] += time.Since(start)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
			}
			b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), "ns/small")
			b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), fmt.Sprintf("ns/%d", rows))
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "ratio")
		})
	}
}

func (a scaleApp) user() string { return a.g.UserID(1 + mrand.IntN(a.g.Users)) }

func (a scaleApp) get(path string) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	r.SetBasicAuth(a.key.ID, a.key.Secret)
	return r
}
