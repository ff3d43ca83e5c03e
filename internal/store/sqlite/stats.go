package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// querier is a pool or one of its connections.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// sampleRows is how many of an index's first entries the statistics are
// estimated from, as SQLite's ANALYZE does under analysis_limit(1000).
const sampleRows = 1000

// optimize refreshes the planner's statistics of the tables PRAGMA
// optimize finds without them or much changed since (0x10000: every table;
// a table is refreshed again once its row count has changed about
// 25-fold). SQLite's ANALYZE holds the write lock while it counts a
// table's index entries, which reads each index whole: seconds per index
// on a database of several GB, during which every write waits. So optimize
// asks PRAGMA optimize what it would analyze (0x00001: list, do nothing),
// computes each such table's statistics on a reading connection, which
// writers do not wait for (tableStats), writes them to sqlite_stat1 in a
// short transaction and has the writing connection load them; reading
// connections load them as the pool replaces them (readLifetime). Partial
// indexes, small by design, are left to ANALYZE, and so is a table whose
// statistics cannot be computed that way (an expression index, or no
// sqlite_stat1 yet), one index a statement, giving the writing connection
// back between them.
func optimize(ctx context.Context, read, write *sql.DB) error {
	tables, err := staleTables(ctx, write)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	// One reading connection computes them, and is closed after: it loaded
	// the statistics as they were when it opened, and left in the pool it
	// would plan with those until replaced (at startup, with none at all).
	conn, err := read.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // discards it
		conn.Close()
	}()
	wrote := false
	for _, table := range tables {
		stats, partial, err := tableStats(ctx, conn, table)
		if err != nil {
			return fmt.Errorf("sqlite: statistics of %s: %w", table, err)
		}
		if stats == nil {
			if err := analyze(ctx, write, table); err != nil {
				return err
			}
			continue
		}
		if err := writeStats(ctx, write, table, stats); err != nil {
			return fmt.Errorf("sqlite: write statistics of %s: %w", table, err)
		}
		wrote = true
		if err := analyzeEach(ctx, write, partial); err != nil {
			return err
		}
	}
	if wrote {
		// Loads sqlite_stat1 again on this connection.
		if _, err := write.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
			return fmt.Errorf("sqlite: load statistics: %w", err)
		}
	}
	return nil
}

// analyze runs ANALYZE on each of a table's indexes, or on the table when
// it has none, each statement taking the writing connection and giving it
// back so that writes waiting for it go between them.
func analyze(ctx context.Context, write *sql.DB, table string) error {
	targets, err := queryStrings(ctx, write, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = $1 ORDER BY name`, table)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		targets = []string{table}
	}
	return analyzeEach(ctx, write, targets)
}

// analyzeEach runs ANALYZE on each named table or index, a statement each.
func analyzeEach(ctx context.Context, write *sql.DB, names []string) error {
	for _, name := range names {
		if _, err := write.ExecContext(ctx, `ANALYZE "main".`+quoteIdent(name)); err != nil {
			return fmt.Errorf("sqlite: analyze %s: %w", name, err)
		}
	}
	return nil
}

// tableStats returns the sqlite_stat1 rows of a table by index name, in
// ANALYZE's format: the number of rows, then for each leading run of the
// index's columns the average number of rows sharing their values,
// estimated from the index's first sampleRows entries; and, under "", the
// table's row count when no index covers every row. Partial indexes, small
// by design, are returned apart, for ANALYZE. It reads through db only,
// and returns nil statistics when ANALYZE must do the whole table:
// sqlite_stat1 does not exist yet, or an index is on an expression.
func tableStats(ctx context.Context, db querier, table string) (stats map[string]string, partial []string, err error) {
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'`).Scan(&exists); err != nil || exists == 0 {
		return nil, nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT name, "partial" FROM pragma_index_list($1) ORDER BY name`, table)
	if err != nil {
		return nil, nil, err
	}
	var full []string
	for rows.Next() {
		var name string
		var isPartial bool
		if err := rows.Scan(&name, &isPartial); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if isPartial {
			partial = append(partial, name)
		} else {
			full = append(full, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "main".`+quoteIdent(table)).Scan(&n); err != nil {
		return nil, nil, err
	}
	stats = map[string]string{}
	if len(full) == 0 {
		stats[""] = strconv.FormatInt(n, 10)
	}
	for _, index := range full {
		names, err := queryNullStrings(ctx, db, `SELECT name FROM pragma_index_info($1) ORDER BY seqno`, index)
		if err != nil {
			return nil, nil, err
		}
		cols := make([]string, len(names))
		for i, c := range names {
			if !c.Valid {
				return nil, nil, nil // a column of the index is an expression
			}
			cols[i] = c.String
		}
		avg, err := sampleAverages(ctx, db, table, index, cols)
		if err != nil {
			return nil, nil, err
		}
		stat := strconv.FormatInt(n, 10)
		for _, a := range avg {
			stat += " " + strconv.FormatInt(a, 10)
		}
		stats[index] = stat
	}
	return stats, partial, nil
}

