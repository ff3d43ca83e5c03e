package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	Secrets, Profiles, Identities int
}

// Reseal seals every stored secret again with stored (opening it with any
// key stored can open) and encrypts every user profile and identity record
// with this store's personal-data cipher (see ProtectPersonalData), those
// stored in clear included, in one transaction; then it forgets the named
// development key, so that the database alone no longer opens anything.
func (s *Store) Reseal(ctx context.Context, stored Cipher, devKeyName string) (ResealReport, error) {
	var rep ResealReport
	if s.pii == nil {
		return rep, errNoCipher
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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
		if rep.Identities, err = resealWhere(ctx, tx, "account_records", "data", `kind = 'identity'`, personal); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM secrets WHERE name = $1`, devKeyName)
		return err
	})
	return rep, s.mapErr(err)
}

func resealColumn(ctx context.Context, tx *sql.Tx, table, column string, fn func(string) (string, error)) (int, error) {
	return resealWhere(ctx, tx, table, column, "1 = 1", fn)
}

// resealWhere rewrites column of the rows of table matching where with fn,
// skipping empty values. table, column and where are verigate's own
// constants, never input.
func resealWhere(ctx context.Context, tx *sql.Tx, table, column, where string, fn func(string) (string, error)) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, `+column+` FROM `+table+` WHERE `+where+` AND `+column+` <> ''`)
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
