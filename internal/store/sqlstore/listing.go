package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"verigate/internal/store"
)

// where collects the conditions and arguments of a listing query.
type where struct {
	conds []string
	args  []any
}

// add appends cond, whose %d placeholders each take the next argument.
func (w *where) add(cond string, vals ...any) {
	nums := make([]any, len(vals))
	for i, v := range vals {
		w.args = append(w.args, v)
		nums[i] = len(w.args)
	}
	w.conds = append(w.conds, fmt.Sprintf(cond, nums...))
}

func (w *where) String() string { return strings.Join(w.conds, " AND ") }

// reverse puts a page read backwards (for a Before cursor) back in listing order.
func reverse[T any](out []T) {
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
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
