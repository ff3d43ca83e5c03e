package api_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"verigate/internal/store"
)

// BenchmarkAggregation is the aggregation worker as verigate wires it
// (records stored in stages, data sync webhooks, the voie report and the
// verification's completion), on SQLite, with 1, 2 and 4 concurrent
// workers: each iteration aggregates one sandbox payroll connection of Joe
// (test_3: weekly paystubs for three years, and a second, ended job on
// odd items). The connections are made through the connection flow before
// the timer starts; accounts/s is the figure docs/perf.md compares, and
// cpu-ms/account the CPU time the process spent per account meanwhile
// (less sensitive than wall time to other jobs on a shared machine):
//
//	go test -run '^$' -bench Aggregation -benchtime 40x ./internal/api/
func BenchmarkAggregation(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			e := newEnv(b)
			e.ok(b, e.A, "POST", "/v2/webhooks", map[string]any{"name": "all", "url": "https://partner.example/hooks",
				"events": []string{"accounts.connected", "paystubs.partially_synced", "paystubs.fully_synced", "users.fully_synced"},
				"config": map[string]any{"days_synced": 30}})
			b.StopTimer()
			for range b.N {
				user := e.createUser(b, e.A, nil)
				e.connectSandboxAs(b, e.A, e.orderID(b, e.A, user, "voie"), "item_000000001", "test_3", "8083")
			}
			b.StartTimer()
			cpu := processCPU()
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for {
						did, err := e.app.Aggregator.RunOnce(context.Background())
						if err != nil {
							b.Error(err)
							return
						}
						if !did {
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			cpu = processCPU() - cpu
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/account")
			}
			var done, records int
			e.db(b).QueryRow(`SELECT COUNT(*) FROM accounts WHERE aggregation = $1`, store.AggregationDone).Scan(&done)
			e.db(b).QueryRow(`SELECT COUNT(*) FROM account_records`).Scan(&records)
			if done != b.N || records < b.N*150 {
				b.Fatalf("%d of %d accounts aggregated, %d records", done, b.N, records)
			}
		})
	}
}
