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

// CreatePartner stores a partner with its first client and key.
func (s *Store) CreatePartner(ctx context.Context, p store.Partner, c store.Client, k store.APIKey) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertPartner(ctx, tx, p, c, k) })
}

func insertPartner(ctx context.Context, tx *sql.Tx, p store.Partner, c store.Client, k store.APIKey) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO partners (id, name, created_at) VALUES ($1, $2, $3)`, p.ID, p.Name, ms(p.CreatedAt)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO clients (id, partner_id, name, created_at) VALUES ($1, $2, $3, $4)`, c.ID, c.PartnerID, c.Name, ms(c.CreatedAt)); err != nil {
		return err
	}
	return insertKey(ctx, tx, k)
}

// CreateFirstPartner creates the partner only when there is none, under the
// lock that also serialises migrations between processes.
func (s *Store) CreateFirstPartner(ctx context.Context, p store.Partner, c store.Client, k store.APIKey) (bool, error) {
	created := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.LockMigrations != nil {
			if err := s.d.LockMigrations(ctx, tx); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM partners`).Scan(&n); err != nil || n > 0 {
			return err
		}
		created = true
		return insertPartner(ctx, tx, p, c, k)
	})
	return created && err == nil, err
}

// CreateAPIKey stores a key.
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertKey(ctx, tx, k) })
}

func insertKey(ctx context.Context, tx *sql.Tx, k store.APIKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, partner_id, client_id, name, environment, secret_hash, created_at, revoked_at, changed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		k.ID, k.PartnerID, k.ClientID, k.Name, string(k.Environment), base64.StdEncoding.EncodeToString(k.SecretHash), ms(k.CreatedAt),
		nullMS(k.RevokedAt), ms(k.CreatedAt))
	return err
}

const apiKeyColumns = `id, partner_id, client_id, name, environment, secret_hash, created_at, revoked_at, last_used_at`

func scanAPIKey(r scanner) (store.APIKey, error) {
	var k store.APIKey
	var env, hash string
	var created int64
	var revoked, used sql.NullInt64
	if err := r.Scan(&k.ID, &k.PartnerID, &k.ClientID, &k.Name, &env, &hash, &created, &revoked, &used); err != nil {
		return k, err
	}
	k.Environment = store.Environment(env)
	k.CreatedAt = fromMS(created)
	if revoked.Valid {
		t := fromMS(revoked.Int64)
		k.RevokedAt = &t
	}
	if used.Valid {
		t := fromMS(used.Int64)
		k.LastUsedAt = &t
	}
	var err error
	k.SecretHash, err = base64.StdEncoding.DecodeString(hash)
	return k, err
}

// APIKey returns a key by id.
func (s *Store) APIKey(ctx context.Context, id string) (store.APIKey, error) {
	k, err := scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1`, id))
	return k, s.mapErr(err)
}

// APIKeys returns every key, revoked ones included, in creation order;
// partnerID "" means every partner's.
func (s *Store) APIKeys(ctx context.Context, partnerID string) ([]store.APIKey, error) {
	q, args := `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY created_at, id`, []any{}
	if partnerID != "" {
		q, args = `SELECT `+apiKeyColumns+` FROM api_keys WHERE partner_id = $1 ORDER BY created_at, id`, []any{partnerID}
	}
	rows, err := s.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, k)
	}
	return out, s.mapErr(rows.Err())
}

// APIKeysVersion returns what changes whenever a key is created or revoked:
// the number of keys and the latest change.
func (s *Store) APIKeysVersion(ctx context.Context) (count int, changed int64, err error) {
	err = s.fresh(ctx).QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(changed_at), 0) FROM api_keys`).Scan(&count, &changed)
	return count, changed, s.mapErr(err)
}

// RevokeAPIKey stops a key working from at; ErrNotFound when no key of the
// partner (any partner for "") has that id, ErrConflict when it is revoked already.
func (s *Store) RevokeAPIKey(ctx context.Context, partnerID, id string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		var owner string
		err := tx.QueryRowContext(ctx, `SELECT partner_id, revoked_at FROM api_keys WHERE id = $1`, id).Scan(&owner, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && partnerID != "" && owner != partnerID):
			return store.ErrNotFound
		case err != nil:
			return err
		case revoked.Valid:
			return store.ErrConflict
		}
		// changed_at never goes back, so that watchers comparing it see the change.
		_, err = tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1,
changed_at = CASE WHEN $2 > (SELECT COALESCE(MAX(changed_at), 0) FROM api_keys) THEN $2 ELSE (SELECT COALESCE(MAX(changed_at), 0) FROM api_keys) + 1 END
WHERE id = $3`, ms(at), ms(at), id)
		return err
	})
}

