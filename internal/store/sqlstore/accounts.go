package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"verigate/internal/store"
)

const accountColumns = `id, partner_id, environment, user_id, verification_id, data_source, item, source, employers, connection_status,
error_code, error_message, connection, aggregation, aggregation_attempts, lease_until, scanned_at, refresh_disabled_at, record_ids, created_at, updated_at, version`

func insertAccount(ctx context.Context, tx *sql.Tx, a store.Account) error {
	if a.Aggregation == "" {
		a.Aggregation = store.AggregationDone
	}
	var scanned any
	if a.ScannedAt != nil {
		scanned = ms(*a.ScannedAt)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO accounts (`+accountColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1)`,
		a.ID, a.PartnerID, string(a.Environment), a.UserID, a.VerificationID, a.DataSource, a.Item, a.Source, jsonList(a.Employers), a.ConnectionStatus,
		a.ErrorCode, a.ErrorMessage, a.Connection, a.Aggregation, a.AggregationAttempts, ms(a.LeaseUntil), scanned, nullMS(a.RefreshDisabledAt), a.RecordIDs, ms(a.CreatedAt), ms(a.UpdatedAt))
	return err
}

// CreateAccount stores a connected account.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertAccount(ctx, tx, a) })
}

// ReconnectAccount stores a new connection of an existing account (Link's
// reconnect): connected again, its error cleared, waiting for aggregation.
func (s *Store) ReconnectAccount(ctx context.Context, id, connection string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET connection = $1, connection_status = 'connected', error_code = '', error_message = '',
aggregation = $2, aggregation_attempts = 0, lease_until = 0, updated_at = $3, version = version + 1 WHERE id = $4`,
			connection, store.AggregationPending, ms(now), id)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// HasConnectedAccount reports whether a connected account exists for the user and data source.
func (s *Store) HasConnectedAccount(ctx context.Context, userID, dataSource string) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE user_id = $1 AND data_source = $2 AND connection_status = 'connected'`, userID, dataSource).Scan(&n)
	return n > 0, s.mapErr(err)
}

func scanAccount(r scanner) (store.Account, error) {
	var a store.Account
	var env, employers string
	var lease, created, updated int64
	var scanned, disabled sql.NullInt64
	err := r.Scan(&a.ID, &a.PartnerID, &env, &a.UserID, &a.VerificationID, &a.DataSource, &a.Item, &a.Source, &employers, &a.ConnectionStatus,
		&a.ErrorCode, &a.ErrorMessage, &a.Connection, &a.Aggregation, &a.AggregationAttempts, &lease, &scanned, &disabled, &a.RecordIDs, &created, &updated, &a.Version)
	if err != nil {
		return a, err
	}
	a.Environment = store.Environment(env)
	a.LeaseUntil, a.CreatedAt, a.UpdatedAt = fromMS(lease), fromMS(created), fromMS(updated)
	if scanned.Valid {
		t := fromMS(scanned.Int64)
		a.ScannedAt = &t
	}
	if disabled.Valid {
		t := fromMS(disabled.Int64)
		a.RefreshDisabledAt = &t
	}
	a.Employers, err = parseList(employers)
	return a, err
}

// Account returns an account by id.
func (s *Store) Account(ctx context.Context, id string) (store.Account, error) {
	a, err := scanAccount(s.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	return a, s.mapErr(err)
}

const connectSessionColumns = `id, verification_id, user_id, stage, item, failures, challenge, account_id, attempted_selection, error_code,
connection, experience, used_at, created_at, updated_at, version`

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullMS is a nullable instant as Unix milliseconds.
func nullMS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateConnectSession stores a newly opened session.
func (s *Store) CreateConnectSession(ctx context.Context, cs store.ConnectSession) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO connect_sessions (`+connectSessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1)`,
			cs.ID, nullString(cs.VerificationID), cs.UserID, cs.Stage, cs.Item, cs.Failures, cs.Challenge, cs.AccountID, boolInt(cs.AttemptedSelection), cs.ErrorCode,
			cs.Connection, cs.Experience, nullMS(cs.UsedAt), ms(cs.CreatedAt), ms(cs.UpdatedAt))
		return err
	})
}

