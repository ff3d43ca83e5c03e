package partner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"verigate/internal/store"
)

// KeyView is an API key as listings show it; its secret is never shown again.
type KeyView struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Client      string            `json:"client"`
	Environment store.Environment `json:"environment"`
	CreatedAt   string            `json:"created_at"`
	LastUsedAt  *string           `json:"last_used_at"`
	RevokedAt   *string           `json:"revoked_at"`
}

func timeOrNil(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(TimeFormat)
	return &s
}

// view renders a key with its last use as this process knows it.
func (k *Keys) view(rec store.APIKey) KeyView {
	used := rec.LastUsedAt
	if v, ok := k.used.Load(rec.ID); ok {
		if t := v.(time.Time); used == nil || t.After(*used) {
			used = &t
		}
	}
	return KeyView{ID: rec.ID, Name: rec.Name, Client: rec.ClientID, Environment: rec.Environment,
		CreatedAt: rec.CreatedAt.UTC().Format(TimeFormat), LastUsedAt: timeOrNil(used), RevokedAt: timeOrNil(rec.RevokedAt)}
}

// KeyScope limits key management to one partner's keys of one
// environment; the zero KeyScope (the command line's) reaches every key.
type KeyScope struct {
	PartnerID   string
	Environment store.Environment
}

func (sc KeyScope) has(rec store.APIKey) bool {
	return (sc.PartnerID == "" || rec.PartnerID == sc.PartnerID) && (sc.Environment == "" || rec.Environment == sc.Environment)
}

// List returns the keys in scope, oldest first, revoked ones included.
func (k *Keys) List(ctx context.Context, sc KeyScope) ([]KeyView, error) {
	all, err := k.Store.APIKeys(ctx, sc.PartnerID)
	if err != nil {
		return nil, err
	}
	out := make([]KeyView, 0, len(all))
	for _, rec := range all {
		if sc.has(rec) {
			out = append(out, k.view(rec))
		}
	}
	return out, nil
}

// ErrKeyRevoked means the key was revoked already.
var ErrKeyRevoked = errors.New("partner: the API key is revoked already")

// Revoke stops a key in scope working, within a second on every process:
// store.ErrNotFound for a key out of scope, ErrKeyRevoked for one revoked
// already.
func (k *Keys) Revoke(ctx context.Context, sc KeyScope, id string) (KeyView, error) {
	rec, err := k.record(ctx, sc, id)
	if err != nil {
		return KeyView{}, err
	}
	err = k.Store.RevokeAPIKey(ctx, rec.PartnerID, id, k.Now().UTC())
	if errors.Is(err, store.ErrConflict) {
		return KeyView{}, ErrKeyRevoked
	}
	if err != nil {
		return KeyView{}, err
	}
	k.changed()
	rec, err = k.record(ctx, sc, id)
	return k.view(rec), err
}

// Rotate replaces a key: a new key with the same name, client and
// environment, whose secret is returned once, and the old key revoked, in
// one transaction.
func (k *Keys) Rotate(ctx context.Context, sc KeyScope, id string) (NewKey, error) {
	var out NewKey
	err := k.Store.InTx(ctx, func(ctx context.Context) error {
		old, err := k.record(ctx, sc, id)
		if err != nil {
			return err
		}
		if old.RevokedAt != nil {
			return ErrKeyRevoked
		}
		rec, next, err := k.newKey(old.PartnerID, old.ClientID, old.Name, old.Environment)
		if err != nil {
			return err
		}
		if err := k.Store.CreateAPIKey(ctx, rec); err != nil {
			return err
		}
		out = next
		return k.Store.RevokeAPIKey(ctx, old.PartnerID, id, k.Now().UTC())
	})
	if err != nil {
		return NewKey{}, err
	}
	k.changed()
	return out, nil
}

// record returns one key in scope.
func (k *Keys) record(ctx context.Context, sc KeyScope, id string) (store.APIKey, error) {
	all, err := k.Store.APIKeys(ctx, sc.PartnerID)
	if err != nil {
		return store.APIKey{}, err
	}
	for _, rec := range all {
		if rec.ID == id && sc.has(rec) {
			return rec, nil
		}
	}
	return store.APIKey{}, store.ErrNotFound
}

// Flush writes the keys' last uses noted since the previous Flush.
func (k *Keys) Flush(ctx context.Context) error {
	batch := map[string]time.Time{}
	k.used.Range(func(id, t any) bool {
		batch[id.(string)] = t.(time.Time)
		return true
	})
	if len(batch) == 0 {
		return nil
	}
	if err := k.Store.TouchAPIKeys(ctx, batch); err != nil {
		return fmt.Errorf("record API key use: %w", err)
	}
	for id, t := range batch {
		k.used.CompareAndDelete(id, t) // a newer use stays for the next Flush
	}
	return nil
}

// Run flushes the keys' last uses every interval until ctx ends, and once more then.
func (k *Keys) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := k.Flush(context.WithoutCancel(ctx)); err != nil {
				log.Warn("API key use not recorded", "err", err)
			}
			return
		case <-t.C:
			if err := k.Flush(ctx); err != nil {
				log.Warn("API key use not recorded", "err", err)
			}
		}
	}
}
