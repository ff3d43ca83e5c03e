// Package scaletest grows a verigate database to a given size in a few
// statements, for query-plan tests and benchmarks at scale.
//
// Each table is grown from one template row written through the store:
// Copy inserts n copies of it in one INSERT ... SELECT over a series of
// numbers i = 1..n (a recursive CTE on SQLite, generate_series on
// PostgreSQL), with SQL expressions over i for the columns that differ.
package scaletest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Copy inserts n copies of table's row whose id is from, in one statement.
// set maps column names to SQL expressions over the series variable i
// (1..n), such as UUID("7", "i"); every other column copies the template.
func Copy(ctx context.Context, db *sql.DB, postgres bool, table, from string, n int, set map[string]string) error {
	rows, err := db.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return err
	}
	cols, err := rows.Columns()
	rows.Close()
	if err != nil {
		return err
	}
	exprs, used := make([]string, len(cols)), 0
	for i, c := range cols {
		exprs[i] = "t." + c
		if e, ok := set[c]; ok {
			exprs[i] = e
			used++
		}
	}
	if used != len(set) {
		return fmt.Errorf("scaletest: %s lacks a column of %v", table, set)
	}
	series := fmt.Sprintf(`(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) SELECT i FROM s) AS s`, n)
	if postgres {
		series = fmt.Sprintf(`generate_series(1, %d) AS s(i)`, n)
	}
	q := fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s t CROSS JOIN %s WHERE t.id = $1`,
		table, strings.Join(cols, ", "), strings.Join(exprs, ", "), table, series)
	_, err = db.ExecContext(ctx, q, from)
	return err
}

// UUID is an SQL expression for a UUID-shaped id made from the integer
// expression n (0 ≤ n < 9·10¹¹): its first group is group (8 hex digits,
// so that ids of different tables never collide), its last 10¹¹ + n.
func UUID(group, n string) string {
	return fmt.Sprintf(`'%s-0000-7000-8000-' || CAST(100000000000 + (%s) AS TEXT)`, group, n)
}
