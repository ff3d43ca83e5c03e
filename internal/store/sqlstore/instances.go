package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// Heartbeat records that the process id is alive at now, forgets processes
// not seen for ten times staleAfter, and returns how many were seen within
// staleAfter, this one included.
func (s *Store) Heartbeat(ctx context.Context, id string, now time.Time, staleAfter time.Duration) (int, error) {
	var live int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO instances (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_at = $2`, id, ms(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE seen_at < $1`, ms(now.Add(-10*staleAfter))); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM instances WHERE seen_at >= $1`, ms(now.Add(-staleAfter))).Scan(&live)
	})
	return live, err
}

// LeaveInstances forgets a process that stops.
func (s *Store) LeaveInstances(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE id = $1`, id)
		return err
	})
}