// TouchAPIKeys records when keys were last used; a time older than the one
// recorded is ignored.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for id, at := range used {
			if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)`, ms(at), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Client returns a client by id.
func (s *Store) Client(ctx context.Context, id string) (store.Client, error) {
	var c store.Client
	var created int64
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT id, partner_id, name, created_at FROM clients WHERE id = $1`, id).
		Scan(&c.ID, &c.PartnerID, &c.Name, &created)
	c.CreatedAt = fromMS(created)
	return c, s.mapErr(err)
}

// Partner returns a partner by id; store.ErrNotFound if there is none.
func (s *Store) Partner(ctx context.Context, id string) (store.Partner, error) {
	var p store.Partner
	var created int64
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT id, name, created_at FROM partners WHERE id = $1`, id).
		Scan(&p.ID, &p.Name, &created)
	p.CreatedAt = fromMS(created)
	return p, s.mapErr(err)
}

// CountPartners counts partners.
func (s *Store) CountPartners(ctx context.Context) (int, error) {
	var n int
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM partners`).Scan(&n)
	return n, s.mapErr(err)
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

// CreateUser stores a user.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	profile, err := s.sealPersonal(u.Profile, "{}")
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, partner_id, environment, client_id, profile, external_id, items_connected, employers_connected, created_at, updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)`,
			u.ID, u.PartnerID, string(u.Environment), u.ClientID, profile, u.ExternalID,
			jsonList(u.ItemsConnected), jsonList(u.EmployersConnected), ms(u.CreatedAt), ms(u.UpdatedAt))
		return err
	})
}

const userColumns = `id, partner_id, environment, client_id, profile, external_id, items_connected, employers_connected, created_at, updated_at, version`

// User returns a user in scope.
func (s *Store) User(ctx context.Context, sc store.Scope, id string) (store.User, error) {
	row := s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment))
	u, err := s.scanUser(row)
	if err != nil {
		return u, s.mapErr(err)
	}
	return u, nil
}

func (s *Store) scanUser(r scanner) (store.User, error) {
	var u store.User
	var env, profile, items, employers string
	var created, updated int64
	err := r.Scan(&u.ID, &u.PartnerID, &env, &u.ClientID, &profile, &u.ExternalID, &items, &employers, &created, &updated, &u.Version)
	if err != nil {
		return u, err
	}
	u.Environment = store.Environment(env)
	if u.Profile, err = s.openPersonal(profile); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	if u.ItemsConnected, err = parseList(items); err != nil {
		return u, err
	}
	u.EmployersConnected, err = parseList(employers)
	return u, err
}

// UpdateUser saves u when its version is current.
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	profile, err := s.sealPersonal(u.Profile, "{}")
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET profile = $1, external_id = $2, items_connected = $3, employers_connected = $4, updated_at = $5, version = version + 1
WHERE id = $6 AND version = $7`,
			profile, u.ExternalID, jsonList(u.ItemsConnected), jsonList(u.EmployersConnected), ms(u.UpdatedAt), u.ID, u.Version)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
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

// CreateVerification stores a new verification.
func (s *Store) CreateVerification(ctx context.Context, v store.Verification) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO verifications (id, partner_id, environment, client_id, user_id, channel, data_source, report_type, state, code, errors,
report_id, file_url, json_url, report_configuration, employments, loan, billing, loan_number, created_at, updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1)`,
			v.ID, v.PartnerID, string(v.Environment), v.ClientID, v.UserID, v.Channel, v.DataSource, v.ReportType, v.State, v.Code, orEmpty(v.Errors, "[]"),
			v.ReportID, v.FileURL, v.JSONURL, nullJSON(v.ReportConfiguration), orEmpty(v.Employments, "[]"), orEmpty(v.Loan, "{}"), orEmpty(v.Billing, "{}"),
			v.LoanNumber, ms(v.CreatedAt), ms(v.UpdatedAt))
		return err
	})
}

// AddStatusChange appends an entry to a verification's status history.
func (s *Store) AddStatusChange(ctx context.Context, c store.StatusChange) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO verification_status_history (id, verification_id, state, code, errors, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, c.VerificationID, c.State, c.Code, orEmpty(c.Errors, "[]"), c.Reason, ms(c.CreatedAt))
		return err
	})
}

const verificationColumns = `id, partner_id, environment, client_id, user_id, channel, data_source, report_type, state, code, errors,
report_id, file_url, json_url, report_configuration, employments, loan, billing, loan_number, created_at, updated_at, version`

type scanner interface{ Scan(dest ...any) error }

// scanFunc is a scanner made of a function, for scanning one row into
// several records.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

func scanVerification(r scanner) (store.Verification, error) {
	var v store.Verification
	var env, errs, employments, loan, billing string
	var cfg sql.NullString
	var created, updated int64
	err := r.Scan(&v.ID, &v.PartnerID, &env, &v.ClientID, &v.UserID, &v.Channel, &v.DataSource, &v.ReportType, &v.State, &v.Code, &errs,
		&v.ReportID, &v.FileURL, &v.JSONURL, &cfg, &employments, &loan, &billing, &v.LoanNumber, &created, &updated, &v.Version)
	if err != nil {
		return v, err
	}
	v.Environment = store.Environment(env)
	v.Errors = json.RawMessage(errs)
	if cfg.Valid {
		v.ReportConfiguration = json.RawMessage(cfg.String)
	}
	v.Employments, v.Loan, v.Billing = json.RawMessage(employments), json.RawMessage(loan), json.RawMessage(billing)
	v.CreatedAt, v.UpdatedAt = fromMS(created), fromMS(updated)
	return v, nil
}

// Verification returns a verification in scope.
func (s *Store) Verification(ctx context.Context, sc store.Scope, id string) (store.Verification, error) {
	row := s.queryRow(ctx, `SELECT `+verificationColumns+` FROM verifications WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment))
	v, err := scanVerification(row)
	return v, s.mapErr(err)
}

