// Package postgres opens verigate's PostgreSQL store through pgx.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"verigate/internal/store/sqlstore"
)

// migrationLock is the advisory lock key that serialises migrations between processes.
const migrationLock = 7_265_412_001

// Open connects to the database at url (a postgres:// URL; a search_path
// parameter selects a schema) and applies migrations.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	s := sqlstore.New(db, db, sqlstore.Dialect{
		Name:        "postgres",
		IsDuplicate: isDuplicate,
		ForUpdate:   " FOR UPDATE",
		SkipLocked:  " FOR UPDATE SKIP LOCKED",
		Optimize:    analyze,
		Explain:     "EXPLAIN (FORMAT JSON) ",
		LockMigrations: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock))
			return err
		},
	})
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func isDuplicate(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// staleTables names the tables of the current schema that hold data and
// were never analyzed, have grown by more than a tenth since (by their size
// on disk, which needs no statistics collector), or had more than a tenth
// of their rows changed. Empty tables are left alone: there is nothing to
// learn from them, and a new database has only those.
const staleTables = `SELECT quote_ident(c.relname) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE n.nspname = current_schema() AND c.relkind = 'r' AND pg_relation_size(c.oid) > 0
AND (c.reltuples < 0
     OR pg_relation_size(c.oid) / current_setting('block_size')::bigint > c.relpages * 1.1 + 8
     OR COALESCE(s.n_mod_since_analyze, 0) > 50 + c.reltuples / 10)
ORDER BY c.relname`

// analyze runs ANALYZE on the schema's tables whose statistics are missing
// or stale; autovacuum does the same on its own schedule, which a fresh
// load or a new index may not wait for.
func analyze(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, staleTables)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(tables) == 0 {
		return err
	}
	_, err = db.ExecContext(ctx, `ANALYZE `+strings.Join(tables, ", "))
	return err
}
