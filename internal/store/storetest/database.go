package storetest

import (
	"database/sql"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// RunWithDatabase runs, in parallel, the tests that look at the database
// beside the store, each on what open returns: a new store and a pool
// whose connections reach its tables unqualified.
func RunWithDatabase(t *testing.T, open func(t *testing.T) (*sqlstore.Store, *sql.DB)) {
	for name, test := range map[string]func(*testing.T, *sqlstore.Store, *sql.DB){
		"RecordIDsUpgrade":    RecordIDsUpgrade,
		"RecordsSealedAtRest": RecordsSealedAtRest,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, db := open(t)
			test(t, s, db)
		})
	}
}

// RecordIDsUpgrade checks migration 0020 on a database that predates it:
// accounts stored before keep their records' hashed ids, accounts stored
// after name their records by account. db reaches s's tables unqualified.
func RecordIDsUpgrade(t *testing.T, s *sqlstore.Store, db *sql.DB) {
	tn := newTenant(t, s, "Upgraded")
	u := newUser(t, s, tn, store.Sandbox)
	// Back to version 19: the column did not exist.
	for _, q := range []string{`DELETE FROM schema_migrations WHERE version = 20`, `ALTER TABLE accounts DROP COLUMN record_ids`} {
		if _, err := db.ExecContext(ctx(t), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := store.NewID()
	if _, err := db.ExecContext(ctx(t), `INSERT INTO accounts (id, partner_id, environment, user_id, verification_id, data_source, item, source, employers,
connection_status, error_code, error_message, connection, aggregation, aggregation_attempts, lease_until, created_at, updated_at, version)
VALUES ($1, $2, $3, $4, '', 'payroll', 'item_000000001', 'sandbox', '[]', 'connected', '', '', 'sealed', 'done', 0, 0, 1, 1, 1)`,
		before, tn.Partner.ID, string(store.Sandbox), u.ID); err != nil {
		t.Fatal(err)
	}
	must(t, "Migrate", s.Migrate(ctx(t)))
	old, err := s.Account(ctx(t), before)
	must(t, "Account stored before version 20", err)
	if old.RecordIDs != store.RecordIDsHashed {
		t.Errorf("an account stored before version 20 names its records %q, want %q", old.RecordIDs, store.RecordIDsHashed)
	}
	after := newAccount(t, s, u)
	got, err := s.Account(ctx(t), after.ID)
	must(t, "Account stored after", err)
	if got.RecordIDs != "" {
		t.Errorf("an account stored after version 20 names its records %q, want by account", got.RecordIDs)
	}
}
