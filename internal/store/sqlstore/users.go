package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"verigate/internal/store"
)

// ListUsers returns one page of a tenant's users, newest first.
func (s *Store) ListUsers(ctx context.Context, sc store.Scope, f store.UserFilter, p store.Page) ([]store.User, error) {
	where := []string{"partner_id = $1", "environment = $2"}
	args := []any{sc.PartnerID, string(sc.Environment)}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ExternalID != "" {
		add("external_id = $%d", f.ExternalID)
	}
	return listPage(ctx, s, "users", userColumns, where, args, p, s.scanUser)
}

// listPage runs one keyset page of a newest-first listing of table and
// returns it newest first.
func listPage[T any](ctx context.Context, s *Store, table, columns string, where []string, args []any, p store.Page, scan func(scanner) (T, error)) ([]T, error) {
	order := "DESC"
	switch {
	case p.Before != "":
		args = append(args, p.Before)
		where = append(where, fmt.Sprintf("id > $%d", len(args)))
		order = "ASC"
	case p.After != "":
		args = append(args, p.After)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	args = append(args, p.Limit)
	q := fmt.Sprintf(`SELECT %s FROM %s WHERE %s ORDER BY id %s LIMIT $%d`, columns, table, strings.Join(where, " AND "), order, len(args))
	rows, err := s.query(ctx, q, args...)
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
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
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
