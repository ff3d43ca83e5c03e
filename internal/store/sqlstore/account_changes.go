package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"verigate/internal/store"
)

// DisableOngoingRefresh records that the account id of scope sc is no longer
// refreshed, and returns it as saved. Disabling it again keeps the first
// time and changes nothing. The version is left alone: an aggregation in
// flight still saves its outcome, which does not touch the setting.
func (s *Store) DisableOngoingRefresh(ctx context.Context, sc store.Scope, id string, at time.Time) (store.Account, error) {
	var out store.Account
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET refresh_disabled_at = $1, updated_at = $1
WHERE id = $2 AND partner_id = $3 AND environment = $4 AND refresh_disabled_at IS NULL`, ms(at), id, sc.PartnerID, string(sc.Environment)); err != nil {
			return err
		}
		a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1 AND partner_id = $2 AND environment = $3`,
			id, sc.PartnerID, string(sc.Environment)))
		out = a
		return err
	})
	return out, err
}

// DeleteAccount deletes the account id of scope sc with everything stored
// for it: its records, its uploads and pending refreshes; link sessions that
// connected it forget it. It returns the account as it was, with the files
// of its uploads for the caller to remove once the deletion commits.
func (s *Store) DeleteAccount(ctx context.Context, sc store.Scope, id string) (store.DeletedAccount, error) {
	var out store.DeletedAccount
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1 AND partner_id = $2 AND environment = $3`,
			id, sc.PartnerID, string(sc.Environment)))
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT stored_name FROM user_uploads WHERE account_id = $1 ORDER BY id`, a.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var files []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			files = append(files, name)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close() // before the next statement on the transaction's connection
		for _, q := range []string{
			`DELETE FROM account_records WHERE account_id = $1`,
			`DELETE FROM account_refreshes WHERE account_id = $1`,
			`DELETE FROM user_uploads WHERE account_id = $1`,
			`UPDATE connect_sessions SET account_id = '' WHERE account_id = $1`,
			`DELETE FROM accounts WHERE id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, a.ID); err != nil {
				return err
			}
		}
		out = store.DeletedAccount{Account: a, UploadFiles: files}
		return nil
	})
	return out, err
}
