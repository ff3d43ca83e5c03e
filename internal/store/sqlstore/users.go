package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"verigate/internal/store"
)

// ListUsers returns one page of a tenant's users, newest first.
func (s *Store) ListUsers(ctx context.Context, sc store.Scope, f store.UserFilter, p store.Page) ([]store.User, error) {
	w := tenantWhere(sc)
	if f.ExternalID != "" {
		w.add("external_id = $%d", f.ExternalID)
	}
	return listPage(ctx, s, "users", userColumns, w, p, s.scanUser)
}

// tenantWhere starts the conditions of a listing of one tenant's rows.
func tenantWhere(sc store.Scope) *where {
	w := &where{}
	w.add("partner_id = $%d", sc.PartnerID)
	w.add("environment = $%d", string(sc.Environment))
	return w
}

// listPage runs one keyset page of a newest-first listing of table, by id,
// narrowed by w, and returns it newest first.
func listPage[T any](ctx context.Context, s *Store, table, columns string, w *where, p store.Page, scan func(scanner) (T, error)) ([]T, error) {
	order := "DESC"
	switch {
	case p.Before != "":
		w.add("id > $%d", p.Before)
		order = "ASC"
	case p.After != "":
		w.add("id < $%d", p.After)
	}
	w.args = append(w.args, p.Limit)
	q := fmt.Sprintf(`SELECT %s FROM %s WHERE %s ORDER BY id %s LIMIT $%d`, columns, table, w, order, len(w.args))
	rows, err := s.query(ctx, q, w.args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapErr(err)
	}
	if order == "ASC" {
		reverse(out)
	}
	return out, nil
}

// DeleteUser removes a user of the tenant and everything stored for it, in
// one transaction: its invites, connection sessions, account refreshes,
// reports, status histories, verifications, uploads, account records and
// accounts. It returns the names of the files those rows referred to, which
// live outside the database. Webhook events and their deliveries are the
// tenant's delivery log and are kept.
func (s *Store) DeleteUser(ctx context.Context, sc store.Scope, id string) (store.DeletedUser, error) {
	var out store.DeletedUser
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var found string
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE id = $1 AND partner_id = $2 AND environment = $3`,
			id, sc.PartnerID, string(sc.Environment)).Scan(&found)
		if err != nil {
			return err
		}
		names := func(q string, dst *[]string) error {
			rows, err := tx.QueryContext(ctx, q, id)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var a, b string
				if err := rows.Scan(&a, &b); err != nil {
					return err
				}
				for _, n := range []string{a, b} {
					if n != "" {
						*dst = append(*dst, n)
					}
				}
			}
			return rows.Err()
		}
		if err := names(`SELECT stored_name, '' FROM user_uploads WHERE user_id = $1 ORDER BY id`, &out.UploadFiles); err != nil {
			return err
		}
		const verifs = `SELECT id FROM verifications WHERE user_id = $1`
		const accounts = `SELECT id FROM accounts WHERE user_id = $1`
		if err := names(`SELECT pdf_name, json_name FROM reports WHERE user_id = $1 OR verification_id IN (`+verifs+`) ORDER BY id`, &out.ReportFiles); err != nil {
			return err
		}
		if err := names(`SELECT pdf_name, json_name FROM user_reports WHERE user_id = $1 ORDER BY id`, &out.ReportFiles); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM invites WHERE user_id = $1`,
			`DELETE FROM connect_sessions WHERE user_id = $1 OR verification_id IN (` + verifs + `)`,
			`DELETE FROM account_refreshes WHERE verification_id IN (` + verifs + `) OR account_id IN (` + accounts + `)`,
			`DELETE FROM reports WHERE user_id = $1 OR verification_id IN (` + verifs + `)`,
			`DELETE FROM user_reports WHERE user_id = $1`,
			`DELETE FROM verification_status_history WHERE verification_id IN (` + verifs + `)`,
			`DELETE FROM user_uploads WHERE user_id = $1 OR account_id IN (` + accounts + `)`,
			`DELETE FROM account_records WHERE user_id = $1 OR account_id IN (` + accounts + `)`,
			`DELETE FROM accounts WHERE user_id = $1`,
			`DELETE FROM verifications WHERE user_id = $1`,
			`DELETE FROM users WHERE id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
