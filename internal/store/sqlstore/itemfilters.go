package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"verigate/internal/store"
)

const itemFilterColumns = `id, partner_id, environment, name, filters, created_at, updated_at, version`

// CreateItemFilter stores an item filter.
func (s *Store) CreateItemFilter(ctx context.Context, f store.ItemFilter) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO item_filters (`+itemFilterColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)`,
			f.ID, f.PartnerID, string(f.Environment), f.Name, orEmpty(f.Filters, "{}"), ms(f.CreatedAt), ms(f.UpdatedAt))
		return err
	})
}

func scanItemFilter(r scanner) (store.ItemFilter, error) {
	var f store.ItemFilter
	var env, filters string
	var created, updated int64
	if err := r.Scan(&f.ID, &f.PartnerID, &env, &f.Name, &filters, &created, &updated, &f.Version); err != nil {
		return f, err
	}
	f.Environment = store.Environment(env)
	f.Filters = json.RawMessage(filters)
	f.CreatedAt, f.UpdatedAt = fromMS(created), fromMS(updated)
	return f, nil
}

// ItemFilter returns an item filter of the tenant.
func (s *Store) ItemFilter(ctx context.Context, sc store.Scope, id string) (store.ItemFilter, error) {
	f, err := scanItemFilter(s.reader(ctx).QueryRowContext(ctx, `SELECT `+itemFilterColumns+` FROM item_filters WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)))
	return f, s.mapErr(err)
}

// ListItemFilters returns one page of the tenant's item filters, newest first.
func (s *Store) ListItemFilters(ctx context.Context, sc store.Scope, p store.Page) ([]store.ItemFilter, error) {
	return listPage(ctx, s, "item_filters", itemFilterColumns, tenantWhere(sc), p, scanItemFilter)
}

// UpdateItemFilter saves f's name and filters when its version is current.
func (s *Store) UpdateItemFilter(ctx context.Context, f store.ItemFilter) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE item_filters SET name = $1, filters = $2, updated_at = $3, version = version + 1
WHERE id = $4 AND partner_id = $5 AND environment = $6 AND version = $7`,
			f.Name, orEmpty(f.Filters, "{}"), ms(f.UpdatedAt), f.ID, f.PartnerID, string(f.Environment), f.Version)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// DeleteItemFilter removes an item filter of the tenant.
func (s *Store) DeleteItemFilter(ctx context.Context, sc store.Scope, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM item_filters WHERE id = $1 AND partner_id = $2 AND environment = $3`,
			id, sc.PartnerID, string(sc.Environment))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = sql.ErrNoRows
			}
			return err
		}
		return nil
	})
}
