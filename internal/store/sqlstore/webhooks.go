package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"verigate/internal/store"
)

// CreateEvent saves a webhook event.
func (s *Store) CreateEvent(ctx context.Context, e store.Event) error {
	resource := ""
	if e.Resource != nil {
		resource = string(e.Resource)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (id, partner_id, environment, event, verification_id, data, resource, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			e.ID, e.PartnerID, string(e.Environment), e.Event, e.VerificationID, string(e.Data), resource, ms(e.CreatedAt))
		return err
	})
}

// QueueDeliveries queues one pending delivery of an event to each of the
// subscriptions, in the order given.
func (s *Store) QueueDeliveries(ctx context.Context, e store.Event, subscriptionIDs []string) error {
	key := e.OrderKey
	if key == "" {
		key = e.VerificationID
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, sub := range subscriptionIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event, verification_id, state, attempts, next_attempt_at, lease_until, last_status, last_error, delivered_at, created_at, version, order_key)
VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0, NULL, '', NULL, $6, 1, $7)`,
				store.NewID(), sub, e.ID, e.Event, e.VerificationID, ms(e.CreatedAt), key); err != nil {
				return err
			}
		}
		return nil
	})
}

const subscriptionColumns = `id, partner_id, environment, name, url, events, secret, include_resource, created_at, days_synced`

func scanSubscription(r scanner) (store.Subscription, error) {
	var sub store.Subscription
	var env, events string
	var include int
	var created int64
	if err := r.Scan(&sub.ID, &sub.PartnerID, &env, &sub.Name, &sub.URL, &events, &sub.Secret, &include, &created, &sub.DaysSynced); err != nil {
		return sub, err
	}
	sub.Environment, sub.IncludeResource, sub.CreatedAt = store.Environment(env), include != 0, fromMS(created)
	var err error
	sub.Events, err = parseList(events)
	return sub, err
}

// CreateSubscription stores a subscription.
func (s *Store) CreateSubscription(ctx context.Context, sub store.Subscription) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_subscriptions (`+subscriptionColumns+`, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)`,
			sub.ID, sub.PartnerID, string(sub.Environment), sub.Name, sub.URL, jsonList(sub.Events), sub.Secret, boolInt(sub.IncludeResource), ms(sub.CreatedAt), sub.DaysSynced)
		return err
	})
}

// Subscription returns a live subscription in scope.
func (s *Store) Subscription(ctx context.Context, sc store.Scope, id string) (store.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`,
		id, sc.PartnerID, string(sc.Environment)))
	return sub, s.mapErr(err)
}

// Subscriptions returns the scope's live subscriptions.
func (s *Store) Subscriptions(ctx context.Context, sc store.Scope) ([]store.Subscription, error) {
	rows, err := s.query(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE partner_id = $1 AND environment = $2 AND deleted_at IS NULL ORDER BY id DESC`,
		sc.PartnerID, string(sc.Environment))
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, sub)
	}
	return out, s.mapErr(rows.Err())
}

// DeleteSubscription stops a subscription and drops its pending deliveries.
func (s *Store) DeleteSubscription(ctx context.Context, sc store.Scope, id string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET deleted_at = $1 WHERE id = $2 AND partner_id = $3 AND environment = $4 AND deleted_at IS NULL`,
			ms(at), id, sc.PartnerID, string(sc.Environment))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return store.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'failed', last_error = 'subscription deleted', version = version + 1 WHERE subscription_id = $1 AND state = 'pending'`, id)
		return err
	})
}

const eventColumns = `id, partner_id, environment, event, verification_id, data, resource, created_at`

// qualified prefixes each of a list of columns with table.
func qualified(table, columns string) string {
	return table + "." + strings.ReplaceAll(columns, ", ", ", "+table+".")
}

const deliveryColumns = `id, subscription_id, event_id, event, verification_id, state, attempts, next_attempt_at, lease_until, last_status, last_error, delivered_at, created_at, version`

func scanDelivery(r scanner) (store.Delivery, error) {
	var d store.Delivery
	var next, lease, created int64
	var status, delivered sql.NullInt64
	if err := r.Scan(&d.ID, &d.SubscriptionID, &d.EventID, &d.EventName, &d.VerificationID, &d.State, &d.Attempts, &next, &lease, &status, &d.LastError, &delivered, &created, &d.Version); err != nil {
		return d, err
	}
	d.NextAttemptAt, d.LeaseUntil, d.CreatedAt = fromMS(next), fromMS(lease), fromMS(created)
	if status.Valid {
		v := int(status.Int64)
		d.LastStatus = &v
	}
	if delivered.Valid {
		t := fromMS(delivered.Int64)
		d.DeliveredAt = &t
	}
	return d, nil
}

// Deliveries returns a page of a subscription's deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, subscriptionID string, p store.Page) ([]store.Delivery, error) {
	q, args, order := `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE subscription_id = $1`, []any{subscriptionID}, "DESC"
	switch {
	case p.Before != "":
		q, args, order = q+` AND id > $2`, append(args, p.Before), "ASC"
	case p.After != "":
		q, args = q+` AND id < $2`, append(args, p.After)
	}
	args = append(args, p.Limit)
	rows, err := s.query(ctx, fmt.Sprintf("%s ORDER BY id %s LIMIT $%d", q, order, len(args)), args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, d)
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

