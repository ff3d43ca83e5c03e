package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOptimizeWritesStatistics: the statistics refresh writes the
// statistics of the tables PRAGMA optimize finds stale, computed on a
// reading connection from a count and a sample of each index (a table
// without an index: its count), leaves a table with a partial index to
// ANALYZE, and afterwards PRAGMA optimize finds none of them stale.
func TestOptimizeWritesStatistics(t *testing.T) {
	ctx := context.Background()
	s, read, write, err := open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`CREATE TABLE "odd ""name" (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL)`,
		`CREATE INDEX "odd_a" ON "odd ""name" (a)`,
		`CREATE INDEX odd_b ON "odd ""name" (b, a)`,
		`CREATE TABLE plain (v TEXT NOT NULL)`,
		`CREATE TABLE part (id INTEGER PRIMARY KEY, state TEXT NOT NULL)`,
		`CREATE INDEX part_pending ON part (id) WHERE state = 'pending'`,
	} {
		if _, err := write.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	for i := range 2000 {
		for q, args := range map[string][]any{
			`INSERT INTO "odd ""name" (a, b) VALUES ($1, $2)`: {fmt.Sprint(i % 7), fmt.Sprint(i)},
			`INSERT INTO plain (v) VALUES ($1)`:               {fmt.Sprint(i)},
			`INSERT INTO part (state) VALUES ($1)`:            {[]string{"pending", "done"}[i%2]},
		} {
			if _, err := write.ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
	}
	stale := func() []string {
		tables, err := staleTables(ctx, write)
		if err != nil {
			t.Fatal(err)
		}
		return tables
	}
	if got := stale(); !slices.Contains(got, `odd "name`) || !slices.Contains(got, "plain") || !slices.Contains(got, "part") {
		t.Fatalf("stale tables before: %q", got)
	}
	if err := optimize(ctx, read, write); err != nil {
		t.Fatal(err)
	}
	stats := map[string]string{}
	rows, err := write.QueryContext(ctx, `SELECT tbl, COALESCE(idx, ''), stat FROM sqlite_stat1 WHERE tbl IN ('odd "name', 'plain', 'part')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tbl, idx, stat string
		rows.Scan(&tbl, &idx, &stat)
		stats[tbl+"/"+idx] = stat
	}
	rows.Close()
	// a: the first 1,000 entries hold the values 0 to 3, 250 rows each on
	// average; b is unique.
	want := map[string]string{`odd "name/odd_a`: "2000 250", `odd "name/odd_b`: "2000 1 1", "plain/": "2000"}
	for k, v := range want {
		if stats[k] != v {
			t.Errorf("statistics of %s: %q, want %q", k, stats[k], v)
		}
	}
	if stats["part/part_pending"] == "" || stats["part/"] != "2000" {
		t.Errorf("statistics of a table with a partial index only: %q", stats)
	}
	if got := stale(); slices.Contains(got, `odd "name`) || slices.Contains(got, "plain") || slices.Contains(got, "part") {
		t.Errorf("still stale after optimize: %q", got)
	}

	// Computing them takes no lock that writes wait for: it completes
	// while a write transaction is open.
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO plain (v) VALUES ('held')`); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	got, _, err := tableStats(short, read, `odd "name`)
	if err != nil || got["odd_a"] != want[`odd "name/odd_a`] {
		t.Fatalf("statistics computed while a write is open: %q, %v", got, err)
	}
}

// probe is a store with a table of two indexed columns, a and b, and
// which of the two indexes the planner picks for a query on both.
type probe struct {
	t           *testing.T
	read, write *sql.DB
}

// newProbe opens a store whose table probe holds 2,000 rows in which a
// takes two values and b is unique, analyzed: b's index is the better one.
func newProbe(t *testing.T) probe {
	s, read, write, err := open(t.Context(), filepath.Join(t.TempDir(), "probe.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := probe{t, read, write}
	p.exec(`CREATE TABLE probe (a INTEGER, b INTEGER)`, `CREATE INDEX probe_a ON probe (a)`, `CREATE INDEX probe_b ON probe (b)`,
		`INSERT INTO probe WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000) SELECT i % 2, i FROM s`,
		`ANALYZE probe`)
	if plan := p.plan(); !strings.Contains(plan, "probe_b") {
		t.Fatalf("plan with the first statistics: %s", plan)
	}
	return p
}

// exec runs statements on the writing connection.
func (p probe) exec(qs ...string) {
	p.t.Helper()
	for _, q := range qs {
		if _, err := p.write.ExecContext(p.t.Context(), q); err != nil {
			p.t.Fatalf("%s: %v", q, err)
		}
	}
}

// plan is a reading connection's plan of a query on a and b.
func (p probe) plan() string {
	p.t.Helper()
	var id, parent, unused int
	var detail string
	if err := p.read.QueryRowContext(p.t.Context(), `EXPLAIN QUERY PLAN SELECT * FROM probe WHERE a = 1 AND b = 5`).Scan(&id, &parent, &unused, &detail); err != nil {
		p.t.Fatal(err)
	}
	return detail
}

// TestReadersLoadRefreshedStatistics: statistics written by the writing
// connection, as Optimize writes them, reach the reading connections once
// readLifetime has passed.
func TestReadersLoadRefreshedStatistics(t *testing.T) {
	was := readLifetime
	readLifetime = 200 * time.Millisecond
	t.Cleanup(func() { readLifetime = was })
	p := newProbe(t)
	// New statistics that make a's index the better one, written and
	// loaded on the writing connection only.
	p.exec(`UPDATE sqlite_stat1 SET stat = '2000 1' WHERE idx = 'probe_a'`,
		`UPDATE sqlite_stat1 SET stat = '2000 1000' WHERE idx = 'probe_b'`, `ANALYZE sqlite_schema`)
	t.Logf("a reading connection right after: %s", p.plan())
	time.Sleep(2 * readLifetime)
	if plan := p.plan(); !strings.Contains(plan, "probe_a") {
		t.Fatalf("a reading connection %s after new statistics still plans %s", 2*readLifetime, plan)
	}
}

// TestOptimizeLeavesNoStaleReader: the reading connection that computes
// the statistics, which loaded the old ones when it opened, does not go
// back to the pool; the next read plans with the new statistics.
func TestOptimizeLeavesNoStaleReader(t *testing.T) {
	p := newProbe(t)
	// 30 times as many rows, a unique and b taking two values.
	p.exec(`DELETE FROM probe`,
		`INSERT INTO probe WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 60000) SELECT i, i % 2 FROM s`)
	if err := optimize(t.Context(), p.read, p.write); err != nil {
		t.Fatal(err)
	}
	if plan := p.plan(); !strings.Contains(plan, "probe_a") {
		t.Fatalf("a read right after optimize plans %s", plan)
	}
}
