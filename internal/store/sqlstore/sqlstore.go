// Package sqlstore implements store.Store over database/sql with the SQL that
// SQLite and PostgreSQL share; the sqlite and postgres packages configure it.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/migrations"
)

// Dialect is what differs between the databases behind a Store.
type Dialect struct {
	// Name identifies the database in errors.
	Name string
	// IsDuplicate reports whether err is a unique-constraint violation.
	IsDuplicate func(error) bool
	// LockMigrations serialises schema changes between processes, or is nil.
	LockMigrations func(ctx context.Context, tx *sql.Tx) error
	// ForUpdate ends a SELECT that locks the rows it reads until the
	// transaction ends (" FOR UPDATE"), or is "" where a write transaction
	// excludes every other writer anyway (SQLite).
	ForUpdate string
	// SkipLocked ends the sub-select that picks a row to claim so that
	// concurrent claims pass over rows locked by others (" FOR UPDATE SKIP
	// LOCKED"), or is "" where a write transaction excludes every other
	// writer anyway (SQLite).
	SkipLocked string
	// Optimize refreshes the planner's statistics where they are missing or
	// stale; it runs after migrations and now and then (see Optimize).
	Optimize func(ctx context.Context, db *sql.DB) error
	// Explain starts a statement that returns a query's plan instead of
	// running it ("EXPLAIN QUERY PLAN ", "EXPLAIN (FORMAT JSON) ").
	Explain string
	// DetachRowReads runs single-row reads outside a transaction without
	// the caller's cancellation and deadline. database/sql starts a
	// goroutine for every query whose context can be cancelled, to watch
	// it; for a read the database answers in microseconds from its own
	// process (SQLite), that goroutine costs more than the read may ever
	// save. A database over a network (PostgreSQL) keeps the caller's
	// context, so that a hung connection cannot hold a request forever.
	DetachRowReads bool
}

// Store is a store.Store backed by a reading and a writing connection pool.
type Store struct {
	read, write *sql.DB
	d           Dialect
	// pii encrypts personal data at rest, or is nil (see ProtectPersonalData).
	pii Cipher
	// trace, if set, is told of the reads and claims run (see TraceQueries).
	trace atomic.Pointer[func(q string, args []any)]
}

// errNoCipher means a sealed value was read by a store that cannot open it.
var errNoCipher = errors.New("sqlstore: personal data is encrypted and no key was given")

// querier is what both a pool and a transaction run statements with.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// tx returns the transaction ctx carries for this Store, or nil.
func (s *Store) tx(ctx context.Context) *sql.Tx {
	tx, _ := store.TxOf(ctx, s).(*sql.Tx)
	return tx
}

// fresh returns what reads the latest committed state (the writing pool),
// or the caller's transaction.
func (s *Store) fresh(ctx context.Context) querier {
	if tx := s.tx(ctx); tx != nil {
		return tx
	}
	return s.write
}

// reader returns the reading pool, or the caller's transaction.
func (s *Store) reader(ctx context.Context) querier {
	if tx := s.tx(ctx); tx != nil {
		return tx
	}
	return s.read
}

// query runs a read on the reading pool, or in the caller's transaction.
// Statements are not prepared here: both drivers keep the statements a
// connection runs prepared (the SQLite store's statement cache, pgx's).
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s.traced(q, args)
	if tx := s.tx(ctx); tx != nil {
		return tx.QueryContext(ctx, q, args...)
	}
	return s.read.QueryContext(ctx, q, args...)
}

// queryRow is query for a single row.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	s.traced(q, args)
	if tx := s.tx(ctx); tx != nil {
		return tx.QueryRowContext(ctx, q, args...)
	}
	if s.d.DetachRowReads {
		ctx = context.WithoutCancel(ctx)
	}
	return s.read.QueryRowContext(ctx, q, args...)
}

// TraceQueries calls fn with the text and arguments of every read the
// store's methods run through query and queryRow, and of every webhook
// claim, until it is called with nil. Plan tests use it to EXPLAIN the
// queries the methods really run.
func (s *Store) TraceQueries(fn func(q string, args []any)) {
	if fn == nil {
		s.trace.Store(nil)
		return
	}
	s.trace.Store(&fn)
}

func (s *Store) traced(q string, args []any) {
	if fn := s.trace.Load(); fn != nil {
		(*fn)(q, args)
	}
}

