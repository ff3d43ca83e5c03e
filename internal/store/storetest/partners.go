package storetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// partnerTests cover partners, their clients and API keys, and first start.
var partnerTests = []storeTest{
	{"CountPartnersEmpty", testCountPartnersEmpty},
	{"CreatePartnerRoundTrip", testCreatePartnerRoundTrip},
	{"CreatePartnerDuplicateKeyIsAtomic", testCreatePartnerDuplicateKeyIsAtomic},
	{"CreatePartnerDuplicatePartnerOrClient", testCreatePartnerDuplicatePartnerOrClient},
	{"CreateAPIKey", testCreateAPIKey},
	{"CreateFirstPartner", testCreateFirstPartner},
	{"APIKeyLifecycle", testAPIKeyLifecycle},
}

// testAPIKeyLifecycle covers listing, revoking and touching keys, and the
// version every process watches to notice a change.
func testAPIKeyLifecycle(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Other")
	second := store.APIKey{ID: "key-a2", PartnerID: a.Partner.ID, ClientID: a.Client.ID, Name: "second", Environment: store.Production,
		SecretHash: []byte{9}, CreatedAt: at(50)}
	must(t, "CreateAPIKey", s.CreateAPIKey(ctx(t), second))
	keys, err := s.APIKeys(ctx(t), a.Partner.ID)
	must(t, "APIKeys", err)
	if len(keys) != 2 || keys[0].ID != a.Key.ID || keys[1].ID != second.ID || keys[1].RevokedAt != nil || keys[1].LastUsedAt != nil {
		t.Fatalf("APIKeys of a partner = %+v", keys)
	}
	all, err := s.APIKeys(ctx(t), "")
	must(t, "APIKeys of everyone", err)
	if len(all) != 3 {
		t.Fatalf("APIKeys of everyone: %d keys", len(all))
	}
	n, v1, err := s.APIKeysVersion(ctx(t))
	must(t, "APIKeysVersion", err)
	if n != 3 || v1 == 0 {
		t.Fatalf("APIKeysVersion = %d, %d", n, v1)
	}

	mustErr(t, "RevokeAPIKey of another partner's key", s.RevokeAPIKey(ctx(t), b.Partner.ID, second.ID, at(60)), store.ErrNotFound)
	mustErr(t, "RevokeAPIKey unknown", s.RevokeAPIKey(ctx(t), "", "no-such-key", at(60)), store.ErrNotFound)
	// Revoked at an instant before the latest change: the version still moves.
	must(t, "RevokeAPIKey", s.RevokeAPIKey(ctx(t), a.Partner.ID, second.ID, at(10)))
	mustErr(t, "RevokeAPIKey again", s.RevokeAPIKey(ctx(t), "", second.ID, at(70)), store.ErrConflict)
	_, v2, err := s.APIKeysVersion(ctx(t))
	must(t, "APIKeysVersion", err)
	if v2 <= v1 {
		t.Errorf("the version did not move with a revocation: %d then %d", v1, v2)
	}
	got, err := s.APIKey(ctx(t), second.ID)
	must(t, "APIKey", err)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(stored(at(10))) {
		t.Errorf("revoked key: %+v", got)
	}

	must(t, "TouchAPIKeys", s.TouchAPIKeys(ctx(t), map[string]time.Time{a.Key.ID: at(80)}))
	must(t, "TouchAPIKeys with an older time", s.TouchAPIKeys(ctx(t), map[string]time.Time{a.Key.ID: at(75)}))
	got, err = s.APIKey(ctx(t), a.Key.ID)
	must(t, "APIKey", err)
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(stored(at(80))) {
		t.Errorf("last used: %v", got.LastUsedAt)
	}
	if _, v3, _ := s.APIKeysVersion(ctx(t)); v3 != v2 {
		t.Errorf("using a key moved the version: %d then %d", v2, v3)
	}
}

func testCountPartnersEmpty(t *testing.T, s *sqlstore.Store) {
	n, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 0 {
		t.Fatalf("CountPartners on a new store = %d, want 0", n)
	}
}

func testCreatePartnerRoundTrip(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	n, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 2 {
		t.Fatalf("CountPartners = %d, want 2", n)
	}
	for _, tn := range []tenant{a, b} {
		p, err := s.Partner(ctx(t), tn.Partner.ID)
		must(t, "Partner", err)
		wantP := tn.Partner
		wantP.CreatedAt = stored(wantP.CreatedAt)
		mustEqual(t, "Partner", wantP, p)

		c, err := s.Client(ctx(t), tn.Client.ID)
		must(t, "Client", err)
		want := tn.Client
		want.CreatedAt = stored(want.CreatedAt)
		mustEqual(t, "Client", want, c)

		k, err := s.APIKey(ctx(t), tn.Key.ID)
		must(t, "APIKey", err)
		wantK := tn.Key
		wantK.CreatedAt = stored(wantK.CreatedAt)
		mustEqual(t, "APIKey", wantK, k)
	}
	_, err = s.Partner(ctx(t), "no-such-partner")
	mustErr(t, "Partner unknown", err, store.ErrNotFound)
}

