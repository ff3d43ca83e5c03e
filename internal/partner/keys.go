// Package partner provides verigate's tenancy: partners, their clients and
// API keys, key authentication, and the users partners create.
package partner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"verigate/internal/store"
)

// ErrUnauthenticated means the presented API key id or secret is wrong.
var ErrUnauthenticated = errors.New("partner: invalid API key")

// Principal is the authenticated caller of the partner API.
type Principal struct {
	KeyID       string
	PartnerID   string
	ClientID    string // the key's default client
	Environment store.Environment
}

// Scope returns the tenant boundary of the principal.
func (p Principal) Scope() store.Scope {
	return store.Scope{PartnerID: p.PartnerID, Environment: p.Environment}
}

// NewKey is a freshly created API key; Secret is shown once and never stored.
type NewKey struct {
	ID          string            `json:"api_key_id"`
	Secret      string            `json:"api_key_secret"`
	ClientID    string            `json:"client"`
	Environment store.Environment `json:"environment"`
	PartnerID   string            `json:"-"`
}

// keyCacheTTL bounds how long an API key record is reused from memory
// before it is read again.
const keyCacheTTL = 30 * time.Second

// KeyStore is the storage Keys needs.
type KeyStore interface {
	CreatePartner(ctx context.Context, p store.Partner, c store.Client, k store.APIKey) error
	CreateFirstPartner(ctx context.Context, p store.Partner, c store.Client, k store.APIKey) (bool, error)
	CreateAPIKey(ctx context.Context, k store.APIKey) error
	APIKey(ctx context.Context, id string) (store.APIKey, error)
	Client(ctx context.Context, id string) (store.Client, error)
}

// Keys creates and authenticates API keys.
type Keys struct {
	Store KeyStore
	Now   func() time.Time
	// cache holds recently used key records by id (cachedKey values), so
	// that authenticating a request usually needs no database read.
	cache sync.Map
}

type cachedKey struct {
	rec    store.APIKey
	expiry time.Time
}

// lookup returns a key record, from the cache while it is fresh.
func (k *Keys) lookup(ctx context.Context, id string) (store.APIKey, error) {
	now := k.Now()
	if c, ok := k.cache.Load(id); ok && now.Before(c.(cachedKey).expiry) {
		return c.(cachedKey).rec, nil
	}
	rec, err := k.Store.APIKey(ctx, id)
	if err != nil {
		return rec, err
	}
	k.cache.Store(id, cachedKey{rec: rec, expiry: now.Add(keyCacheTTL)})
	return rec, nil
}

func randomString(n int, enc func([]byte) string) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return enc(b), nil
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func (k *Keys) newKey(partnerID, clientID, name string, env store.Environment) (store.APIKey, NewKey, error) {
	id, err := randomString(16, hex.EncodeToString)
	if err != nil {
		return store.APIKey{}, NewKey{}, err
	}
	secret, err := randomString(32, base64.RawURLEncoding.EncodeToString)
	if err != nil {
		return store.APIKey{}, NewKey{}, err
	}
	rec := store.APIKey{ID: id, PartnerID: partnerID, ClientID: clientID, Name: name, Environment: env,
		SecretHash: hashSecret(secret), CreatedAt: k.Now().UTC()}
	return rec, NewKey{ID: id, Secret: secret, ClientID: clientID, Environment: env, PartnerID: partnerID}, nil
}

// CreatePartner creates a partner with a default client and a first key.
func (k *Keys) CreatePartner(ctx context.Context, partnerName, keyName string, env store.Environment) (NewKey, error) {
	out, _, err := k.createPartner(partnerName, keyName, env, func(p store.Partner, c store.Client, rec store.APIKey) (bool, error) {
		return true, k.Store.CreatePartner(ctx, p, c, rec)
	})
	return out, err
}

// CreateFirstPartner is CreatePartner on an empty database only; created
// reports whether this call made the partner.
func (k *Keys) CreateFirstPartner(ctx context.Context, partnerName, keyName string, env store.Environment) (out NewKey, created bool, err error) {
	return k.createPartner(partnerName, keyName, env, func(p store.Partner, c store.Client, rec store.APIKey) (bool, error) {
		return k.Store.CreateFirstPartner(ctx, p, c, rec)
	})
}

func (k *Keys) createPartner(partnerName, keyName string, env store.Environment,
	save func(store.Partner, store.Client, store.APIKey) (bool, error)) (NewKey, bool, error) {
	if !env.Valid() {
		return NewKey{}, false, fmt.Errorf("unknown environment %q (want sandbox or production)", env)
	}
	now := k.Now().UTC()
	p := store.Partner{ID: store.NewID(), Name: partnerName, CreatedAt: now}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "Default client", CreatedAt: now}
	rec, out, err := k.newKey(p.ID, c.ID, keyName, env)
	if err != nil {
		return NewKey{}, false, err
	}
	created, err := save(p, c, rec)
	if err != nil {
		return NewKey{}, false, fmt.Errorf("create partner: %w", err)
	}
	return out, created, nil
}

// CreateKeyForClient adds a key to the partner that owns clientID, with that client as default.
func (k *Keys) CreateKeyForClient(ctx context.Context, clientID, keyName string, env store.Environment) (NewKey, error) {
	if !env.Valid() {
		return NewKey{}, fmt.Errorf("unknown environment %q (want sandbox or production)", env)
	}
	// Client ids are UUIDs, stored in lower case; accept them in any case.
	c, err := k.Store.Client(ctx, strings.ToLower(strings.TrimSpace(clientID)))
	if err != nil {
		return NewKey{}, fmt.Errorf("client %s: %w", clientID, err)
	}
	rec, out, err := k.newKey(c.PartnerID, c.ID, keyName, env)
	if err != nil {
		return NewKey{}, err
	}
	if err := k.Store.CreateAPIKey(ctx, rec); err != nil {
		return NewKey{}, fmt.Errorf("create key: %w", err)
	}
	return out, nil
}

// dummyHash is compared against when a key id is unknown, so that unknown
// ids and wrong secrets take the same time.
var dummyHash = hashSecret("verigate-unknown-key")

// Authenticate checks an API key id and secret in constant time.
func (k *Keys) Authenticate(ctx context.Context, id, secret string) (Principal, error) {
	rec, err := k.lookup(ctx, id)
	want := rec.SecretHash
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return Principal{}, err
		}
		want = dummyHash
	}
	ok := subtle.ConstantTimeCompare(hashSecret(secret), want) == 1
	if err != nil || !ok {
		return Principal{}, ErrUnauthenticated
	}
	return Principal{KeyID: rec.ID, PartnerID: rec.PartnerID, ClientID: rec.ClientID, Environment: rec.Environment}, nil
}