// Explain returns the database's plan for q run with args, without running
// it: the detail lines of EXPLAIN QUERY PLAN on SQLite, the JSON of EXPLAIN
// (FORMAT JSON) on PostgreSQL.
func (s *Store) Explain(ctx context.Context, q string, args ...any) (string, error) {
	rows, err := s.write.QueryContext(ctx, s.d.Explain+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for rows.Next() {
		var line string // the last column: SQLite's detail, PostgreSQL's JSON
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		vals[len(vals)-1] = &line
		if err := rows.Scan(vals...); err != nil {
			return "", err
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// New returns a Store; read and write may be the same pool.
func New(read, write *sql.DB, d Dialect) *Store {
	return &Store{read: read, write: write, d: d}
}

// Migrate applies every migration the database has not seen yet. Each
// applied migration's SHA-256 is recorded; an applied migration whose file
// has changed since is refused (ErrMigrationChanged), so a schema is never
// silently different from the files that describe it. Migrations applied
// before checksums were recorded get theirs on the first start that knows
// them.
func (s *Store) Migrate(ctx context.Context) error {
	all, err := migrations.All()
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.d.LockMigrations != nil {
		if err := s.d.LockMigrations(ctx, tx); err != nil {
			return fmt.Errorf("%s: lock migrations: %w", s.d.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL, checksum TEXT NOT NULL DEFAULT '')`); err != nil {
		return fmt.Errorf("%s: create schema_migrations: %w", s.d.Name, err)
	}
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return fmt.Errorf("%s: read schema_migrations: %w", s.d.Name, err)
	}
	for _, m := range all {
		sum := m.Checksum()
		if recorded, ok := applied[m.Version]; ok {
			switch recorded {
			case sum:
			case "":
				if _, err := tx.ExecContext(ctx, `UPDATE schema_migrations SET checksum = $1 WHERE version = $2`, sum, m.Version); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%s: %w: %s was applied with checksum %s, the file now has %s", s.d.Name, ErrMigrationChanged, m.Name, recorded, sum)
			}
			continue
		}
		for _, stmt := range m.Statements() {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s: migration %s: %w", s.d.Name, m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)`,
			m.Version, m.Name, time.Now().UnixMilli(), sum); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return s.Optimize(ctx)
}

// Optimize refreshes the planner's statistics where they are missing or
// stale (see docs/perf.md). Every hot query has an index matching its filter
// and order, so its plan does not depend on them; they keep other choices
// right. Migrate runs it; RunOptimize repeats it.
func (s *Store) Optimize(ctx context.Context) error {
	if s.d.Optimize == nil {
		return nil
	}
	if err := s.d.Optimize(ctx, s.write); err != nil {
		return fmt.Errorf("%s: optimize: %w", s.d.Name, err)
	}
	return nil
}

// RunOptimize calls Optimize every period until ctx ends, logging failures.
func (s *Store) RunOptimize(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Optimize(ctx); err != nil && ctx.Err() == nil {
				log.Warn("refresh planner statistics", "err", err)
			}
		}
	}
}

// ErrMigrationChanged means a migration applied to the database differs from its file now.
var ErrMigrationChanged = errors.New("an applied migration has changed")

// appliedMigrations returns the applied migrations' checksums by version,
// adding the checksum column to a schema_migrations table made before it.
func appliedMigrations(ctx context.Context, tx *sql.Tx) (map[int]string, error) {
	var hasChecksum bool
	if _, err := tx.ExecContext(ctx, `SAVEPOINT probe_checksum`); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT checksum FROM schema_migrations WHERE 1 = 0`); err == nil {
		hasChecksum = true
		if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT probe_checksum`); err != nil {
			return nil, err
		}
	} else if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT probe_checksum`); err != nil {
		return nil, err
	}
	if !hasChecksum {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE schema_migrations ADD COLUMN checksum TEXT NOT NULL DEFAULT ''`); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, err
		}
		out[v] = sum
	}
	return out, rows.Err()
}

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return err
	}
	return s.write.PingContext(ctx)
}

// Close closes both pools.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// LookupSecret returns the named secret, or store.ErrNotFound.
func (s *Store) LookupSecret(ctx context.Context, name string) ([]byte, error) {
	var enc string
	if err := s.fresh(ctx).QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&enc); err != nil {
		return nil, s.mapErr(err)
	}
	return base64.StdEncoding.DecodeString(enc)
}

// Secret returns the named secret, creating it on first use; concurrent
// first uses agree on one value.
func (s *Store) Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	var enc string
	err := s.fresh(ctx).QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&enc)
	if errors.Is(err, sql.ErrNoRows) {
		b, gerr := gen()
		if gerr != nil {
			return nil, gerr
		}
		if _, err := s.fresh(ctx).ExecContext(ctx, `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
			name, base64.StdEncoding.EncodeToString(b), time.Now().UnixMilli()); err != nil {
			return nil, err
		}
		err = s.fresh(ctx).QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&enc)
	}
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(enc)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func (s *Store) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case s.d.IsDuplicate != nil && s.d.IsDuplicate(err):
		return fmt.Errorf("%w: %v", store.ErrDuplicate, err)
	}
	return fmt.Errorf("%s: %w", s.d.Name, err)
}

// InTx runs fn in one write transaction, committed when fn returns nil and
// rolled back otherwise. The transaction travels in fn's context: every
// method of this Store called with that context joins it, and an InTx
// called with it runs fn inside the same transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.tx(ctx) != nil {
		return fn(ctx)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr(err)
	}
	defer tx.Rollback()
	if err := fn(store.WithTx(ctx, s, tx)); err != nil {
		return err
	}
	return s.mapErr(tx.Commit())
}

// inTx runs fn in the caller's transaction, or in a write transaction of
// its own that it commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if tx := s.tx(ctx); tx != nil {
		return s.mapErr(fn(tx))
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return s.mapErr(err)
	}
	return s.mapErr(tx.Commit())
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func parseList(s string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	if v == nil {
		v = []string{}
	}
	return v, nil
}

func expectOne(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return store.ErrConflict
	}
	return nil
}

func nullJSON(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func orEmpty(b json.RawMessage, empty string) string {
	if len(b) == 0 {
		return empty
	}
	return string(b)
}

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

type scanner interface{ Scan(dest ...any) error }

// scanFunc is a scanner made of a function, for scanning one row into
// several records.
type scanFunc func(dest ...any) error
