package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"verigate/internal/store"
)

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