// sampleAverages reads an index's first sampleRows entries in its order
// and returns, for each leading run of cols, the average number of
// entries sharing its values, rounded up.
func sampleAverages(ctx context.Context, db querier, table, index string, cols []string) ([]int64, error) {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM "main".%s INDEXED BY %s LIMIT %d`,
		strings.Join(quoted, ", "), quoteIdent(table), quoteIdent(index), sampleRows))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	distinct := make([]int64, len(cols))
	var prev []any
	sampled := int64(0)
	for rows.Next() {
		cur := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cur {
			ptrs[i] = &cur[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		// The first column that differs from the previous entry starts a
		// new group for its run and every longer one.
		from := 0
		if prev != nil {
			for from < len(cols) && sameValue(prev[from], cur[from]) {
				from++
			}
		}
		for i := from; i < len(cols); i++ {
			distinct[i]++
		}
		prev = cur
		sampled++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	avg := make([]int64, len(cols))
	for i := range avg {
		avg[i] = 1
		if distinct[i] > 0 {
			avg[i] = (sampled + distinct[i] - 1) / distinct[i]
		}
	}
	return avg, nil
}

// sameValue reports whether two values scanned from SQLite are equal.
func sameValue(a, b any) bool {
	if x, ok := a.([]byte); ok {
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	}
	return a == b
}

// writeStats replaces a table's rows of sqlite_stat1 named in stats, in
// one transaction.
func writeStats(ctx context.Context, write *sql.DB, table string, stats map[string]string) error {
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for idx, stat := range stats {
		var name any = idx
		if idx == "" {
			name = nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sqlite_stat1 WHERE tbl = $1 AND COALESCE(idx, '') = $2`, table, idx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ($1, $2, $3)`, table, name, stat); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// staleTables returns the tables PRAGMA optimize would analyze: it lists
// each as a statement `ANALYZE "main"."<table>"`.
func staleTables(ctx context.Context, db *sql.DB) ([]string, error) {
	lines, err := queryStrings(ctx, db, `PRAGMA optimize = 0x10003`)
	var tables []string
	for _, line := range lines {
		if t, ok := strings.CutPrefix(line, `ANALYZE "main".`); ok && len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
			tables = append(tables, strings.ReplaceAll(t[1:len(t)-1], `""`, `"`))
		}
	}
	return tables, err
}

// queryStrings returns the one text column of q's rows.
func queryStrings(ctx context.Context, db querier, q string, args ...any) ([]string, error) {
	values, err := queryNullStrings(ctx, db, q, args...)
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = v.String
	}
	return out, err
}

// queryNullStrings returns the one text column of q's rows, NULL included.
func queryNullStrings(ctx context.Context, db querier, q string, args ...any) ([]sql.NullString, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sql.NullString
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