func testCreatePartnerDuplicateKeyIsAtomic(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	p := store.Partner{ID: store.NewID(), Name: "Dup", CreatedAt: at(0)}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "Dup client", CreatedAt: at(0)}
	k := store.APIKey{ID: a.Key.ID, PartnerID: p.ID, ClientID: c.ID, Name: "dup", Environment: store.Production,
		SecretHash: []byte("x"), CreatedAt: at(0)}
	mustErr(t, "CreatePartner with an existing key id", s.CreatePartner(ctx(t), p, c, k), store.ErrDuplicate)

	n, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 1 {
		t.Errorf("CountPartners after failed CreatePartner = %d, want 1 (partner left behind)", n)
	}
	_, err = s.Client(ctx(t), c.ID)
	mustErr(t, "Client of failed CreatePartner", err, store.ErrNotFound)
	got, err := s.APIKey(ctx(t), a.Key.ID)
	must(t, "APIKey", err)
	if got.PartnerID != a.Partner.ID || got.Name != a.Key.Name {
		t.Errorf("existing key was changed: %+v", got)
	}

	// The same partner can then be created with a fresh key id.
	k.ID = store.NewID()
	must(t, "CreatePartner retry", s.CreatePartner(ctx(t), p, c, k))
	n, err = s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 2 {
		t.Errorf("CountPartners = %d, want 2", n)
	}
}

func testCreatePartnerDuplicatePartnerOrClient(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")

	// Same partner id.
	c := store.Client{ID: store.NewID(), PartnerID: a.Partner.ID, Name: "c", CreatedAt: at(0)}
	k := store.APIKey{ID: store.NewID(), PartnerID: a.Partner.ID, ClientID: c.ID, Name: "k", Environment: store.Sandbox, SecretHash: []byte("h"), CreatedAt: at(0)}
	mustErr(t, "CreatePartner with an existing partner id", s.CreatePartner(ctx(t), a.Partner, c, k), store.ErrDuplicate)
	_, err := s.Client(ctx(t), c.ID)
	mustErr(t, "Client of failed CreatePartner", err, store.ErrNotFound)
	_, err = s.APIKey(ctx(t), k.ID)
	mustErr(t, "APIKey of failed CreatePartner", err, store.ErrNotFound)

	// Same client id under a new partner.
	p := store.Partner{ID: store.NewID(), Name: "P", CreatedAt: at(0)}
	c2 := store.Client{ID: a.Client.ID, PartnerID: p.ID, Name: "c2", CreatedAt: at(0)}
	k2 := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c2.ID, Name: "k2", Environment: store.Sandbox, SecretHash: []byte("h"), CreatedAt: at(0)}
	mustErr(t, "CreatePartner with an existing client id", s.CreatePartner(ctx(t), p, c2, k2), store.ErrDuplicate)
	n, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 1 {
		t.Errorf("CountPartners = %d, want 1", n)
	}
	got, err := s.Client(ctx(t), a.Client.ID)
	must(t, "Client", err)
	if got.PartnerID != a.Partner.ID || got.Name != a.Client.Name {
		t.Errorf("existing client was changed: %+v", got)
	}
}

func testCreateAPIKey(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	k := store.APIKey{ID: store.NewID(), PartnerID: a.Partner.ID, ClientID: a.Client.ID, Name: "production key",
		Environment: store.Production, SecretHash: bytes.Repeat([]byte{0xa5, 0x00, 0x5a}, 11), CreatedAt: at(30)}
	must(t, "CreateAPIKey", s.CreateAPIKey(ctx(t), k))
	got, err := s.APIKey(ctx(t), k.ID)
	must(t, "APIKey", err)
	k.CreatedAt = stored(k.CreatedAt)
	mustEqual(t, "APIKey", k, got)

	// The partner's first key is untouched.
	first, err := s.APIKey(ctx(t), a.Key.ID)
	must(t, "APIKey first", err)
	if first.Environment != store.Sandbox || !bytes.Equal(first.SecretHash, a.Key.SecretHash) {
		t.Errorf("first key changed: %+v", first)
	}

	dup := k
	dup.Name = "other"
	mustErr(t, "CreateAPIKey duplicate id", s.CreateAPIKey(ctx(t), dup), store.ErrDuplicate)
	got, err = s.APIKey(ctx(t), k.ID)
	must(t, "APIKey", err)
	if got.Name != "production key" {
		t.Errorf("duplicate CreateAPIKey overwrote the key: name %q", got.Name)
	}
}

func testCreateFirstPartner(t *testing.T, s *sqlstore.Store) {
	// Several processes starting on an empty database make one first partner.
	var wg sync.WaitGroup
	results := make(chan bool, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := store.Partner{ID: store.NewID(), Name: "first", CreatedAt: at(i)}
			c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "c", CreatedAt: at(i)}
			k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "k", Environment: store.Sandbox, SecretHash: []byte{1}, CreatedAt: at(i)}
			created, err := s.CreateFirstPartner(ctx(t), p, c, k)
			if err != nil {
				t.Errorf("CreateFirstPartner: %v", err)
			}
			results <- created
		}(i)
	}
	wg.Wait()
	close(results)
	n := 0
	for created := range results {
		if created {
			n++
		}
	}
	count, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 1 || count != 1 {
		t.Fatalf("%d calls created a partner and %d partners exist; want 1 and 1", n, count)
	}
}
