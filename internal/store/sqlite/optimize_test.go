package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOptimizeAnalyzesIndexByIndex: the statistics refresh analyzes the
// indexes of a table PRAGMA optimize finds stale, and a table without an
// index whole, on a sample; afterwards PRAGMA optimize finds neither stale.
func TestOptimizeAnalyzesIndexByIndex(t *testing.T) {
	ctx := context.Background()
	s, _, write, err := open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`CREATE TABLE "odd ""name" (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL)`,
		`CREATE INDEX "odd_a" ON "odd ""name" (a)`,
		`CREATE INDEX odd_b ON "odd ""name" (b, a)`,
		`CREATE TABLE plain (v TEXT NOT NULL)`,
	} {
		if _, err := write.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	for i := range 2000 {
		if _, err := write.ExecContext(ctx, `INSERT INTO "odd ""name" (a, b) VALUES ($1, $2)`, fmt.Sprint(i%7), fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := write.ExecContext(ctx, `INSERT INTO plain (v) VALUES ($1)`, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	stale := func() []string {
		tables, err := staleTables(ctx, write)
		if err != nil {
			t.Fatal(err)
		}
		return tables
	}
	var limit int
	if err := write.QueryRowContext(ctx, `PRAGMA analysis_limit`).Scan(&limit); err != nil || limit != 1000 {
		t.Fatalf("analysis_limit on the writing connection: %d, %v", limit, err)
	}
	if got := stale(); !slices.Contains(got, `odd "name`) || !slices.Contains(got, "plain") {
		t.Fatalf("stale tables before: %q", got)
	}
	if err := optimize(ctx, write); err != nil {
		t.Fatal(err)
	}
	stats := map[string]string{}
	rows, err := write.QueryContext(ctx, `SELECT tbl, COALESCE(idx, ''), stat FROM sqlite_stat1 WHERE tbl IN ('odd "name', 'plain')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tbl, idx, stat string
		rows.Scan(&tbl, &idx, &stat)
		stats[tbl+"/"+idx] = stat
	}
	rows.Close()
	if stats[`odd "name/odd_a`] == "" || stats[`odd "name/odd_b`] == "" || stats["plain/"] == "" || len(stats) != 3 {
		t.Errorf("statistics after optimize: %q", stats)
	}
	if got := stale(); slices.Contains(got, `odd "name`) || slices.Contains(got, "plain") {
		t.Errorf("still stale after optimize: %q", got)
	}
}

// TestReadersLoadRefreshedStatistics: statistics written by the writing
// connection, as Optimize writes them, reach the reading connections once
// readLifetime has passed.
func TestReadersLoadRefreshedStatistics(t *testing.T) {
	was := readLifetime
	readLifetime = 200 * time.Millisecond
	t.Cleanup(func() { readLifetime = was })
	ctx := t.Context()
	s, read, write, err := open(ctx, filepath.Join(t.TempDir(), "stats.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// a takes two values, b is unique: with statistics the planner picks b's index.
	for _, q := range []string{`CREATE TABLE probe (a INTEGER, b INTEGER)`, `CREATE INDEX probe_a ON probe (a)`, `CREATE INDEX probe_b ON probe (b)`,
		`INSERT INTO probe WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000) SELECT i % 2, i FROM s`,
		`ANALYZE probe`} {
		if _, err := write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	plan := func() string {
		t.Helper()
		var id, parent, unused int
		var detail string
		if err := read.QueryRowContext(ctx, `EXPLAIN QUERY PLAN SELECT * FROM probe WHERE a = 1 AND b = 5`).Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		return detail
	}
	if p := plan(); !strings.Contains(p, "probe_b") {
		t.Fatalf("plan with the first statistics: %s", p)
	}
	// New statistics that make a's index the better one, written and
	// loaded on the writing connection only.
	for _, q := range []string{`UPDATE sqlite_stat1 SET stat = '2000 1' WHERE idx = 'probe_a'`,
		`UPDATE sqlite_stat1 SET stat = '2000 1000' WHERE idx = 'probe_b'`, `ANALYZE sqlite_schema`} {
		if _, err := write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Logf("a reading connection right after: %s", plan())
	time.Sleep(2 * readLifetime)
	if p := plan(); !strings.Contains(p, "probe_a") {
		t.Fatalf("a reading connection %s after new statistics still plans %s", 2*readLifetime, p)
	}
}