// Delivery returns one delivery of a subscription.
func (s *Store) Delivery(ctx context.Context, subscriptionID, id string) (store.Delivery, error) {
	d, err := scanDelivery(s.fresh(ctx).QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = $1 AND subscription_id = $2`, id, subscriptionID))
	return d, s.mapErr(err)
}

// claimQuery leases the pending delivery due first that is first in line
// for its order key. Both scans read the partial indexes over pending
// deliveries (0016), so a claim costs the same whatever the backlog; on
// PostgreSQL, SKIP LOCKED lets concurrent claims pass over a row another
// worker is leasing instead of waiting for it. The outer conditions repeat
// the lease check for the row actually updated.
const claimQuery = `UPDATE webhook_deliveries SET lease_until = $2, attempts = attempts + 1, version = version + 1
WHERE id = (SELECT d.id FROM webhook_deliveries d
  WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND d.lease_until <= $1
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.state = 'pending' AND e.subscription_id = d.subscription_id
                  AND e.order_key = d.order_key AND d.order_key <> '' AND e.id < d.id)
  ORDER BY d.next_attempt_at, d.id LIMIT 1%s)
AND state = 'pending' AND lease_until <= $1
RETURNING ` + deliveryColumns

// ClaimDelivery leases the oldest due delivery that is first in line for
// its order key (its verification, or its user for account events), in one
// statement, and reads its subscription and event.
func (s *Store) ClaimDelivery(ctx context.Context, now, leaseUntil time.Time) (store.Delivery, store.Subscription, bool, error) {
	q, args := fmt.Sprintf(claimQuery, s.d.SkipLocked), []any{ms(now), ms(leaseUntil)}
	s.traced(q, args)
	d, err := scanDelivery(s.fresh(ctx).QueryRowContext(ctx, q, args...))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return store.Delivery{}, store.Subscription{}, false, s.mapErr(err)
	}
	// The subscription and the event, in one read.
	var e store.Event
	var env, data, resource string
	var created int64
	sub, err := scanSubscription(scanFunc(func(dest ...any) error {
		return s.queryRow(ctx, `SELECT `+qualified("webhook_subscriptions", subscriptionColumns)+`, `+qualified("webhook_events", eventColumns)+`
FROM webhook_subscriptions, webhook_events WHERE webhook_subscriptions.id = $1 AND webhook_events.id = $2`, d.SubscriptionID, d.EventID).
			Scan(append(dest, &e.ID, &e.PartnerID, &env, &e.Event, &e.VerificationID, &data, &resource, &created)...)
	}))
	if err != nil {
		return store.Delivery{}, store.Subscription{}, false, s.mapErr(err)
	}
	e.Environment, e.Data, e.CreatedAt = store.Environment(env), json.RawMessage(data), fromMS(created)
	if resource != "" {
		e.Resource = json.RawMessage(resource)
	}
	d.Event = &e
	return d, sub, true, nil
}

// FinishDelivery saves an attempt's outcome, in one statement.
func (s *Store) FinishDelivery(ctx context.Context, d store.Delivery) error {
	var status, delivered any
	if d.LastStatus != nil {
		status = *d.LastStatus
	}
	if d.DeliveredAt != nil {
		delivered = ms(*d.DeliveredAt)
	}
	res, err := s.fresh(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET state = $1, next_attempt_at = $2, lease_until = $3, last_status = $4, last_error = $5, delivered_at = $6, version = version + 1
WHERE id = $7 AND version = $8`,
		d.State, ms(d.NextAttemptAt), ms(d.LeaseUntil), status, truncate(d.LastError, 500), delivered, d.ID, d.Version)
	if err != nil {
		return s.mapErr(err)
	}
	return s.mapErr(expectOne(res))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// RetryDelivery makes a delivery due now, whatever its state. A delivery
// whose attempt is in flight (pending and leased) is left alone: that attempt
// is the retry, and taking its lease away would let a second worker send the
// delivery while the first one still is.
func (s *Store) RetryDelivery(ctx context.Context, subscriptionID, id string, now time.Time) (store.Delivery, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var state string
		var lease int64
		err := tx.QueryRowContext(ctx, `SELECT state, lease_until FROM webhook_deliveries WHERE id = $1 AND subscription_id = $2`, id, subscriptionID).Scan(&state, &lease)
		if err != nil {
			return err
		}
		if state == store.DeliveryPending && lease > ms(now) {
			return nil
		}
		// The condition repeats the check: a worker may lease it in the meantime.
		_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $1, version = version + 1
WHERE id = $2 AND subscription_id = $3 AND NOT (state = 'pending' AND lease_until > $1)`, ms(now), id, subscriptionID)
		return err
	})
	if err != nil {
		return store.Delivery{}, err
	}
	return s.Delivery(ctx, subscriptionID, id)
}