// ConnectSession returns a session by id. It reads through the writing pool
// so that a flow sees its own latest step.
func (s *Store) ConnectSession(ctx context.Context, id string) (store.ConnectSession, error) {
	var cs store.ConnectSession
	var attempted int
	var created, updated int64
	var used sql.NullInt64
	var verification sql.NullString
	err := s.fresh(ctx).QueryRowContext(ctx, `SELECT `+connectSessionColumns+` FROM connect_sessions WHERE id = $1`, id).
		Scan(&cs.ID, &verification, &cs.UserID, &cs.Stage, &cs.Item, &cs.Failures, &cs.Challenge, &cs.AccountID, &attempted, &cs.ErrorCode,
			&cs.Connection, &cs.Experience, &used, &created, &updated, &cs.Version)
	cs.AttemptedSelection = attempted != 0
	cs.VerificationID = verification.String
	if used.Valid {
		t := fromMS(used.Int64)
		cs.UsedAt = &t
	}
	cs.CreatedAt, cs.UpdatedAt = fromMS(created), fromMS(updated)
	return cs, s.mapErr(err)
}

// UpdateConnectSession saves cs when its version is current.
func (s *Store) UpdateConnectSession(ctx context.Context, cs store.ConnectSession) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE connect_sessions SET stage = $1, item = $2, failures = $3, challenge = $4, account_id = $5,
attempted_selection = $6, error_code = $7, connection = $8, experience = $9, used_at = $10, updated_at = $11, version = version + 1
WHERE id = $12 AND version = $13`,
			cs.Stage, cs.Item, cs.Failures, cs.Challenge, cs.AccountID, boolInt(cs.AttemptedSelection), cs.ErrorCode,
			cs.Connection, cs.Experience, nullMS(cs.UsedAt), ms(cs.UpdatedAt), cs.ID, cs.Version)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// AddUserConnections adds an item and employers to a user's connected lists.
func (s *Store) AddUserConnections(ctx context.Context, userID, item string, employers []string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return addUserConnections(ctx, tx, userID, item, employers, now) })
}

func addUserConnections(ctx context.Context, tx *sql.Tx, userID, item string, employers []string, now time.Time) error {
	var items, emps string
	if err := tx.QueryRowContext(ctx, `SELECT items_connected, employers_connected FROM users WHERE id = $1`, userID).Scan(&items, &emps); err != nil {
		return err
	}
	itemList, err := parseList(items)
	if err != nil {
		return err
	}
	employerList, err := parseList(emps)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET items_connected = $1, employers_connected = $2, updated_at = $3, version = version + 1 WHERE id = $4`,
		jsonList(appendNew(itemList, item)), jsonList(appendNew(employerList, employers...)), ms(now), userID)
	return err
}

func appendNew(list []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, x := range list {
			if x == a {
				found = true
				break
			}
		}
		if !found && a != "" {
			list = append(list, a)
		}
	}
	return list
}

// ClaimAggregation leases the oldest account waiting for aggregation.
func (s *Store) ClaimAggregation(ctx context.Context, now, leaseUntil time.Time) (store.Account, bool, error) {
	var claimed store.Account
	found := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
WHERE aggregation = 'pending' OR (aggregation = 'running' AND lease_until < $1) ORDER BY updated_at, id LIMIT 5`, ms(now))
		if err != nil {
			return err
		}
		var candidates []store.Account
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return err
			}
			candidates = append(candidates, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range candidates {
			// Another process may have claimed it since the read: the
			// version check makes the claim exclusive.
			res, err := tx.ExecContext(ctx, `UPDATE accounts SET aggregation = 'running', lease_until = $1, aggregation_attempts = aggregation_attempts + 1, version = version + 1
WHERE id = $2 AND version = $3`, ms(leaseUntil), a.ID, a.Version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				a.Aggregation, a.LeaseUntil, a.Version = store.AggregationRunning, leaseUntil.UTC().Truncate(time.Millisecond), a.Version+1
				a.AggregationAttempts++
				claimed, found = a, true
				return nil
			}
		}
		return nil
	})
	return claimed, found, err
}

// FinishAggregation saves the outcome of a claimed aggregation.
func (s *Store) FinishAggregation(ctx context.Context, a store.Account, records []store.AccountRecord) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var scanned any
		if a.ScannedAt != nil {
			scanned = ms(*a.ScannedAt)
		}
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET aggregation = $1, connection_status = $2, error_code = $3, error_message = $4,
employers = $5, scanned_at = $6, lease_until = $7, updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10`,
			a.Aggregation, a.ConnectionStatus, a.ErrorCode, a.ErrorMessage, jsonList(a.Employers), scanned, ms(a.LeaseUntil), ms(a.UpdatedAt), a.ID, a.Version)
		if err != nil {
			return err
		}
		if err := expectOne(res); err != nil {
			return err
		}
		if len(a.Employers) > 0 {
			if err := addUserConnections(ctx, tx, a.UserID, "", a.Employers, a.UpdatedAt); err != nil {
				return err
			}
		}
		return s.upsertRecords(ctx, tx, records)
	})
}

