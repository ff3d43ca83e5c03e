package partner_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/store/sqlite"
	"verigate/internal/store/sqlstore"
)

// countingStore counts the reads authentication makes.
type countingStore struct {
	*sqlstore.Store
	versions, lists atomic.Int64
}

func (c *countingStore) APIKeysVersion(ctx context.Context) (int, int64, error) {
	c.versions.Add(1)
	return c.Store.APIKeysVersion(ctx)
}

func (c *countingStore) APIKeys(ctx context.Context, partnerID string) ([]store.APIKey, error) {
	c.lists.Add(1)
	return c.Store.APIKeys(ctx, partnerID)
}

func openStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestAuthenticateReadsNoDatabasePerRequest(t *testing.T) {
	ctx := context.Background()
	cs := &countingStore{Store: openStore(t)}
	keys := &partner.Keys{Store: cs, Now: time.Now, Refresh: time.Hour}
	k, err := keys.CreatePartner(ctx, "Acme", "k", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Authenticate(ctx, k.ID, k.Secret); err != nil {
		t.Fatal(err)
	}
	v, l := cs.versions.Load(), cs.lists.Load()
	for i := range 200 {
		id, secret := k.ID, k.Secret
		switch i % 3 {
		case 1:
			secret = "wrong"
		case 2:
			id = "0123456789abcdef0123456789abcdef"
		}
		_, err := keys.Authenticate(ctx, id, secret)
		if (i%3 == 0) != (err == nil) || (err != nil && !errors.Is(err, partner.ErrUnauthenticated)) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Known ids, wrong secrets and unknown ids all took the in-memory path.
	if cs.versions.Load() != v || cs.lists.Load() != l {
		t.Fatalf("authentication read the database: %d version checks, %d key reads", cs.versions.Load()-v, cs.lists.Load()-l)
	}
}

func TestRevokedKeyFailsOnEveryProcess(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	one := &partner.Keys{Store: st, Now: time.Now, Refresh: 20 * time.Millisecond}
	other := &partner.Keys{Store: st, Now: time.Now, Refresh: 20 * time.Millisecond} // another process
	k, err := one.CreatePartner(ctx, "Acme", "k", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, err := other.Authenticate(ctx, k.ID, k.Secret); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the other process never accepted the new key: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := one.Revoke(ctx, partner.KeyScope{}, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := one.Authenticate(ctx, k.ID, k.Secret); !errors.Is(err, partner.ErrUnauthenticated) {
		t.Fatalf("the revoking process still accepts the key: %v", err)
	}
	for {
		_, err := other.Authenticate(ctx, k.ID, k.Secret)
		if errors.Is(err, partner.ErrUnauthenticated) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other process still accepts the revoked key: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := one.Revoke(ctx, partner.KeyScope{}, k.ID); !errors.Is(err, partner.ErrKeyRevoked) {
		t.Errorf("revoking twice: %v", err)
	}
}

func TestRotateAndLastUse(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	keys := &partner.Keys{Store: st, Now: func() time.Time { return now }}
	k, err := keys.CreatePartner(ctx, "Acme", "billing", store.Production)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Authenticate(ctx, k.ID, k.Secret); err != nil {
		t.Fatal(err)
	}
	if err := keys.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := &partner.Keys{Store: st, Now: time.Now} // nothing in memory
	list, err := fresh.List(ctx, partner.KeyScope{PartnerID: k.PartnerID})
	if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || *list[0].LastUsedAt != "2026-12-04T10:00:00.000Z" || list[0].Name != "billing" {
		t.Fatalf("after a use: %+v, %v", list, err)
	}
	// Another partner's scope does not reach the key.
	if _, err := keys.Rotate(ctx, partner.KeyScope{PartnerID: "someone-else"}, k.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rotating another partner's key: %v", err)
	}
	if _, err := keys.Rotate(ctx, partner.KeyScope{PartnerID: k.PartnerID, Environment: store.Sandbox}, k.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rotating a key of another environment: %v", err)
	}
	next, err := keys.Rotate(ctx, partner.KeyScope{PartnerID: k.PartnerID, Environment: store.Production}, k.ID)
	if err != nil || next.ID == k.ID || next.Secret == k.Secret || next.ClientID != k.ClientID || next.Environment != store.Production {
		t.Fatalf("Rotate = %+v, %v", next, err)
	}
	if _, err := keys.Authenticate(ctx, next.ID, next.Secret); err != nil {
		t.Errorf("the new key: %v", err)
	}
	if _, err := keys.Authenticate(ctx, k.ID, k.Secret); !errors.Is(err, partner.ErrUnauthenticated) {
		t.Errorf("the rotated key still works: %v", err)
	}
	list, _ = keys.List(ctx, partner.KeyScope{PartnerID: k.PartnerID})
	byID := map[string]partner.KeyView{}
	for _, v := range list {
		byID[v.ID] = v
	}
	if len(list) != 2 || byID[k.ID].RevokedAt == nil || byID[next.ID].RevokedAt != nil || byID[next.ID].Name != "billing" {
		t.Errorf("keys after rotating: %+v", list)
	}
}
