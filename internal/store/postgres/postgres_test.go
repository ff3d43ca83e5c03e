package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"verigate/internal/store"
	"verigate/internal/store/migrations"
	"verigate/internal/store/sqlstore"
	"verigate/internal/store/storetest"
)

// baseURL returns the test database URL or skips the test.
func baseURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("VERIGATE_TEST_POSTGRES_URL")
	if u == "" {
		t.Skip("VERIGATE_TEST_POSTGRES_URL is not set; skipping PostgreSQL tests (see .ci/run)")
	}
	return u
}

// admin opens a plain connection pool to the test database.
func admin(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", baseURL(t))
	if err != nil {
		t.Fatalf("open %s: %v", store.Describe(baseURL(t)), err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// withSearchPath adds a search_path runtime parameter to a postgres:// URL or
// a keyword/value connection string.
func withSearchPath(t *testing.T, conn, schema string) string {
	t.Helper()
	if !strings.Contains(conn, "://") {
		return conn + " search_path=" + schema
	}
	u, err := url.Parse(conn)
	if err != nil {
		t.Fatalf("parse VERIGATE_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// freshSchema creates an empty, uniquely named schema that is dropped when
// the test ends, and returns a URL whose connections use it.
func freshSchema(t *testing.T) (schemaURL string, db *sql.DB, schema string) {
	t.Helper()
	db = admin(t)
	b := make([]byte, 8)
	rand.Read(b)
	schema = "verigate_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is done by now.
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, baseURL(t), schema), db, schema
}

func openFresh(t *testing.T) *sqlstore.Store {
	t.Helper()
	u, _, _ := freshSchema(t)
	s, err := Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// Registered after the schema's cleanup, so it runs before the drop.
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	baseURL(t)
	storetest.Run(t, openFresh)
}

func TestWithSearchPath(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h:5432/db":                  "postgres://u@h:5432/db?search_path=s",
		"postgres://u@h/db?sslmode=disable":       "postgres://u@h/db?search_path=s&sslmode=disable",
		"postgresql://u:p%40ss@h/db?a=1&b=2":      "postgresql://u:p%40ss@h/db?a=1&b=2&search_path=s",
		"host=h user=u dbname=db sslmode=disable": "host=h user=u dbname=db sslmode=disable search_path=s",
	} {
		if got := withSearchPath(t, in, "s"); got != want {
			t.Errorf("withSearchPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSchemaIsolation checks that the store's tables live in the schema the
// URL names, not in the database's default schema.
func TestSchemaIsolation(t *testing.T) {
	u, db, schema := freshSchema(t)
	s, err := Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('partners', 'verifications', 'schema_migrations')`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("schema %s has %d of the 3 expected tables", schema, n)
	}
}

func countMigrations(t *testing.T, db *sql.DB, schema string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+schema+`.schema_migrations`).Scan(&n); err != nil {
		t.Fatalf("count schema_migrations: %v", err)
	}
	return n
}

// TestConcurrentOpen checks that stores opening the same fresh schema at once
// all succeed (the advisory lock serialises their migrations) and that each
// migration is applied once.
func TestConcurrentOpen(t *testing.T) {
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		u, db, schema := freshSchema(t)
		const n = 4
		stores := make([]*sqlstore.Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				stores[i], errs[i] = Open(t.Context(), u)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: concurrent Open %d: %v", round, i, err)
			}
			defer stores[i].Close()
		}
		if got := countMigrations(t, db, schema); got != len(all) {
			t.Fatalf("round %d: schema_migrations has %d rows, want %d", round, got, len(all))
		}
		// Migrating again is a no-op.
		if err := stores[0].Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
		s, err := Open(t.Context(), u)
		if err != nil {
			t.Fatalf("Open again: %v", err)
		}
		s.Close()
		if got := countMigrations(t, db, schema); got != len(all) {
			t.Fatalf("round %d: schema_migrations has %d rows after reopening, want %d", round, got, len(all))
		}
	}
}

// TestIDCollation checks that the database's default collation orders and
// compares canonical UUID strings as bytes, which keyset paging relies on.
func TestIDCollation(t *testing.T) {
	u, db, schema := freshSchema(t)
	s, err := Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var collation string
	if err := db.QueryRowContext(t.Context(), `SELECT datcollate FROM pg_database WHERE datname = current_database()`).Scan(&collation); err != nil {
		t.Fatal(err)
	}
	// Random v4 ids exercise every hex digit in every position; v7 ids are
	// what the store writes.
	var ids []string
	for i := range 3000 {
		if i%2 == 0 {
			ids = append(ids, uuid.NewString())
		} else {
			ids = append(ids, store.NewID())
		}
	}
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(t.Context(), `CREATE TABLE `+schema+`.ids (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(t.Context(), `INSERT INTO `+schema+`.ids SELECT unnest($1::text[])`, ids); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryContext(t.Context(), `SELECT id FROM `+schema+`.ids ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), ids...)
	sort.Strings(want)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("collation %s: ORDER BY id differs from byte order at %d: %s vs %s", collation, i, got[i], want[i])
		}
	}
	pivot := want[len(want)/2]
	var less int
	if err := tx.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+schema+`.ids WHERE id < $1`, pivot).Scan(&less); err != nil {
		t.Fatal(err)
	}
	if less != len(want)/2 {
		t.Fatalf("collation %s: id < pivot counts %d, want %d", collation, less, len(want)/2)
	}
	t.Logf("database collation %s orders ids as bytes", collation)
}

// TestMigrationChecksums: checksums are added to a schema from before them
// and an edited applied migration is refused, on PostgreSQL too.
func TestMigrationChecksums(t *testing.T) {
	u, db, schema := freshSchema(t)
	s, err := Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := db.ExecContext(t.Context(), `ALTER TABLE `+schema+`.schema_migrations DROP COLUMN checksum`); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(t.Context(), u); err != nil {
		t.Fatalf("Open a schema without checksums: %v", err)
	}
	s.Close()
	var empty int
	if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+schema+`.schema_migrations WHERE length(checksum) <> 64`).Scan(&empty); err != nil || empty != 0 {
		t.Fatalf("%d migrations without a checksum after the upgrade (%v)", empty, err)
	}
	if _, err := db.ExecContext(t.Context(), `UPDATE `+schema+`.schema_migrations SET checksum = 'edited' WHERE version = 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), u); !errors.Is(err, sqlstore.ErrMigrationChanged) {
		t.Fatalf("Open with an edited migration: %v, want ErrMigrationChanged", err)
	}
}

// TestPlans checks the hot queries' plans at storetest.PlanRows rows.
func TestPlans(t *testing.T) {
	t.Parallel()
	s, db := openWithDB(t)
	storetest.Plans(t, s, db, true)
}

// TestWithDatabase runs the tests that look at the database beside the store.
func TestWithDatabase(t *testing.T) {
	baseURL(t)
	storetest.RunWithDatabase(t, openWithDB)
}

// openWithDB opens a store in a fresh schema and a pool whose connections
// reach its tables unqualified.
func openWithDB(t *testing.T) (*sqlstore.Store, *sql.DB) {
	t.Helper()
	u, _, _ := freshSchema(t)
	s, err := Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return s, db
}

// TestRowReadsKeepTheContext: over a network a single-row read keeps the
// caller's cancellation, so that a hung connection cannot hold a request.
func TestRowReadsKeepTheContext(t *testing.T) {
	baseURL(t)
	s := openFresh(t)
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	sc := store.Scope{PartnerID: "p", Environment: store.Sandbox}
	if _, err := s.User(canceled, sc, "01a00000-0000-7000-8000-000000000000"); !errors.Is(err, context.Canceled) {
		t.Errorf("User with a cancelled context: %v, want context.Canceled", err)
	}
}
