package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/migrations"
	"verigate/internal/store/sqlstore"
	"verigate/internal/store/storetest"
)

func openTemp(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "verigate.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, openTemp)
}

func countMigrations(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatalf("count schema_migrations: %v", err)
	}
	return n
}

func wantMigrations(t *testing.T) int {
	t.Helper()
	all, err := migrations.All()
	if err != nil || len(all) == 0 {
		t.Fatalf("migrations.All() = %d, %v", len(all), err)
	}
	return len(all)
}

// TestReopen checks that data survives Close and Open of the same file, and
// that the file is created at the path given even when it has characters
// that are special in URLs.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a dir #1", "verigate %20?x=1.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	p := store.Partner{ID: store.NewID(), Name: "Acme", CreatedAt: time.UnixMilli(1_700_000_000_123).UTC()}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "Acme client", CreatedAt: p.CreatedAt}
	k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "key", Environment: store.Sandbox, SecretHash: []byte{1, 2, 3}, CreatedAt: p.CreatedAt}
	if err := s.CreatePartner(ctx, p, c, k); err != nil {
		t.Fatalf("CreatePartner: %v", err)
	}
	secret, err := s.Secret(ctx, "seal", func() ([]byte, error) { return []byte("first"), nil })
	if err != nil {
		t.Fatalf("Secret: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not at the path given: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if n, err := s.CountPartners(ctx); err != nil || n != 1 {
		t.Fatalf("CountPartners after reopen = %d, %v; want 1", n, err)
	}
	got, err := s.APIKey(ctx, k.ID)
	if err != nil {
		t.Fatalf("APIKey after reopen: %v", err)
	}
	if got.PartnerID != p.ID || got.ClientID != c.ID || !got.CreatedAt.Equal(k.CreatedAt) || string(got.SecretHash) != string(k.SecretHash) {
		t.Fatalf("APIKey after reopen = %+v, want %+v", got, k)
	}
	again, err := s.Secret(ctx, "seal", func() ([]byte, error) { return []byte("second"), nil })
	if err != nil || string(again) != string(secret) {
		t.Fatalf("Secret after reopen = %q, %v; want %q", again, err, secret)
	}
}

// TestMigrateTwice checks that applying migrations again is a no-op.
func TestMigrateTwice(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "verigate.db")
	s, _, write, err := open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	want := wantMigrations(t)
	if n := countMigrations(t, write); n != want {
		t.Fatalf("schema_migrations has %d rows, want %d", n, want)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if n := countMigrations(t, write); n != want {
		t.Fatalf("schema_migrations has %d rows after second Migrate, want %d", n, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, _, write, err = open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if n := countMigrations(t, write); n != want {
		t.Fatalf("schema_migrations has %d rows after reopen, want %d", n, want)
	}
}

// TestConcurrentOpen checks that stores opening a fresh file at once (say a
// server and a command-line tool) all succeed and migrate it once.
func TestConcurrentOpen(t *testing.T) {
	ctx := t.Context()
	want := wantMigrations(t)
	for round := range 10 {
		path := filepath.Join(t.TempDir(), "verigate.db")
		const n = 4
		var wg sync.WaitGroup
		stores := make([]*sqlstore.Store, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				stores[i], errs[i] = Open(ctx, path)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: Open %d: %v", round, i, err)
			}
			defer stores[i].Close()
		}
		// Every store can write and read.
		for i, s := range stores {
			if _, err := s.Secret(ctx, fmt.Sprint("s", i), func() ([]byte, error) { return []byte("v"), nil }); err != nil {
				t.Fatalf("round %d: store %d: Secret: %v", round, i, err)
			}
		}
		check, _, write, err := open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if n := countMigrations(t, write); n != want {
			t.Fatalf("round %d: schema_migrations has %d rows, want %d", round, n, want)
		}
		check.Close()
	}
}

// TestPragmas checks foreign keys, WAL and the page cache's size on every
// connection of both pools, the writer's checkpoint interval, and the
// reading pool's bound.
func TestPragmas(t *testing.T) {
	ctx := t.Context()
	s, read, write, err := open(ctx, filepath.Join(t.TempDir(), "verigate.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	for name, db := range map[string]*sql.DB{"read": read, "write": write} {
		// Hold every connection the pool may open at once, so that each is
		// a distinct one.
		n := readConns
		if name == "write" {
			n = 1
		}
		var conns []*sql.Conn
		for range n {
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatalf("%s pool: Conn: %v", name, err)
			}
			conns = append(conns, conn)
		}
		// With all of them held, the pool opens no other.
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		if conn, err := db.Conn(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s pool: connection %d beyond its %d: %v, want it to wait", name, n+1, n, err)
			if err == nil {
				conn.Close()
			}
		}
		cancel()
		for i, conn := range conns {
			var fk int
			var mode string
			if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
				t.Fatalf("%s pool: PRAGMA foreign_keys: %v", name, err)
			}
			if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
				t.Fatalf("%s pool: PRAGMA journal_mode: %v", name, err)
			}
			var cache int
			if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
				t.Fatalf("%s pool: PRAGMA cache_size: %v", name, err)
			}
			if fk != 1 || mode != "wal" || cache != -cacheKiB {
				t.Errorf("%s pool connection %d: foreign_keys=%d journal_mode=%q cache_size=%d, want 1, wal and %d",
					name, i, fk, mode, cache, -cacheKiB)
			}
			// Only the writer checkpoints, so only its setting matters.
			var ckpt int
			if err := conn.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&ckpt); err != nil {
				t.Fatalf("%s pool: PRAGMA wal_autocheckpoint: %v", name, err)
			}
			if name == "write" && ckpt != walPages {
				t.Errorf("writing connection: wal_autocheckpoint=%d, want %d", ckpt, walPages)
			}
			conn.Close()
		}
	}
}

