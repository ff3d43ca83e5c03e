package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"verigate/internal/store"
)

// sealedColumns lists the columns that hold values sealed for the stored
// secrets (webhook signing secrets, connections, MFA challenges).
var sealedColumns = []struct{ table, column string }{
	{"webhook_subscriptions", "secret"},
	{"accounts", "connection"},
	{"connect_sessions", "challenge"},
	{"connect_sessions", "connection"},
}

// ResealReport counts what Reseal sealed again.
type ResealReport struct {
	Secrets, Profiles, Records int
}

// resealBatch is how many account records Reseal rewrites a transaction.
const resealBatch = 500

// Reseal encrypts every account record with this store's personal-data
// cipher (see ProtectPersonalData), those stored in clear included, a
// batch of records a transaction; then, in one transaction, it seals every
// stored secret again with stored (opening it with any key stored can
// open), encrypts every user profile, and forgets the named development
// key, so that the database alone no longer opens anything. Values are
// readable whether sealed or not at every step, so an interrupted Reseal
// can simply be run again.
func (s *Store) Reseal(ctx context.Context, stored Cipher, devKeyName string) (ResealReport, error) {
	var rep ResealReport
	if s.pii == nil {
		return rep, errNoCipher
	}
	var err error
	if rep.Records, err = s.resealRecords(ctx); err != nil {
		return rep, s.mapErr(err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range sealedColumns {
			n, err := resealColumn(ctx, tx, c.table, c.column, func(v string) (string, error) {
				var plain json.RawMessage
				if err := stored.Open(v, &plain); err != nil {
					return "", fmt.Errorf("%s.%s: a value does not open with the configured keys: %w", c.table, c.column, err)
				}
				return stored.Seal(plain)
			})
			if err != nil {
				return err
			}
			rep.Secrets += n
		}
		personal := func(v string) (string, error) {
			raw, err := s.openPersonal(v)
			if err != nil {
				return "", err
			}
			return s.sealPersonal(raw, "{}")
		}
		var err error
		if rep.Profiles, err = resealColumn(ctx, tx, "users", "profile", personal); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM secrets WHERE name = $1`, devKeyName)
		return err
	})
	return rep, s.mapErr(err)
}

// resealRecords seals every account record's values again, in batches
// ordered by id, and returns how many records it rewrote.
func (s *Store) resealRecords(ctx context.Context) (int, error) {
	total, after := 0, ""
	for {
		n, last, err := s.resealRecordBatch(ctx, after)
		total += n
		if err != nil || n < resealBatch {
			return total, err
		}
		after = last
	}
}

// resealRecordBatch rewrites the next batch of records whose id sorts
// after the given one, locking them so that no aggregation's newer values
// are overwritten, and returns how many it rewrote and the last id.
func (s *Store) resealRecordBatch(ctx context.Context, after string) (n int, last string, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+recordColumns+` FROM account_records WHERE id > $1 ORDER BY id LIMIT $2`+s.d.ForUpdate, after, resealBatch)
		if err != nil {
			return err
		}
		var recs []store.AccountRecord
		for rows.Next() {
			r, err := s.scanRecord(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("account record: %w", err)
			}
			recs = append(recs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range recs {
			data, rendered, err := s.storedRecord(r)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE account_records SET data = $1, rendered = $2 WHERE id = $3`, data, rendered, r.ID); err != nil {
				return err
			}
		}
		n = len(recs)
		if n > 0 {
			last = recs[n-1].ID
		}
		return nil
	})
	return n, last, err
}

// resealColumn rewrites column of every row of table with fn, skipping
// empty values. table and column are verigate's own constants, never input.
func resealColumn(ctx context.Context, tx *sql.Tx, table, column string, fn func(string) (string, error)) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, `+column+` FROM `+table+` WHERE `+column+` <> ''`)
	if err != nil {
		return 0, err
	}
	type row struct{ id, value string }
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.value); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range all {
		v, err := fn(r.value)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = $1 WHERE id = $2`, v, r.id); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}
