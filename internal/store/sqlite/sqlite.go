// Package sqlite opens verigate's embedded SQLite store (modernc.org/sqlite, WAL, foreign keys on).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"verigate/internal/store/sqlstore"
)

// cacheKiB is the page cache of each connection, in KiB. A reading
// connection's cache is emptied whenever it starts a read after another
// connection wrote, which under steady writes is nearly every read, so a
// large one buys little; and every page of it costs 8 KiB of memory outside
// the Go heap (docs/perf.md, "Memory over a 10-minute soak"). SQLite's
// default is 2000 KiB.
const cacheKiB = 512

// readConns is the most connections the reading pool opens. Reads are short:
// under the soak in docs/perf.md four are seldom all busy, and each more
// holds its own schema, statements and cache.
const readConns = 4

// walPages is how many pages the write-ahead log takes before the writing
// connection copies it into the database (wal_autocheckpoint; SQLite's
// default is 1,000). Copied less often, a page written by several commits
// in between (an index's, the tail of a table) is copied once: with 4,000,
// aggregation stored 7 % more accounts a second (docs/perf.md). The log
// then grows to about 16 MB before it is reused.
const walPages = 4000

// readLifetime is how long a reading connection serves before the pool
// replaces it. SQLite loads the planner's statistics when a connection
// opens (or its schema changes), not when another connection writes new
// ones: the statistics Optimize refreshes on the writing connection reach
// the reading ones only as they are replaced, within this time of it.
var readLifetime = 10 * time.Minute

// Open opens (creating if needed) the SQLite database file at path and applies migrations.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	s, _, _, err := open(ctx, path)
	return s, err
}

// open is Open that also returns the reading and writing pools, for tests.
func open(ctx context.Context, path string) (s *sqlstore.Store, read, write *sql.DB, err error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, nil, nil, fmt.Errorf("sqlite: create directory: %w", err)
		}
	}
	// The file holds secrets and personal data: create it readable by its
	// owner only (SQLite gives its -wal and -shm files the same mode).
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sqlite: create database file: %w", err)
	}
	f.Close()
	// WAL is not set here but once, by enableWAL: it is a property of the
	// file, and switching a new file to it can fail at connect time.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=analysis_limit(1000)" +
		fmt.Sprintf("&_pragma=cache_size(-%d)", cacheKiB)
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	write = sql.OpenDB(connector{dsn: base + fmt.Sprintf("&_txlock=immediate&_pragma=wal_autocheckpoint(%d)", walPages)})
	// One writer avoids SQLITE_BUSY between our own connections; WAL lets
	// readers proceed beside it.
	write.SetMaxOpenConns(1)
	if err := enableWAL(ctx, write); err != nil {
		write.Close()
		return nil, nil, nil, err
	}
	read = sql.OpenDB(connector{dsn: base})
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	read.SetConnMaxLifetime(readLifetime)
	s = sqlstore.New(read, write, sqlstore.Dialect{Name: "sqlite", IsDuplicate: isDuplicate,
		Optimize: func(ctx context.Context, write *sql.DB) error { return optimize(ctx, read, write) },
		Explain:  "EXPLAIN QUERY PLAN ", DetachRowReads: true})
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, nil, nil, err
	}
	return s, read, write, nil
}

func isDuplicate(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// enableWAL switches the database file to write-ahead logging, which then
// persists in the file. Switching a new file needs an exclusive lock, and
// SQLite reports SQLITE_BUSY at once, without waiting busy_timeout, when
// another connection holds a shared lock on it (another process opening the
// same new file), so this retries for as long as busy_timeout would wait.
func enableWAL(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var mode string
		err := db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		switch {
		case err == nil && mode == "wal":
			return nil
		case err == nil:
			return fmt.Errorf("sqlite: journal mode is %q, want wal", mode)
		case !isBusy(err) || time.Now().After(deadline):
			return fmt.Errorf("sqlite: enable WAL: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
