package sqlstore

import (
	"context"
	"database/sql"

	"verigate/internal/store"
)

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

// ListUsers returns one page of a tenant's users, newest first.
func (s *Store) ListUsers(ctx context.Context, sc store.Scope, f store.UserFilter, p store.Page) ([]store.User, error) {
	w := tenantWhere(sc)
	if f.ExternalID != "" {
		w.add("external_id = $%d", f.ExternalID)
	}
	return listPage(ctx, s, "users", userColumns, w, p, s.scanUser)
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
