package webhook

import (
	"context"
	"slices"

	"verigate/internal/store"
)

// OutboxStore is the storage an Outbox needs.
type OutboxStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateEvent(ctx context.Context, e store.Event) error
	Subscriptions(ctx context.Context, s store.Scope) ([]store.Subscription, error)
	QueueDeliveries(ctx context.Context, e store.Event, subscriptionIDs []string) error
}

// Outbox records events in the caller's transaction, each with a pending
// delivery for every live subscription of its tenant to its name; the
// Dispatcher sends them once the transaction commits.
type Outbox struct {
	Store OutboxStore
	// Wake, if set, tells the dispatcher that deliveries may be due; call
	// it through Notify once the recording transaction has committed.
	Wake func()
}

// Record saves e and queues its deliveries, joining the transaction ctx
// carries, if any.
func (o *Outbox) Record(ctx context.Context, e store.Event) error {
	return o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := o.Store.CreateEvent(ctx, e); err != nil {
			return err
		}
		subs, err := o.Store.Subscriptions(ctx, store.Scope{PartnerID: e.PartnerID, Environment: e.Environment})
		if err != nil {
			return err
		}
		return o.Store.QueueDeliveries(ctx, e, Subscribers(subs, e.Event))
	})
}

// RecordTo saves e and queues its deliveries to the given subscriptions
// only (ids of live subscriptions of e's tenant), joining the transaction
// ctx carries, if any. It is for events whose data differs per
// subscription, such as *.partially_synced with its days_synced.
func (o *Outbox) RecordTo(ctx context.Context, e store.Event, subscriptionIDs []string) error {
	return o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := o.Store.CreateEvent(ctx, e); err != nil {
			return err
		}
		ids := slices.Clone(subscriptionIDs)
		slices.Sort(ids)
		return o.Store.QueueDeliveries(ctx, e, ids)
	})
}

// Notify tells the dispatcher that recorded events may be due.
func (o *Outbox) Notify() {
	if o.Wake != nil {
		o.Wake()
	}
}

// Subscribers returns the ids of the subscriptions to event, oldest first.
func Subscribers(subs []store.Subscription, event string) []string {
	var ids []string
	for _, sub := range subs {
		if slices.Contains(sub.Events, event) {
			ids = append(ids, sub.ID)
		}
	}
	slices.Sort(ids)
	return ids
}