// TestFilesOwnerOnly: the database file, its write-ahead log and the
// directory verigate creates for them are readable by their owner only.
func TestFilesOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "v.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Applying the migrations wrote through the write-ahead log.
	for name, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600, path + "-wal": 0o600} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), want)
		}
	}
}

// TestMigrationChecksums: each applied migration's checksum is recorded;
// a database whose applied migration no longer matches its file is refused,
// and one from before checksums gets them on its next start.
func TestMigrationChecksums(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v.db")
	s, _, write, err := open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	sums := func() map[int]string {
		rows, err := write.QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int]string{}
		for rows.Next() {
			var v int
			var sum string
			if err := rows.Scan(&v, &sum); err != nil {
				t.Fatal(err)
			}
			out[v] = sum
		}
		return out
	}
	check := func(when string) {
		got := sums()
		for _, m := range all {
			if got[m.Version] != m.Checksum() || len(m.Checksum()) != 64 {
				t.Errorf("%s: %s recorded %q, want %q", when, m.Name, got[m.Version], m.Checksum())
			}
		}
	}
	check("after the first start")

	// A database from before checksums: they are recorded on the next start.
	if _, err := write.ExecContext(ctx, `ALTER TABLE schema_migrations DROP COLUMN checksum`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate a database without checksums: %v", err)
	}
	check("after upgrading the table")

	// An applied migration that differs from its file is refused.
	if _, err := write.ExecContext(ctx, `UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path); !errors.Is(err, sqlstore.ErrMigrationChanged) {
		t.Fatalf("Open with an edited migration: %v, want ErrMigrationChanged", err)
	}
}

// TestPlans checks the hot queries' plans at storetest.PlanRows rows.
func TestPlans(t *testing.T) {
	t.Parallel()
	s, write := openWithDB(t)
	storetest.Plans(t, s, write, false)
}

// TestWithDatabase runs the tests that look at the database beside the store.
func TestWithDatabase(t *testing.T) {
	storetest.RunWithDatabase(t, openWithDB)
}

// openWithDB opens a store in a new file, and returns its writing pool too.
func openWithDB(t *testing.T) (*sqlstore.Store, *sql.DB) {
	t.Helper()
	s, _, write, err := open(t.Context(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, write
}

// TestRowReadsDetached: a single-row read answers even when the caller's
// context is already cancelled (Dialect.DetachRowReads: no goroutine per
// query watches it), while a listing still stops.
func TestRowReadsDetached(t *testing.T) {
	s := openTemp(t)
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	sc := store.Scope{PartnerID: "p", Environment: store.Sandbox}
	if _, err := s.User(canceled, sc, "01a00000-0000-7000-8000-000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("User with a cancelled context: %v, want ErrNotFound", err)
	}
	if _, err := s.ListUsers(canceled, sc, store.UserFilter{}, store.Page{Limit: 10}); !errors.Is(err, context.Canceled) {
		t.Errorf("ListUsers with a cancelled context: %v, want context.Canceled", err)
	}
}
