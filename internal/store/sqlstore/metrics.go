package sqlstore

import (
	"context"
	"database/sql"
)

// PendingDeliveries counts webhook deliveries still to be delivered.
func (s *Store) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'`).Scan(&n)
	return n, s.mapErr(err)
}

// PendingAggregations counts accounts waiting for, or in, aggregation.
func (s *Store) PendingAggregations(ctx context.Context) (int, error) {
	var n int
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE aggregation IN ('pending', 'running')`).Scan(&n)
	return n, s.mapErr(err)
}

// Pools returns the database pools by role, for their statistics.
func (s *Store) Pools() map[string]*sql.DB {
	if s.read == s.write {
		return map[string]*sql.DB{"verigate": s.write}
	}
	return map[string]*sql.DB{"verigate_read": s.read, "verigate_write": s.write}
}