// VerificationForUpdate returns a verification in scope and, inside a
// transaction, locks it until the transaction ends, so that a change read
// and written in it is never overtaken by another.
func (s *Store) VerificationForUpdate(ctx context.Context, sc store.Scope, id string) (store.Verification, error) {
	q := `SELECT ` + verificationColumns + ` FROM verifications WHERE id = $1 AND partner_id = $2 AND environment = $3`
	if s.tx(ctx) != nil {
		q += s.d.ForUpdate
	}
	v, err := scanVerification(s.reader(ctx).QueryRowContext(ctx, q, id, sc.PartnerID, string(sc.Environment)))
	return v, s.mapErr(err)
}

// VerificationHead returns the head of a verification in scope.
func (s *Store) VerificationHead(ctx context.Context, sc store.Scope, id string) (store.VerificationHead, error) {
	h := store.VerificationHead{ID: id, PartnerID: sc.PartnerID, Environment: sc.Environment}
	err := s.queryRow(ctx, `SELECT data_source, state, code FROM verifications WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)).Scan(&h.DataSource, &h.State, &h.Code)
	return h, s.mapErr(err)
}

// ListVerifications returns one keyset page, newest first.
func (s *Store) ListVerifications(ctx context.Context, sc store.Scope, f store.VerificationFilter, p store.Page) ([]store.Verification, error) {
	w := tenantWhere(sc)
	for _, c := range []struct{ col, v string }{{"user_id", f.UserID}, {"state", f.State}, {"code", f.Code},
		{"report_type", f.ReportType}, {"loan_number", f.LoanNumber}} {
		if c.v != "" {
			w.add(c.col+" = $%d", c.v)
		}
	}
	return listPage(ctx, s, "verifications", verificationColumns, w, p, scanVerification)
}

// UpdateVerification saves v when its version is current.
func (s *Store) UpdateVerification(ctx context.Context, v store.Verification) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE verifications SET state = $1, code = $2, errors = $3, report_id = $4, file_url = $5, json_url = $6,
report_configuration = $7, employments = $8, loan = $9, billing = $10, loan_number = $11, updated_at = $12, version = version + 1
WHERE id = $13 AND version = $14`,
			v.State, v.Code, orEmpty(v.Errors, "[]"), v.ReportID, v.FileURL, v.JSONURL, nullJSON(v.ReportConfiguration),
			orEmpty(v.Employments, "[]"), orEmpty(v.Loan, "{}"), orEmpty(v.Billing, "{}"), v.LoanNumber, ms(v.UpdatedAt), v.ID, v.Version)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// StatusHistory returns a verification's history, oldest first.
func (s *Store) StatusHistory(ctx context.Context, verificationID string) ([]store.StatusChange, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, `SELECT id, verification_id, state, code, errors, reason, created_at FROM verification_status_history WHERE verification_id = $1 ORDER BY id`, verificationID)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.StatusChange
	for rows.Next() {
		var c store.StatusChange
		var errs string
		var created int64
		if err := rows.Scan(&c.ID, &c.VerificationID, &c.State, &c.Code, &errs, &c.Reason, &created); err != nil {
			return nil, s.mapErr(err)
		}
		c.Errors = json.RawMessage(errs)
		c.CreatedAt = fromMS(created)
		out = append(out, c)
	}
	return out, s.mapErr(rows.Err())
}
