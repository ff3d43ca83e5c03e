package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"verigate/internal/store"
)

// SandboxSettings returns a partner's sandbox controls; a partner that set
// none gets the zero settings (every default), without an error. It reads
// in the caller's transaction, else from the reading pool, so that it
// never waits for the writer.
func (s *Store) SandboxSettings(ctx context.Context, partnerID string) (store.SandboxSettings, error) {
	out := store.SandboxSettings{PartnerID: partnerID}
	var link, tok, offset, updated int64
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT link_lifetime_seconds, token_lifetime_seconds, clock_offset_seconds, updated_at
FROM sandbox_settings WHERE partner_id = $1`, partnerID).Scan(&link, &tok, &offset, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, s.mapErr(err)
	}
	out.LinkLifetime, out.TokenLifetime, out.ClockOffset = time.Duration(link)*time.Second, time.Duration(tok)*time.Second, time.Duration(offset)*time.Second
	out.UpdatedAt = fromMS(updated)
	return out, nil
}

// SaveSandboxSettings stores a partner's sandbox controls, whole.
func (s *Store) SaveSandboxSettings(ctx context.Context, st store.SandboxSettings) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sandbox_settings (partner_id, link_lifetime_seconds, token_lifetime_seconds, clock_offset_seconds, updated_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (partner_id) DO UPDATE SET link_lifetime_seconds = $2, token_lifetime_seconds = $3,
clock_offset_seconds = $4, updated_at = $5`, st.PartnerID, int64(st.LinkLifetime/time.Second), int64(st.TokenLifetime/time.Second),
			int64(st.ClockOffset/time.Second), ms(st.UpdatedAt))
		return err
	})
}

// RequeueAggregation sets an aggregated account visible in sc back to
// pending (attempts reset), so the worker fetches its data again as a
// refresh. An account that is not aggregated (pending, running or failed)
// is left as it is: store.ErrConflict.
func (s *Store) RequeueAggregation(ctx context.Context, sc store.Scope, accountID string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET aggregation = 'pending', aggregation_attempts = 0, lease_until = 0, updated_at = $1,
version = version + 1 WHERE id = $2 AND partner_id = $3 AND environment = $4 AND aggregation = 'done'`, ms(at), accountID, sc.PartnerID, string(sc.Environment))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := s.AccountInScope(ctx, sc, accountID); err != nil {
				return err
			}
			return store.ErrConflict
		}
		return nil
	})
}