// upsertRecords writes records through one statement prepared for the
// batch: an aggregation writes hundreds, and preparing each costs more
// than executing it.
func (s *Store) upsertRecords(ctx context.Context, tx *sql.Tx, records []store.AccountRecord) error {
	if len(records) == 0 {
		return nil
	}
	// Both drivers keep the statement prepared on the connection (the
	// SQLite store's statement cache, pgx's), so each row only binds and runs it.
	const upsert = `INSERT INTO account_records (id, kind, account_id, user_id, partner_id, environment, source_id, employment, record_date, data, rendered, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (account_id, kind, source_id) DO UPDATE SET employment = excluded.employment, record_date = excluded.record_date, data = excluded.data,
rendered = excluded.rendered, updated_at = excluded.updated_at`
	for _, r := range records {
		data, rendered, err := s.storedRecord(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, upsert, r.ID, r.Kind, r.AccountID, r.UserID, r.PartnerID, string(r.Environment), r.SourceID, r.Employment,
			r.Date, data, rendered, ms(r.CreatedAt), ms(r.UpdatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// SaveAggregationBatch stores one batch of a claimed aggregation's records
// while the claim holds: a's Version must be current (store.ErrConflict
// otherwise); it is incremented, so the caller's next write carries
// a.Version+1. The account's other fields are left as they are.
func (s *Store) SaveAggregationBatch(ctx context.Context, a store.Account, records []store.AccountRecord) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET version = version + 1 WHERE id = $1 AND version = $2`, a.ID, a.Version)
		if err != nil {
			return err
		}
		if err := expectOne(res); err != nil {
			return err
		}
		return s.upsertRecords(ctx, tx, records)
	})
}

// AllAccountRecords returns every record of an account, ordered by kind and id.
func (s *Store) AllAccountRecords(ctx context.Context, accountID string) ([]store.AccountRecord, error) {
	return s.accountRecords(ctx, `WHERE account_id = $1`, accountID)
}

// DeleteAccountRecords deletes records of an account by id; ids of other
// accounts, or of no record, are ignored.
func (s *Store) DeleteAccountRecords(ctx context.Context, accountID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM account_records WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// AccountRecords returns an account's records of one kind, in id order.
func (s *Store) AccountRecords(ctx context.Context, accountID, kind string) ([]store.AccountRecord, error) {
	return s.accountRecords(ctx, `WHERE account_id = $1 AND kind = $2`, accountID, kind)
}

// accountRecords returns the records where selects (an account's, through
// the unique index on account_id, kind and source_id) ordered by kind and
// id. No index of records has that order; an account's records are few
// enough to sort here, rather than keep an index for it that every stored
// record would be written into (migration 0021).
func (s *Store) accountRecords(ctx context.Context, where string, args ...any) ([]store.AccountRecord, error) {
	rows, err := s.query(ctx, `SELECT `+recordColumns+` FROM account_records `+where, args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.AccountRecord
	for rows.Next() {
		r, err := s.scanRecord(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapErr(err)
	}
	slices.SortFunc(out, func(a, b store.AccountRecord) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}
