// Package postgres opens verigate's PostgreSQL store through pgx.
package postgres

import (
	"context"
	"database/sql"
	"errors"

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
