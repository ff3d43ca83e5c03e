package sqlite

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// BenchmarkStatisticsRefresh times a refresh of account_records'
// statistics on a copy of a large database (VERIGATE_BENCH_DB; the
// benchmark deletes that table's statistics and adds a table of its own),
// the way Optimize does it and with ANALYZE index by index, while a write
// is issued every 5 ms, and reports the slowest write:
//
//	VERIGATE_BENCH_DB=copy.db go test ./internal/store/sqlite -run '^$' -bench StatisticsRefresh -benchtime 1x
func BenchmarkStatisticsRefresh(b *testing.B) {
	path := os.Getenv("VERIGATE_BENCH_DB")
	if path == "" {
		b.Skip("set VERIGATE_BENCH_DB to a copy of a large database")
	}
	ctx := context.Background()
	s, read, write, err := open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS refresh_probe (v INTEGER)`); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		refresh func() error
	}{
		{"computed", func() error { return optimize(ctx, read, write) }},
		{"analyze", func() error { return analyze(ctx, write, "account_records") }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var slowest time.Duration
			for range b.N {
				if _, err := write.ExecContext(ctx, `DELETE FROM sqlite_stat1 WHERE tbl = 'account_records'`); err != nil {
					b.Fatal(err)
				}
				if _, err := write.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
					b.Fatal(err)
				}
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						case <-time.After(5 * time.Millisecond):
						}
						start := time.Now()
						if _, err := write.ExecContext(ctx, `INSERT INTO refresh_probe (v) VALUES (1)`); err != nil {
							b.Error(err)
							return
						}
						slowest = max(slowest, time.Since(start))
					}
				})
				err := c.refresh()
				close(stop)
				wg.Wait()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-write-ms")
		})
	}
}
