package webhook_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"verigate/internal/store"
	"verigate/internal/store/postgres"
	"verigate/internal/store/postgres/pgtest"
	"verigate/internal/store/scaletest"
	"verigate/internal/store/sqlite"
	"verigate/internal/store/sqlstore"
	"verigate/internal/token"
	"verigate/internal/webhook"
)

// BenchmarkDrain drains a backlog of VERIGATE_BENCH_BACKLOG pending, due
// deliveries (two per verification, so every other one waits for the one
// before it) to a receiver in the same process that answers 200 at once,
// with 1, 2 and 4 workers per instance: on SQLite with one instance (one
// process owns the file), on PostgreSQL (when VERIGATE_TEST_POSTGRES_URL is
// set) with one and with two instances, each with its own connection pool
// and Dispatcher, as two `verigate serve` processes would be. Each drain
// starts from a fresh store holding as many delivered deliveries as
// pending ones and reports events/s:
//
//	VERIGATE_BENCH_BACKLOG=100000 go test ./internal/webhook -run '^$' -bench Drain -benchtime 1x -timeout 1h
func BenchmarkDrain(b *testing.B) {
	backlog, _ := strconv.Atoi(os.Getenv("VERIGATE_BENCH_BACKLOG"))
	if backlog <= 0 {
		b.Skip("set VERIGATE_BENCH_BACKLOG (e.g. 100000) to build the backlog and drain it")
	}
	pgURL := os.Getenv("VERIGATE_TEST_POSTGRES_URL")
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("sqlite/instances=1/workers=%d", workers), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "drain.db")
			drain(b, backlog, workers, 1, false, func() (*sqlstore.Store, error) { return sqlite.Open(context.Background(), path) }, path)
		})
		for _, instances := range []int{1, 2} {
			b.Run(fmt.Sprintf("postgres/instances=%d/workers=%d", instances, workers), func(b *testing.B) {
				if pgURL == "" {
					b.Skip("VERIGATE_TEST_POSTGRES_URL is not set")
				}
				u := pgtest.Schema(b, pgURL, "verigate_drain")
				drain(b, backlog, workers, instances, true, func() (*sqlstore.Store, error) { return postgres.Open(context.Background(), u) }, u)
			})
		}
	}
}

// drain fills a fresh store with the backlog and times instances
// Dispatchers of workers workers each until the receiver has had every
// delivery.
func drain(b *testing.B, backlog, workers, instances int, pg bool, open func() (*sqlstore.Store, error), dsn string) {
	ctx := context.Background()
	var got atomic.Int64
	done := make(chan struct{})
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if got.Add(1) == int64(backlog) {
			close(done)
		}
	}))
	defer recv.Close()
	key, err := token.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	secrets, err := token.NewSealer(key, "stored-secrets")
	if err != nil {
		b.Fatal(err)
	}
	stores := make([]*sqlstore.Store, instances)
	for i := range stores {
		if stores[i], err = open(); err != nil {
			b.Fatal(err)
		}
		defer stores[i].Close()
	}
	driver := "sqlite"
	if pg {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := fillBacklog(ctx, stores[0], db, pg, secrets, recv.URL, backlog); err != nil {
		b.Fatal(err)
	}
	if err := stores[0].Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ResetTimer()
	start := time.Now()
	for _, st := range stores {
		d := &webhook.Dispatcher{Store: st, Secrets: secrets, Now: time.Now, Log: log}
		go d.Run(runCtx, workers)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Minute):
		b.Fatalf("drained %d of %d deliveries in 30 minutes", got.Load(), backlog)
	}
	// The last attempts are recorded a moment after the receiver saw them.
	for {
		n, err := stores[0].PendingDeliveries(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	b.ReportMetric(float64(backlog)/elapsed.Seconds(), "events/s")
	// Every delivery arrived once: a second attempt would have counted
	// past the backlog.
	if n := got.Load(); n != int64(backlog) {
		b.Errorf("receiver got %d deliveries, want %d", n, backlog)
	}
}

// fillBacklog stores one tenant subscribed to url with n pending, due
// deliveries (verification i/2 + 1's events, oldest first) and n delivered ones.
func fillBacklog(ctx context.Context, s *sqlstore.Store, db *sql.DB, pg bool, secrets *token.Sealer, url string, n int) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	p := store.Partner{ID: store.NewID(), Name: "Drain", CreatedAt: now}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "Drain client", CreatedAt: now}
	k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "key", Environment: store.Sandbox, SecretHash: []byte{1}, CreatedAt: now}
	if err := s.CreatePartner(ctx, p, c, k); err != nil {
		return err
	}
	secret, err := secrets.Seal("whsec_drain")
	if err != nil {
		return err
	}
	sub := store.Subscription{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, Name: "drain", URL: url,
		Events: []string{store.EventVerificationsUpdated}, Secret: secret, CreatedAt: now}
	if err := s.CreateSubscription(ctx, sub); err != nil {
		return err
	}
	data, _ := json.Marshal(map[string]any{"id": "x", "state": "pending", "code": "awaiting_connection"})
	ev := store.Event{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, Event: store.EventVerificationsUpdated,
		VerificationID: store.NewID(), Data: data, CreatedAt: now.Add(-time.Hour)}
	if err := s.CreateEvent(ctx, ev); err != nil {
		return err
	}
	if err := s.QueueDeliveries(ctx, ev, []string{sub.ID}); err != nil {
		return err
	}
	var delivery string
	if err := db.QueryRowContext(ctx, `SELECT id FROM webhook_deliveries WHERE event_id = $1`, ev.ID).Scan(&delivery); err != nil {
		return err
	}
	// The template delivery is delivered: the backlog is exactly n.
	if _, err := db.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'delivered' WHERE id = $1`, delivery); err != nil {
		return err
	}
	id := scaletest.UUID
	if err := scaletest.Copy(ctx, db, pg, "webhook_events", ev.ID, 2*n, map[string]string{
		"id": id("b0000001", "i"), "verification_id": id("b0000002", "i / 2")}); err != nil {
		return err
	}
	// Events 1..n were delivered already; n+1..2n are the backlog, due in order.
	return scaletest.Copy(ctx, db, pg, "webhook_deliveries", delivery, 2*n, map[string]string{
		"id": id("b0000003", "i"), "event_id": id("b0000001", "i"), "verification_id": id("b0000002", "i / 2"),
		"order_key": id("b0000002", "i / 2"), "state": fmt.Sprintf("CASE WHEN i <= %d THEN 'delivered' ELSE 'pending' END", n),
		"next_attempt_at": "t.next_attempt_at + i"})
}
