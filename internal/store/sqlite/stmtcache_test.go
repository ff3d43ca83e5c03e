package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// cacheConn opens one connection through the caching connector and
// returns it with a function that inspects its statement cache.
func cacheConn(t *testing.T) (*sql.Conn, func(func(*cachingConn))) {
	t.Helper()
	db := sql.OpenDB(connector{dsn: "file:" + filepath.Join(t.TempDir(), "c.db")})
	t.Cleanup(func() { db.Close() })
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	inspect := func(fn func(*cachingConn)) {
		if err := c.Raw(func(dc any) error { fn(dc.(*cachingConn)); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return c, inspect
}

func mustExec(t *testing.T, c *sql.Conn, q string, args ...any) {
	t.Helper()
	if _, err := c.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestStatementCacheReusesStatements(t *testing.T) {
	c, inspect := cacheConn(t)
	ctx := context.Background()
	mustExec(t, c, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
	const insert = `INSERT INTO t (id, v) VALUES ($1, $2)`
	var first *cachedStmt
	for i := range 5 {
		mustExec(t, c, insert, i, fmt.Sprint("v", i))
		inspect(func(cc *cachingConn) {
			s, ok := cc.stmts.Peek(insert)
			if !ok {
				t.Fatal("the insert is not cached")
			}
			if first == nil {
				first = s
			} else if s != first {
				t.Fatalf("run %d prepared the insert again", i)
			}
		})
	}
	var n int
	var last string
	if err := c.QueryRowContext(ctx, `SELECT COUNT(*), MAX(v) FROM t`).Scan(&n, &last); err != nil || n != 5 || last != "v4" {
		t.Fatalf("rows: %d %q %v", n, last, err)
	}
	// A failing run (a duplicate key) drops the statement; the next run
	// prepares it again and works.
	if _, err := c.ExecContext(ctx, insert, 1, "dup"); err == nil {
		t.Fatal("duplicate id inserted")
	}
	inspect(func(cc *cachingConn) {
		if _, ok := cc.stmts.Peek(insert); ok {
			t.Error("a failed statement stays cached")
		}
	})
	mustExec(t, c, insert, 9, "v9")
	// A cached statement follows a schema change: SQLite prepares it again.
	const all = `SELECT * FROM t WHERE id = $1`
	if cols := columns(t, c, all, 9); len(cols) != 2 {
		t.Fatalf("columns before: %v", cols)
	}
	mustExec(t, c, `ALTER TABLE t ADD COLUMN w TEXT NOT NULL DEFAULT 'x'`)
	if cols := columns(t, c, all, 9); len(cols) != 3 || cols[2] != "w" {
		t.Fatalf("columns after ALTER TABLE: %v", cols)
	}
}

func columns(t *testing.T, c *sql.Conn, q string, args ...any) []string {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

// TestStatementCacheNestedAndEvictedRows: a query run again while its
// rows are open runs on a statement of its own, and a statement evicted
// while its rows are open keeps serving them until they close.
func TestStatementCacheNestedAndEvictedRows(t *testing.T) {
	c, inspect := cacheConn(t)
	ctx := context.Background()
	mustExec(t, c, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	for i := range 3 {
		mustExec(t, c, `INSERT INTO t (id) VALUES ($1)`, i)
	}
	const q = `SELECT id FROM t ORDER BY id`
	outer, err := c.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for outer.Next() {
		var id int
		outer.Scan(&id)
		// The same text again, nested: its own statement, its own rows.
		inner, err := c.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for inner.Next() {
			n++
		}
		inner.Close()
		if n != 3 {
			t.Fatalf("nested query read %d rows", n)
		}
		got = append(got, id)
		if id == 0 {
			// Push the outer query's statement out of the cache.
			for i := range cachedStmts + 1 {
				var one int
				if err := c.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&one); err != nil {
					t.Fatal(err)
				}
			}
			inspect(func(cc *cachingConn) {
				if _, ok := cc.stmts.Peek(q); ok {
					t.Fatal("the outer query's statement is still cached")
				}
			})
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("outer rows %v", got)
	}
	inspect(func(cc *cachingConn) {
		if cc.stmts.Len() != cachedStmts {
			t.Errorf("%d statements cached, want %d", cc.stmts.Len(), cachedStmts)
		}
	})
	// The query runs (and is cached) again.
	if cols := columns(t, c, q); len(cols) != 1 {
		t.Fatal(cols)
	}
}
