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
	"sync/atomic"
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

// KeyStore is the storage Keys needs.
type KeyStore interface {
	// InTx runs fn in one transaction that every call with fn's context joins.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreatePartner(ctx context.Context, p store.Partner, c store.Client, k store.APIKey) error
	CreateFirstPartner(ctx context.Context, p store.Partner, c store.Client, k store.APIKey) (bool, error)
	CreateAPIKey(ctx context.Context, k store.APIKey) error
	Client(ctx context.Context, id string) (store.Client, error)
	// APIKeys returns every key of a partner ("" for all), revoked ones included.
	APIKeys(ctx context.Context, partnerID string) ([]store.APIKey, error)
	// APIKeysVersion changes whenever a key is created or revoked.
	APIKeysVersion(ctx context.Context) (count int, changed int64, err error)
	RevokeAPIKey(ctx context.Context, partnerID, id string, at time.Time) error
	TouchAPIKeys(ctx context.Context, used map[string]time.Time) error
}

// Keys creates, authenticates, lists, revokes and rotates API keys.
//
// Authentication reads no database on the request path: every process
// keeps the whole key set in memory and checks, at most once per Refresh
// (a second by default) and only when a request comes, whether a key was
// created or revoked anywhere; a revoked key therefore stops working within
// about a second on every process, and an unknown key id costs exactly
// what a known one does.
type Keys struct {
	Store KeyStore
	Now   func() time.Time
	// Refresh is how stale the in-memory key set may get; zero means a second.
	Refresh time.Duration

	mu      sync.Mutex // one reload at a time
	snap    atomic.Pointer[keySnapshot]
	checked atomic.Int64 // monotonic nanoseconds (since start) of the last version check
	used    sync.Map     // key id → time.Time of its last use, until Flush writes it
}

// keySnapshot is the key set as of one version.
type keySnapshot struct {
	byID    map[string]store.APIKey
	count   int
	changed int64
}

// start anchors the monotonic clock the freshness checks use.
var start = time.Now()

func (k *Keys) refresh() time.Duration {
	if k.Refresh > 0 {
		return k.Refresh
	}
	return time.Second
}

// keys returns the key set, reloading it when another process (or this
// one) changed it since the last check.
func (k *Keys) keys(ctx context.Context) (*keySnapshot, error) {
	snap := k.snap.Load()
	if snap != nil && time.Since(start)-time.Duration(k.checked.Load()) < k.refresh() {
		return snap, nil
	}
	if snap != nil {
		if !k.mu.TryLock() {
			return snap, nil // another request is checking; this one uses what it has
		}
	} else {
		k.mu.Lock()
	}
	defer k.mu.Unlock()
	if cur := k.snap.Load(); cur != nil && time.Since(start)-time.Duration(k.checked.Load()) < k.refresh() {
		return cur, nil
	}
	count, changed, err := k.Store.APIKeysVersion(ctx)
	if err != nil {
		if snap != nil {
			return snap, nil // keep serving the last known set while the database is away
		}
		return nil, err
	}
	if snap == nil || count != snap.count || changed != snap.changed {
		all, err := k.Store.APIKeys(ctx, "")
		if err != nil {
			if snap != nil {
				return snap, nil
			}
			return nil, err
		}
		next := &keySnapshot{byID: make(map[string]store.APIKey, len(all)), count: count, changed: changed}
		for _, rec := range all {
			next.byID[rec.ID] = rec
		}
		k.snap.Store(next)
		snap = next
	}
	k.checked.Store(int64(time.Since(start)))
	return snap, nil
}

// changed makes the next request check the key set, after a change made here.
func (k *Keys) changed() { k.checked.Store(int64(-time.Hour)) }

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
	k.changed()
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
	k.changed()
	return out, nil
}

// dummyHash is compared against when a key id is unknown, so that unknown
// ids and wrong secrets take the same time.
var dummyHash = hashSecret("verigate-unknown-key")

// Authenticate checks an API key id and secret in constant time: an
// unknown id, a wrong secret and a revoked key are refused alike, after the
// same work.
func (k *Keys) Authenticate(ctx context.Context, id, secret string) (Principal, error) {
	snap, err := k.keys(ctx)
	if err != nil {
		return Principal{}, err
	}
	rec, found := snap.byID[id]
	want := dummyHash
	if found {
		want = rec.SecretHash
	}
	ok := subtle.ConstantTimeCompare(hashSecret(secret), want) == 1
	if !found || !ok || rec.RevokedAt != nil {
		return Principal{}, ErrUnauthenticated
	}
	k.used.Store(rec.ID, k.Now().UTC())
	return Principal{KeyID: rec.ID, PartnerID: rec.PartnerID, ClientID: rec.ClientID, Environment: rec.Environment}, nil
}
