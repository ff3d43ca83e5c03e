package api_test

import (
	"testing"

	"verigate/internal/store"
)

// BenchmarkAggregation is the aggregation worker as verigate wires it
// (records stored in stages, data sync webhooks, the voie report and the
// verification's completion), on SQLite: each iteration aggregates one
// sandbox payroll connection of Joe (test_3: weekly paystubs for three
// years, and a second, ended job on odd items). The connections are made
// through the connection flow before the timer starts; accounts/s is the
// figure docs/perf.md compares:
//
//	go test -run '^$' -bench Aggregation -benchtime 40x ./internal/api/
func BenchmarkAggregation(b *testing.B) {
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
	if n := e.aggregateAll(b); n < b.N {
		b.Fatalf("aggregated %d of %d accounts", n, b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	if got := e.countRows(b, "account_records"); got < b.N*150 {
		b.Fatalf("%d records for %d accounts", got, b.N)
	}
	var done int
	e.db(b).QueryRow(`SELECT COUNT(*) FROM accounts WHERE aggregation = $1`, store.AggregationDone).Scan(&done)
	if done != b.N {
		b.Fatalf("%d of %d accounts aggregated", done, b.N)
	}
}
