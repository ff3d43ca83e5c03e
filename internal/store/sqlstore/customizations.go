package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"verigate/internal/store"
)

const customizationColumns = `id, kind, partner_id, environment, name, brand_name, accent_color, intro, allowed, frame_origins, logo, logo_type, created_at, updated_at, version`

func scanCustomization(r scanner) (store.Customization, error) {
	var c store.Customization
	var env, intro, allowed, origins string
	var created, updated int64
	if err := r.Scan(&c.ID, &c.Kind, &c.PartnerID, &env, &c.Name, &c.BrandName, &c.AccentColor, &intro, &allowed, &origins,
		&c.Logo, &c.LogoType, &created, &updated, &c.Version); err != nil {
		return c, err
	}
	c.Environment, c.CreatedAt, c.UpdatedAt = store.Environment(env), fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(intro), &c.Intro); err != nil {
		return c, err
	}
	var err error
	if c.Allowed, err = parseList(allowed); err != nil {
		return c, err
	}
	c.FrameOrigins, err = parseList(origins)
	return c, err
}

func introJSON(m map[string]string) string {
	if m == nil {
		m = map[string]string{}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// CreateCustomization stores a customization.
func (s *Store) CreateCustomization(ctx context.Context, c store.Customization) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO customizations (`+customizationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)`,
			c.ID, c.Kind, c.PartnerID, string(c.Environment), c.Name, c.BrandName, c.AccentColor, introJSON(c.Intro), jsonList(c.Allowed),
			jsonList(c.FrameOrigins), c.Logo, c.LogoType, ms(c.CreatedAt), ms(c.UpdatedAt))
		return err
	})
}

// Customization returns one customization in scope.
func (s *Store) Customization(ctx context.Context, sc store.Scope, kind, id string) (store.Customization, error) {
	c, err := scanCustomization(s.fresh(ctx).QueryRowContext(ctx, `SELECT `+customizationColumns+` FROM customizations WHERE partner_id = $1 AND environment = $2 AND kind = $3 AND id = $4`,
		sc.PartnerID, string(sc.Environment), kind, id))
	return c, s.mapErr(err)
}

// Customizations lists a scope's customizations of a kind.
func (s *Store) Customizations(ctx context.Context, sc store.Scope, kind string) ([]store.Customization, error) {
	rows, err := s.query(ctx, `SELECT `+customizationColumns+` FROM customizations WHERE partner_id = $1 AND environment = $2 AND kind = $3 ORDER BY created_at DESC, id DESC`,
		sc.PartnerID, string(sc.Environment), kind)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.Customization
	for rows.Next() {
		c, err := scanCustomization(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, c)
	}
	return out, s.mapErr(rows.Err())
}

// UpdateCustomization saves c when its version is current.
func (s *Store) UpdateCustomization(ctx context.Context, c store.Customization) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE customizations SET name = $1, brand_name = $2, accent_color = $3, intro = $4, allowed = $5, frame_origins = $6,
logo = $7, logo_type = $8, updated_at = $9, version = version + 1
WHERE partner_id = $10 AND environment = $11 AND kind = $12 AND id = $13 AND version = $14`,
			c.Name, c.BrandName, c.AccentColor, introJSON(c.Intro), jsonList(c.Allowed), jsonList(c.FrameOrigins), c.Logo, c.LogoType, ms(c.UpdatedAt),
			c.PartnerID, string(c.Environment), c.Kind, c.ID, c.Version)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// DeleteCustomization removes a customization.
func (s *Store) DeleteCustomization(ctx context.Context, sc store.Scope, kind, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM customizations WHERE partner_id = $1 AND environment = $2 AND kind = $3 AND id = $4`,
			sc.PartnerID, string(sc.Environment), kind, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return store.ErrNotFound
		}
		return nil
	})
}
