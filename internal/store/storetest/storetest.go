// Package storetest is the conformance suite every store.Store implementation
// must pass. Each database's tests call Run with a function that opens a fresh,
// empty, migrated store.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"verigate/internal/store"
)

// Run runs the suite. open is called once per subtest and must return a
// fresh, empty, migrated store that no other subtest uses; it should close the
// store with t.Cleanup. Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"CountPartnersEmpty", testCountPartnersEmpty},
		{"CreatePartnerRoundTrip", testCreatePartnerRoundTrip},
		{"CreatePartnerDuplicateKeyIsAtomic", testCreatePartnerDuplicateKeyIsAtomic},
		{"CreatePartnerDuplicatePartnerOrClient", testCreatePartnerDuplicatePartnerOrClient},
		{"CreateAPIKey", testCreateAPIKey},
		{"NotFound", testNotFound},
		{"Secret", testSecret},
		{"SecretGenError", testSecretGenError},
		{"SecretConcurrentFirstUse", testSecretConcurrentFirstUse},
		{"UserRoundTrip", testUserRoundTrip},
		{"UserDefaults", testUserDefaults},
		{"UserScope", testUserScope},
		{"UserDuplicate", testUserDuplicate},
		{"UpdateUser", testUpdateUser},
		{"UpdateUserConcurrent", testUpdateUserConcurrent},
		{"VerificationRoundTrip", testVerificationRoundTrip},
		{"VerificationNilFields", testVerificationNilFields},
		{"VerificationScope", testVerificationScope},
		{"VerificationHead", testVerificationHead},
		{"VerificationDuplicate", testVerificationDuplicate},
		{"UpdateVerification", testUpdateVerification},
		{"UpdateVerificationStale", testUpdateVerificationStale},
		{"UpdateVerificationConcurrent", testUpdateVerificationConcurrent},
		{"StatusHistory", testStatusHistory},
		{"NewIDOrder", testNewIDOrder},
		{"ListOrder", testListOrder},
		{"ListFilters", testListFilters},
		{"ListScope", testListScope},
		{"ListPaging", testListPaging},
		{"ListPagingWithInserts", testListPagingWithInserts},
		{"Accounts", testAccounts},
		{"ForeignKeys", testForeignKeys},
	}
	tests = append(tests, recordTests...)
	tests = append(tests, customizationTests...)
	tests = append(tests, partnerTests...)
	tests = append(tests, reportTests...)
	tests = append(tests, connectSessionTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// base is a time with sub-millisecond digits in a non-UTC zone, so the suite
// notices times that are not truncated to milliseconds or not returned in UTC.
var base = time.Date(2024, 3, 5, 10, 11, 12, 345_678_901, time.FixedZone("CET", 3600))

// at returns base plus n seconds and a few microseconds.
func at(n int) time.Time { return base.Add(time.Duration(n)*time.Second + 7*time.Microsecond) }

// stored is how a store gives back t: millisecond precision, UTC.
func stored(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

func ptr(s string) *string { return &s }

// diff lists the exported fields in which two structs of the same type differ.
func diff(want, got any) []string {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	if wv.Type() != gv.Type() || wv.Kind() != reflect.Struct {
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("got %#v, want %#v", got, want)}
		}
		return nil
	}
	var out []string
	for i := 0; i < wv.NumField(); i++ {
		w, g := wv.Field(i).Interface(), gv.Field(i).Interface()
		if reflect.DeepEqual(w, g) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: got %s, want %s", wv.Type().Field(i).Name, show(g), show(w)))
	}
	return out
}

func show(v any) string {
	switch x := v.(type) {
	case json.RawMessage:
		if x == nil {
			return "nil RawMessage"
		}
		return fmt.Sprintf("RawMessage(%q)", string(x))
	case *string:
		if x == nil {
			return "nil *string"
		}
		return fmt.Sprintf("&%q", *x)
	case []byte:
		return fmt.Sprintf("%x", x)
	case time.Time:
		return x.Format(time.RFC3339Nano) + " (" + x.Location().String() + ")"
	}
	return fmt.Sprintf("%#v", v)
}

func mustEqual(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := diff(want, got); len(d) > 0 {
		t.Errorf("%s differs:\n  %s", what, strings.Join(d, "\n  "))
	}
}

func mustErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// tenant is a partner with its first client and key.
type tenant struct {
	Partner store.Partner
	Client  store.Client
	Key     store.APIKey
}

func (tn tenant) scope(env store.Environment) store.Scope {
	return store.Scope{PartnerID: tn.Partner.ID, Environment: env}
}

func newTenant(t *testing.T, s store.Store, name string) tenant {
	t.Helper()
	p := store.Partner{ID: store.NewID(), Name: name, CreatedAt: at(0)}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: name + " client", CreatedAt: at(1)}
	k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: name + " key",
		Environment: store.Sandbox, SecretHash: []byte{0, 1, 2, 0xfe, 0xff, 0}, CreatedAt: at(2)}
	must(t, "CreatePartner", s.CreatePartner(ctx(t), p, c, k))
	return tenant{p, c, k}
}

func newUser(t *testing.T, s store.Store, tn tenant, env store.Environment) store.User {
	t.Helper()
	u := store.User{
		ID: store.NewID(), PartnerID: tn.Partner.ID, Environment: env, ClientID: tn.Client.ID,
		Profile:            json.RawMessage(`{"first_name":"Zoë","last_name":"O'Brien"}`),
		ItemsConnected:     []string{},
		EmployersConnected: []string{},
		CreatedAt:          at(10), UpdatedAt: at(10),
	}
	must(t, "CreateUser", s.CreateUser(ctx(t), u))
	u.CreatedAt, u.UpdatedAt, u.Version = stored(u.CreatedAt), stored(u.UpdatedAt), 1
	return u
}

// newVerification stores a verification for u, after applying mods, with a
// first history entry; it returns the record as the store should give it back.
func newVerification(t *testing.T, s store.Store, u store.User, mods ...func(*store.Verification)) store.Verification {
	t.Helper()
	v := store.Verification{
		ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, ClientID: u.ClientID, UserID: u.ID,
		Channel: "api", DataSource: "payroll", ReportType: "voie", State: "pending", Code: "awaiting_connection",
		Errors: json.RawMessage(`[]`), Employments: json.RawMessage(`[]`), Loan: json.RawMessage(`{}`), Billing: json.RawMessage(`{}`),
		CreatedAt: at(20), UpdatedAt: at(20),
	}
	for _, m := range mods {
		m(&v)
	}
	first := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: v.State, Code: v.Code,
		Errors: json.RawMessage(`[]`), Reason: "ordered", CreatedAt: v.CreatedAt}
	must(t, "CreateVerification", s.CreateVerification(ctx(t), v, first))
	v.CreatedAt, v.UpdatedAt, v.Version = stored(v.CreatedAt), stored(v.UpdatedAt), 1
	return v
}

func testPing(t *testing.T, s store.Store) {
	must(t, "Ping", s.Ping(ctx(t)))
}

func testCountPartnersEmpty(t *testing.T, s store.Store) {
	n, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 0 {
		t.Fatalf("CountPartners on a new store = %d, want 0", n)
	}
}

func testCreatePartnerRoundTrip(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	n, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 2 {
		t.Fatalf("CountPartners = %d, want 2", n)
	}
	for _, tn := range []tenant{a, b} {
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
}

func testCreatePartnerDuplicateKeyIsAtomic(t *testing.T, s store.Store) {
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

func testCreatePartnerDuplicatePartnerOrClient(t *testing.T, s store.Store) {
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

func testCreateAPIKey(t *testing.T, s store.Store) {
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

func testNotFound(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	_, err := s.APIKey(ctx(t), store.NewID())
	mustErr(t, "APIKey unknown", err, store.ErrNotFound)
	_, err = s.Client(ctx(t), store.NewID())
	mustErr(t, "Client unknown", err, store.ErrNotFound)
	_, err = s.User(ctx(t), a.scope(store.Sandbox), store.NewID())
	mustErr(t, "User unknown", err, store.ErrNotFound)
	_, err = s.Verification(ctx(t), a.scope(store.Sandbox), store.NewID())
	mustErr(t, "Verification unknown", err, store.ErrNotFound)
	// Ids of other record types are not found either.
	_, err = s.Client(ctx(t), a.Key.ID)
	mustErr(t, "Client by key id", err, store.ErrNotFound)
	_, err = s.APIKey(ctx(t), a.Client.ID)
	mustErr(t, "APIKey by client id", err, store.ErrNotFound)
	h, err := s.StatusHistory(ctx(t), store.NewID())
	must(t, "StatusHistory unknown", err)
	if len(h) != 0 {
		t.Errorf("StatusHistory of unknown verification = %v, want none", h)
	}
	list, err := s.ListVerifications(ctx(t), a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 10})
	must(t, "ListVerifications empty", err)
	if len(list) != 0 {
		t.Errorf("ListVerifications on empty store = %d records", len(list))
	}
}

func testSecret(t *testing.T, s store.Store) {
	calls := 0
	val := []byte{0, 1, 2, 3, 0xff, 0xfe, 'a', 0}
	gen := func() ([]byte, error) { calls++; return val, nil }
	got, err := s.Secret(ctx(t), "seal", gen)
	must(t, "Secret first", err)
	if !bytes.Equal(got, val) || calls != 1 {
		t.Fatalf("Secret first = %x (gen called %d times), want %x once", got, calls, val)
	}
	got, err = s.Secret(ctx(t), "seal", func() ([]byte, error) { calls++; return []byte("other"), nil })
	must(t, "Secret second", err)
	if !bytes.Equal(got, val) || calls != 1 {
		t.Fatalf("Secret second = %x (gen called %d times), want the stored %x without calling gen", got, calls, val)
	}
	other, err := s.Secret(ctx(t), "cookie", func() ([]byte, error) { return []byte("cookie-secret"), nil })
	must(t, "Secret other name", err)
	if string(other) != "cookie-secret" {
		t.Fatalf("Secret of another name = %q", other)
	}
	got, err = s.Secret(ctx(t), "seal", gen)
	must(t, "Secret third", err)
	if !bytes.Equal(got, val) {
		t.Fatalf("Secret after another name = %x, want %x", got, val)
	}
}

func testSecretGenError(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	_, err := s.Secret(ctx(t), "k", func() ([]byte, error) { return nil, boom })
	mustErr(t, "Secret with failing gen", err, boom)
	got, err := s.Secret(ctx(t), "k", func() ([]byte, error) { return []byte("ok"), nil })
	must(t, "Secret after failing gen", err)
	if string(got) != "ok" {
		t.Fatalf("Secret after failing gen = %q, want %q", got, "ok")
	}
}

func testSecretConcurrentFirstUse(t *testing.T, s store.Store) {
	const n, rounds = 8, 10
	for r := range rounds {
		name := fmt.Sprint("shared-", r)
		var wg sync.WaitGroup
		results := make([][]byte, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = s.Secret(ctx(t), name, func() ([]byte, error) {
					time.Sleep(time.Millisecond) // let the others reach the store first
					return []byte(fmt.Sprintf("candidate-%d", i)), nil
				})
			}()
		}
		close(start)
		wg.Wait()
		for i := range n {
			must(t, fmt.Sprintf("Secret goroutine %d", i), errs[i])
			if !bytes.Equal(results[i], results[0]) {
				t.Fatalf("round %d: concurrent first Secret calls disagree: %q vs %q", r, results[i], results[0])
			}
		}
		if !strings.HasPrefix(string(results[0]), "candidate-") {
			t.Fatalf("Secret = %q, want one of the generated values", results[0])
		}
		again, err := s.Secret(ctx(t), name, func() ([]byte, error) { return []byte("late"), nil })
		must(t, "Secret after race", err)
		if !bytes.Equal(again, results[0]) {
			t.Fatalf("round %d: Secret after race = %q, want %q", r, again, results[0])
		}
	}
}

func testUserRoundTrip(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := store.User{
		ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Production, ClientID: a.Client.ID,
		Profile:            json.RawMessage(`{"first_name":"Zoë","last_name":"日本","ssn":"123-45-6789","metadata":{"a":[1,2,{"b":null}]},"note":"line\nbreak \"quoted\""}`),
		ExternalID:         ptr("ext-42"),
		ItemsConnected:     []string{"item_1", "item 2", "ï"},
		EmployersConnected: []string{"Acme Corp"},
		CreatedAt:          at(1), UpdatedAt: at(2),
		Version: 99, // ignored: a new user starts at version 1
	}
	must(t, "CreateUser", s.CreateUser(ctx(t), u))
	got, err := s.User(ctx(t), a.scope(store.Production), u.ID)
	must(t, "User", err)
	want := u
	want.CreatedAt, want.UpdatedAt, want.Version = stored(u.CreatedAt), stored(u.UpdatedAt), 1
	mustEqual(t, "User", want, got)
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt location = %v, want UTC", got.CreatedAt.Location())
	}

	// A user with no external id keeps it nil.
	v := newUser(t, s, a, store.Sandbox)
	got, err = s.User(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "User", err)
	mustEqual(t, "User without external id", v, got)
	if got.ExternalID != nil {
		t.Errorf("ExternalID = %q, want nil", *got.ExternalID)
	}
}

func testUserDefaults(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := store.User{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, ClientID: a.Client.ID,
		Profile: json.RawMessage(`{}`), CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, "CreateUser", s.CreateUser(ctx(t), u))
	got, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID)
	must(t, "User", err)
	if got.ItemsConnected == nil || len(got.ItemsConnected) != 0 || got.EmployersConnected == nil || len(got.EmployersConnected) != 0 {
		t.Errorf("nil lists came back as %#v, %#v; want empty non-nil lists", got.ItemsConnected, got.EmployersConnected)
	}

	// A user stored without a profile reads back as valid JSON.
	u2 := u
	u2.ID = store.NewID()
	u2.Profile = nil
	must(t, "CreateUser without profile", s.CreateUser(ctx(t), u2))
	got, err = s.User(ctx(t), a.scope(store.Sandbox), u2.ID)
	must(t, "User", err)
	if !json.Valid(got.Profile) {
		t.Errorf("Profile of a user created without one = %q, not valid JSON", got.Profile)
	}
}

func testUserScope(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	u := newUser(t, s, a, store.Sandbox)
	_, err := s.User(ctx(t), a.scope(store.Production), u.ID)
	mustErr(t, "User in other environment", err, store.ErrNotFound)
	_, err = s.User(ctx(t), b.scope(store.Sandbox), u.ID)
	mustErr(t, "User of other partner", err, store.ErrNotFound)
	_, err = s.User(ctx(t), store.Scope{}, u.ID)
	mustErr(t, "User with empty scope", err, store.ErrNotFound)
	got, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID)
	must(t, "User in scope", err)
	mustEqual(t, "User", u, got)
}

func testUserDuplicate(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	dup := u
	dup.Profile = json.RawMessage(`{"first_name":"Other"}`)
	mustErr(t, "CreateUser duplicate id", s.CreateUser(ctx(t), dup), store.ErrDuplicate)
	got, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID)
	must(t, "User", err)
	mustEqual(t, "User after duplicate create", u, got)
}

func testUpdateUser(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)

	u.Profile = json.RawMessage(`{"first_name":"Ann","email":"ann@example.com"}`)
	u.ExternalID = ptr("ext-1")
	u.ItemsConnected = []string{"i1", "i2"}
	u.EmployersConnected = []string{"E1"}
	u.UpdatedAt = at(100)
	must(t, "UpdateUser", s.UpdateUser(ctx(t), u))
	got, err := s.User(ctx(t), sc, u.ID)
	must(t, "User", err)
	want := u
	want.UpdatedAt, want.Version = stored(u.UpdatedAt), 2
	mustEqual(t, "updated User", want, got)

	// A stale version is refused and changes nothing.
	stale := u // still Version 1
	stale.Profile = json.RawMessage(`{"first_name":"Stale"}`)
	stale.UpdatedAt = at(200)
	mustErr(t, "UpdateUser stale", s.UpdateUser(ctx(t), stale), store.ErrConflict)
	got, err = s.User(ctx(t), sc, u.ID)
	must(t, "User", err)
	mustEqual(t, "User after stale update", want, got)

	// Clearing the external id stores nil; version goes on incrementing.
	next := got
	next.ExternalID = nil
	next.ItemsConnected = nil
	next.UpdatedAt = at(300)
	must(t, "UpdateUser current", s.UpdateUser(ctx(t), next))
	got, err = s.User(ctx(t), sc, u.ID)
	must(t, "User", err)
	if got.Version != 3 || got.ExternalID != nil || len(got.ItemsConnected) != 0 || !got.UpdatedAt.Equal(stored(at(300))) {
		t.Errorf("after second update: version %d, external id %v, items %v, updated %v", got.Version, got.ExternalID, got.ItemsConnected, got.UpdatedAt)
	}
	if !got.CreatedAt.Equal(u.CreatedAt) {
		t.Errorf("UpdateUser changed CreatedAt to %v", got.CreatedAt)
	}

	// Updating a user that does not exist fails.
	ghost := next
	ghost.ID = store.NewID()
	if err := s.UpdateUser(ctx(t), ghost); !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateUser unknown user: got %v, want ErrConflict or ErrNotFound", err)
	}
}

func testUpdateUserConcurrent(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := u
			v.ExternalID = ptr(fmt.Sprint(i))
			<-start
			errs[i] = s.UpdateUser(ctx(t), v)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("concurrent UpdateUser: %v, want nil or ErrConflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent updates of the same version succeeded, want 1", ok, n)
	}
	got, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID)
	must(t, "User", err)
	if got.Version != 2 {
		t.Errorf("version after concurrent updates = %d, want 2", got.Version)
	}
}

func fullVerification(v *store.Verification) {
	v.Channel = "email"
	v.DataSource = "financial_institution"
	v.ReportType = "voa"
	v.State = "completed"
	v.Code = "report_ready"
	v.Errors = json.RawMessage(`[{"code":"x","message":"ünïcode \"q\""}]`)
	v.ReportID = ptr("rep_1")
	v.FileURL = ptr("https://example.com/r.pdf?a=1&b=2")
	v.JSONURL = ptr("https://example.com/r.json")
	v.ReportConfiguration = json.RawMessage(`{"days_requested":90,"include":["assets"]}`)
	v.Employments = json.RawMessage(`[{"employer":"Acme","start":"2020-01-01"}]`)
	v.Loan = json.RawMessage(`{"number":"L-1","amount":100000}`)
	v.Billing = json.RawMessage(`{"cost_center":"cc"}`)
	v.LoanNumber = ptr("L-1")
	v.CreatedAt = at(40)
	v.UpdatedAt = at(41)
}

func testVerificationRoundTrip(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Production)
	v := newVerification(t, s, u, fullVerification)
	got, err := s.Verification(ctx(t), a.scope(store.Production), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification", v, got)
	if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Errorf("times not in UTC: %v %v", got.CreatedAt.Location(), got.UpdatedAt.Location())
	}

	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 1 {
		t.Fatalf("history has %d entries, want 1", len(h))
	}
	if h[0].VerificationID != v.ID || h[0].State != v.State || h[0].Code != v.Code || h[0].Reason != "ordered" ||
		string(h[0].Errors) != `[]` || !h[0].CreatedAt.Equal(v.CreatedAt) || h[0].CreatedAt.Location() != time.UTC || h[0].ID == "" {
		t.Errorf("first history entry = %+v", h[0])
	}
}

func testVerificationNilFields(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification with nil pointers", v, got)
	if got.ReportConfiguration != nil {
		t.Errorf("ReportConfiguration = %q, want nil", got.ReportConfiguration)
	}

	// Empty JSON documents come back as their empty values, never as invalid JSON.
	w := newVerification(t, s, u, func(v *store.Verification) {
		v.Errors, v.Employments, v.Loan, v.Billing = nil, nil, nil, nil
	})
	got, err = s.Verification(ctx(t), a.scope(store.Sandbox), w.ID)
	must(t, "Verification", err)
	if string(got.Errors) != `[]` || string(got.Employments) != `[]` || string(got.Loan) != `{}` || string(got.Billing) != `{}` {
		t.Errorf("empty documents came back as errors=%q employments=%q loan=%q billing=%q", got.Errors, got.Employments, got.Loan, got.Billing)
	}
}

func testVerificationScope(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox))
	_, err := s.Verification(ctx(t), a.scope(store.Production), v.ID)
	mustErr(t, "Verification in other environment", err, store.ErrNotFound)
	_, err = s.Verification(ctx(t), b.scope(store.Sandbox), v.ID)
	mustErr(t, "Verification of other partner", err, store.ErrNotFound)
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification in scope", err)
	mustEqual(t, "Verification", v, got)
}

func testVerificationHead(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	sc := a.scope(store.Production)
	v := newVerification(t, s, newUser(t, s, a, store.Production), fullVerification)
	want := store.VerificationHead{ID: v.ID, PartnerID: v.PartnerID, Environment: v.Environment,
		DataSource: v.DataSource, State: v.State, Code: v.Code}
	h, err := s.VerificationHead(ctx(t), sc, v.ID)
	must(t, "VerificationHead", err)
	mustEqual(t, "VerificationHead", want, h)

	next := v
	next.State, next.Code, next.UpdatedAt = "cancelled", "by_partner", at(900)
	must(t, "UpdateVerification", s.UpdateVerification(ctx(t), next, nil))
	h, err = s.VerificationHead(ctx(t), sc, v.ID)
	must(t, "VerificationHead after update", err)
	want.State, want.Code = "cancelled", "by_partner"
	mustEqual(t, "VerificationHead after update", want, h)

	_, err = s.VerificationHead(ctx(t), a.scope(store.Sandbox), v.ID)
	mustErr(t, "VerificationHead in other environment", err, store.ErrNotFound)
	_, err = s.VerificationHead(ctx(t), b.scope(store.Production), v.ID)
	mustErr(t, "VerificationHead of other partner", err, store.ErrNotFound)
	_, err = s.VerificationHead(ctx(t), sc, store.NewID())
	mustErr(t, "VerificationHead unknown", err, store.ErrNotFound)
}

func testVerificationDuplicate(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	dup := v
	dup.State = "other"
	first := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "other", Reason: "ordered", CreatedAt: at(0)}
	mustErr(t, "CreateVerification duplicate id", s.CreateVerification(ctx(t), dup, first), store.ErrDuplicate)
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification after duplicate create", v, got)
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 1 {
		t.Errorf("history has %d entries after failed duplicate create, want 1", len(h))
	}
}

func testUpdateVerification(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox), func(v *store.Verification) {
		v.ReportConfiguration = json.RawMessage(`{"days_requested":30}`)
	})

	// Update every mutable field, without a history entry.
	next := v
	next.State, next.Code = "processing", "retrieving"
	next.Errors = json.RawMessage(`[{"code":"e1"}]`)
	next.ReportID, next.FileURL, next.JSONURL = ptr("r"), ptr("f"), ptr("j")
	next.ReportConfiguration = nil
	next.Employments = json.RawMessage(`[{"employer":"X"}]`)
	next.Loan = json.RawMessage(`{"number":"N"}`)
	next.Billing = json.RawMessage(`{"b":1}`)
	next.LoanNumber = ptr("N")
	next.UpdatedAt = at(500)
	must(t, "UpdateVerification without change", s.UpdateVerification(ctx(t), next, nil))
	got, err := s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	want := next
	want.UpdatedAt, want.Version = stored(next.UpdatedAt), 2
	mustEqual(t, "updated Verification", want, got)
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 1 {
		t.Fatalf("history has %d entries after update without change, want 1", len(h))
	}

	// Pointers can be cleared again; a change entry is appended.
	next = got
	next.State, next.Code = "completed", "done"
	next.ReportID, next.FileURL, next.JSONURL, next.LoanNumber = nil, nil, nil, nil
	next.ReportConfiguration = json.RawMessage(`{"days_requested":60}`)
	next.UpdatedAt = at(600)
	change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "completed", Code: "done",
		Errors: json.RawMessage(`[{"code":"w"}]`), Reason: "updated", CreatedAt: at(600)}
	must(t, "UpdateVerification with change", s.UpdateVerification(ctx(t), next, &change))
	got, err = s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	want = next
	want.UpdatedAt, want.Version = stored(next.UpdatedAt), 3
	mustEqual(t, "updated Verification", want, got)
	h, err = s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 2 {
		t.Fatalf("history has %d entries, want 2", len(h))
	}
	wantChange := change
	wantChange.CreatedAt = stored(change.CreatedAt)
	mustEqual(t, "appended history entry", wantChange, h[1])
}

func testUpdateVerificationStale(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox))
	cur := v
	cur.State = "processing"
	cur.UpdatedAt = at(700)
	must(t, "UpdateVerification", s.UpdateVerification(ctx(t), cur,
		&store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "processing", Reason: "updated", CreatedAt: at(700)}))
	before, err := s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	histBefore, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)

	stale := v // Version 1, now stale
	stale.State = "cancelled"
	stale.UpdatedAt = at(800)
	change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "cancelled", Reason: "cancelled", CreatedAt: at(800)}
	mustErr(t, "UpdateVerification stale with change", s.UpdateVerification(ctx(t), stale, &change), store.ErrConflict)
	mustErr(t, "UpdateVerification stale without change", s.UpdateVerification(ctx(t), stale, nil), store.ErrConflict)

	after, err := s.Verification(ctx(t), sc, v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification after stale update", before, after)
	if after.Version != 2 {
		t.Errorf("version = %d, want 2", after.Version)
	}
	histAfter, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if !reflect.DeepEqual(histBefore, histAfter) {
		t.Errorf("stale update changed the history:\n before %+v\n after  %+v", histBefore, histAfter)
	}

	// Unknown verification.
	ghost := cur
	ghost.ID = store.NewID()
	if err := s.UpdateVerification(ctx(t), ghost, nil); !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateVerification unknown: got %v, want ErrConflict or ErrNotFound", err)
	}
}

func testUpdateVerificationConcurrent(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox))
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := v
			next.Code = fmt.Sprint("c", i)
			change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: v.State, Code: next.Code, Reason: "updated", CreatedAt: at(i)}
			<-start
			errs[i] = s.UpdateVerification(ctx(t), next, &change)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("concurrent UpdateVerification: %v, want nil or ErrConflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent updates of the same version succeeded, want 1", ok, n)
	}
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 2 {
		t.Errorf("history has %d entries, want 2 (first + the one winning update)", len(h))
	}
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	if got.Version != 2 || (len(h) == 2 && h[1].Code != got.Code) {
		t.Errorf("after concurrent updates: version %d, code %q, last history code %q", got.Version, got.Code, h[len(h)-1].Code)
	}
}

func testStatusHistory(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	other := newVerification(t, s, u)
	reasons := []string{"ordered"}
	cur := v
	for i, st := range []string{"processing", "completed", "expired"} {
		// Give later entries earlier timestamps: order is by entry id, not time.
		change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: st, Code: "c" + st,
			Errors: json.RawMessage(fmt.Sprintf(`[{"n":%d}]`, i)), Reason: "r" + st, CreatedAt: at(-i)}
		cur.State = st
		must(t, "UpdateVerification", s.UpdateVerification(ctx(t), cur, &change))
		cur.Version++
		reasons = append(reasons, change.Reason)
	}
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	var got []string
	for i, c := range h {
		got = append(got, c.Reason)
		if c.VerificationID != v.ID {
			t.Errorf("entry %d belongs to %s", i, c.VerificationID)
		}
		if i > 0 && c.ID <= h[i-1].ID {
			t.Errorf("history ids not ascending: %s after %s", c.ID, h[i-1].ID)
		}
	}
	if !reflect.DeepEqual(got, reasons) {
		t.Errorf("history reasons = %v, want %v", got, reasons)
	}
	if len(h) == 4 && (h[3].State != "expired" || h[3].Code != "cexpired" || string(h[3].Errors) != `[{"n":2}]` || !h[3].CreatedAt.Equal(stored(at(-2)))) {
		t.Errorf("last entry = %+v", h[3])
	}
	oh, err := s.StatusHistory(ctx(t), other.ID)
	must(t, "StatusHistory other", err)
	if len(oh) != 1 || oh[0].VerificationID != other.ID {
		t.Errorf("other verification's history = %+v, want its one entry", oh)
	}
}

func testNewIDOrder(t *testing.T, s store.Store) {
	prev := ""
	for range 2000 {
		id := store.NewID()
		if len(id) != 36 || strings.ToLower(id) != id {
			t.Fatalf("NewID() = %q, want a lowercase 36-character UUID", id)
		}
		if id <= prev {
			t.Fatalf("NewID() = %s after %s: not increasing", id, prev)
		}
		prev = id
	}
}

// ids returns the ids of vs.
func ids(vs []store.Verification) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// newestFirst returns the ids of vs that match keep, sorted by id descending (byte order).
func newestFirst(vs []store.Verification, keep func(store.Verification) bool) []string {
	var out []string
	for _, v := range vs {
		if keep == nil || keep(v) {
			out = append(out, v.ID)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

func list(t *testing.T, s store.Store, sc store.Scope, f store.VerificationFilter, p store.Page) []store.Verification {
	t.Helper()
	vs, err := s.ListVerifications(ctx(t), sc, f, p)
	if err != nil {
		t.Fatalf("ListVerifications(%+v, %+v): %v", f, p, err)
	}
	return vs
}

func sameIDs(t *testing.T, what string, want, got []string) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

func testListOrder(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	var created []store.Verification
	for i := range 12 {
		// Creation times run backwards: order must follow ids, not times.
		created = append(created, newVerification(t, s, u, func(v *store.Verification) {
			v.CreatedAt, v.UpdatedAt = at(-i), at(-i)
		}))
	}
	got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 100})
	want := newestFirst(created, nil)
	sameIDs(t, "ListVerifications order", want, ids(got))
	// Ids from NewID are time-ordered, so newest first is reverse creation order.
	var rev []string
	for i := len(created) - 1; i >= 0; i-- {
		rev = append(rev, created[i].ID)
	}
	sameIDs(t, "reverse creation order", rev, want)
	// Listed records are complete.
	byID := map[string]store.Verification{}
	for _, v := range created {
		byID[v.ID] = v
	}
	for _, v := range got {
		mustEqual(t, "listed Verification", byID[v.ID], v)
	}
	// Limit is honoured and takes the newest.
	sameIDs(t, "Limit 5", want[:5], ids(list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 5})))
	sameIDs(t, "Limit 1", want[:1], ids(list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 1})))
}

func testListFilters(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u1 := newUser(t, s, a, store.Sandbox)
	u2 := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	states := []string{"pending", "processing", "completed"}
	codes := []string{"a", "b"}
	types := []string{"voie", "voa", "voe"}
	var all []store.Verification
	for i := range 18 {
		u := u1
		if i%2 == 1 {
			u = u2
		}
		all = append(all, newVerification(t, s, u, func(v *store.Verification) {
			v.State = states[i%3]
			v.Code = codes[(i/2)%2]
			v.ReportType = types[(i/3)%3]
			switch i % 4 {
			case 0:
				v.LoanNumber = ptr("L-1")
			case 1:
				v.LoanNumber = ptr("L-2")
			}
		}))
	}
	loan := func(v store.Verification) string {
		if v.LoanNumber == nil {
			return ""
		}
		return *v.LoanNumber
	}
	cases := []struct {
		name string
		f    store.VerificationFilter
		keep func(store.Verification) bool
	}{
		{"none", store.VerificationFilter{}, nil},
		{"user", store.VerificationFilter{UserID: u2.ID}, func(v store.Verification) bool { return v.UserID == u2.ID }},
		{"state", store.VerificationFilter{State: "processing"}, func(v store.Verification) bool { return v.State == "processing" }},
		{"code", store.VerificationFilter{Code: "b"}, func(v store.Verification) bool { return v.Code == "b" }},
		{"report type", store.VerificationFilter{ReportType: "voa"}, func(v store.Verification) bool { return v.ReportType == "voa" }},
		{"loan number", store.VerificationFilter{LoanNumber: "L-2"}, func(v store.Verification) bool { return loan(v) == "L-2" }},
		{"user+state+type", store.VerificationFilter{UserID: u1.ID, State: "pending", ReportType: "voe"}, func(v store.Verification) bool {
			return v.UserID == u1.ID && v.State == "pending" && v.ReportType == "voe"
		}},
		{"all five", store.VerificationFilter{UserID: u1.ID, State: "completed", Code: "a", ReportType: "voe", LoanNumber: "L-1"}, func(v store.Verification) bool {
			return v.UserID == u1.ID && v.State == "completed" && v.Code == "a" && v.ReportType == "voe" && loan(v) == "L-1"
		}},
		{"no match", store.VerificationFilter{State: "nonexistent"}, func(store.Verification) bool { return false }},
		{"unknown user", store.VerificationFilter{UserID: store.NewID()}, func(store.Verification) bool { return false }},
	}
	for _, c := range cases {
		want := newestFirst(all, c.keep)
		if c.keep != nil && c.name != "no match" && c.name != "unknown user" && (len(want) == 0 || len(want) == len(all)) {
			t.Fatalf("filter %s: fixture selects %d of %d; the case would prove nothing", c.name, len(want), len(all))
		}
		sameIDs(t, "filter "+c.name, want, ids(list(t, s, sc, c.f, store.Page{Limit: 100})))
		// Filters combine with paging.
		if len(want) > 2 {
			sameIDs(t, "filter "+c.name+" page 2", want[2:min(4, len(want))], ids(list(t, s, sc, c.f, store.Page{Limit: 2, After: want[1]})))
			sameIDs(t, "filter "+c.name+" before", want[:2], ids(list(t, s, sc, c.f, store.Page{Limit: 2, Before: want[2]})))
		}
	}
}

func testListScope(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	ua := newUser(t, s, a, store.Sandbox)
	uaProd := newUser(t, s, a, store.Production)
	ub := newUser(t, s, b, store.Sandbox)
	var mine []store.Verification
	for i := range 4 {
		mine = append(mine, newVerification(t, s, ua))
		newVerification(t, s, uaProd)
		newVerification(t, s, ub, func(v *store.Verification) { v.LoanNumber = ptr(fmt.Sprint("L", i)) })
	}
	sameIDs(t, "own scope", newestFirst(mine, nil), ids(list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 100})))
	if got := list(t, s, a.scope(store.Production), store.VerificationFilter{}, store.Page{Limit: 100}); len(got) != 4 {
		t.Errorf("production scope lists %d, want 4", len(got))
	}
	for _, v := range list(t, s, a.scope(store.Production), store.VerificationFilter{}, store.Page{Limit: 100}) {
		if v.UserID != uaProd.ID || v.Environment != store.Production {
			t.Errorf("production scope listed %+v", v)
		}
	}
	// Filtering by another tenant's user or loan number finds nothing.
	if got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{UserID: ub.ID}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("filter by other partner's user listed %d", len(got))
	}
	if got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{LoanNumber: "L1"}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("filter by other partner's loan number listed %d", len(got))
	}
	if got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{UserID: uaProd.ID}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("filter by other environment's user listed %d", len(got))
	}
	if got := list(t, s, store.Scope{PartnerID: b.Partner.ID, Environment: store.Production}, store.VerificationFilter{}, store.Page{Limit: 100}); len(got) != 0 {
		t.Errorf("empty scope listed %d", len(got))
	}
	// Paging cursors from another scope do not leak records.
	got := list(t, s, a.scope(store.Sandbox), store.VerificationFilter{}, store.Page{Limit: 100, After: store.NewID()})
	sameIDs(t, "After a future id", newestFirst(mine, nil), ids(got))
}

func testListPaging(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	ua, ub := newUser(t, s, a, store.Sandbox), newUser(t, s, b, store.Sandbox)
	sc := a.scope(store.Sandbox)
	var created []store.Verification
	for i := range 11 {
		created = append(created, newVerification(t, s, ua))
		if i%3 == 0 {
			newVerification(t, s, ub) // interleaved ids from another tenant
		}
	}
	all := newestFirst(created, nil)

	// Explicit pages.
	sameIDs(t, "first page", all[:3], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3})))
	sameIDs(t, "After all[2]", all[3:6], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: all[2]})))
	sameIDs(t, "After all[9]", all[10:], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: all[9]})))
	sameIDs(t, "After last", nil, ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: all[10]})))
	sameIDs(t, "Before all[6]", all[3:6], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: all[6]})))
	sameIDs(t, "Before all[2]", all[:2], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: all[2]})))
	sameIDs(t, "Before first", nil, ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: all[0]})))
	sameIDs(t, "Before last, limit 100", all[:10], ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 100, Before: all[10]})))

	for _, limit := range []int{1, 2, 3, 4, 10, 11, 12} {
		// Forward walk.
		var walked []string
		p := store.Page{Limit: limit}
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("limit %d: forward walk does not end", limit)
			}
			page := ids(list(t, s, sc, store.VerificationFilter{}, p))
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			walked = append(walked, page...)
			p = store.Page{Limit: limit, After: page[len(page)-1]}
		}
		sameIDs(t, fmt.Sprintf("forward walk, limit %d", limit), all, walked)

		// Backward walk from the oldest record's page.
		oldest := store.Page{Limit: limit}
		if limit < len(all) {
			oldest.After = all[len(all)-1-limit]
		}
		back := ids(list(t, s, sc, store.VerificationFilter{}, oldest))
		sameIDs(t, fmt.Sprintf("oldest page, limit %d", limit), all[max(0, len(all)-limit):], back)
		cursor := back[0]
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("limit %d: backward walk does not end", limit)
			}
			page := ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: limit, Before: cursor}))
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			back = append(append([]string{}, page...), back...)
			cursor = page[0]
		}
		sameIDs(t, fmt.Sprintf("backward walk, limit %d", limit), all, back)
	}
}

func testListPagingWithInserts(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	var created []store.Verification
	for range 10 {
		created = append(created, newVerification(t, s, u))
	}
	original := newestFirst(created, nil)

	// Forward: new records are newer than every page cursor and never appear.
	var walked []string
	p := store.Page{Limit: 3}
	for pages := 0; pages < 20; pages++ {
		page := ids(list(t, s, sc, store.VerificationFilter{}, p))
		if len(page) == 0 {
			break
		}
		walked = append(walked, page...)
		p.After = page[len(page)-1]
		created = append(created, newVerification(t, s, u), newVerification(t, s, u))
	}
	sameIDs(t, "forward walk with inserts", original, walked)

	// Backward from the oldest page: the walk ends at the newest record that
	// exists at the time, with no duplicates or gaps.
	back := ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, After: original[6]}))
	sameIDs(t, "oldest page", original[7:], back)
	for pages := 0; pages < 40; pages++ {
		page := ids(list(t, s, sc, store.VerificationFilter{}, store.Page{Limit: 3, Before: back[0]}))
		if len(page) == 0 {
			break
		}
		back = append(append([]string{}, page...), back...)
		if pages < 3 {
			created = append(created, newVerification(t, s, u))
		}
	}
	sameIDs(t, "backward walk with inserts", newestFirst(created, nil), back)
}

func testAccounts(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u1, u2 := newUser(t, s, a, store.Sandbox), newUser(t, s, a, store.Sandbox)
	has := func(userID, ds string) bool {
		t.Helper()
		ok, err := s.HasConnectedAccount(ctx(t), userID, ds)
		must(t, "HasConnectedAccount", err)
		return ok
	}
	if has(u1.ID, "payroll") {
		t.Fatal("HasConnectedAccount true before any account")
	}
	acct := store.Account{ID: store.NewID(), UserID: u1.ID, DataSource: "payroll", Item: "item_1", Source: "gusto",
		Employers: []string{"Acme"}, ConnectionStatus: "connected", CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, "CreateAccount", s.CreateAccount(ctx(t), acct))
	if !has(u1.ID, "payroll") {
		t.Error("HasConnectedAccount false after a connected payroll account")
	}
	if has(u1.ID, "financial_institution") {
		t.Error("HasConnectedAccount true for another data source")
	}
	if has(u2.ID, "payroll") {
		t.Error("HasConnectedAccount true for another user")
	}
	for _, status := range []string{"pending", "disconnected", "error", "Connected"} {
		must(t, "CreateAccount "+status, s.CreateAccount(ctx(t), store.Account{ID: store.NewID(), UserID: u2.ID,
			DataSource: "financial_institution", Item: "i", Source: "bank", Employers: nil, ConnectionStatus: status, CreatedAt: at(0), UpdatedAt: at(0)}))
	}
	if has(u2.ID, "financial_institution") {
		t.Error("HasConnectedAccount true with only non-connected accounts")
	}
	must(t, "CreateAccount connected", s.CreateAccount(ctx(t), store.Account{ID: store.NewID(), UserID: u2.ID,
		DataSource: "financial_institution", Item: "i2", Source: "bank", ConnectionStatus: "connected", CreatedAt: at(0), UpdatedAt: at(0)}))
	if !has(u2.ID, "financial_institution") {
		t.Error("HasConnectedAccount false after a connected bank account")
	}
	if has(u2.ID, "payroll") {
		t.Error("HasConnectedAccount true for u2 payroll")
	}
	dup := acct
	dup.UserID = u2.ID
	mustErr(t, "CreateAccount duplicate id", s.CreateAccount(ctx(t), dup), store.ErrDuplicate)
	if has(u2.ID, "payroll") {
		t.Error("duplicate CreateAccount was stored")
	}
	if has(store.NewID(), "payroll") {
		t.Error("HasConnectedAccount true for unknown user")
	}
}

func testForeignKeys(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)

	// A verification for an unknown user fails and leaves nothing behind.
	v := store.Verification{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, ClientID: a.Client.ID,
		UserID: store.NewID(), Channel: "api", DataSource: "payroll", ReportType: "voie", State: "pending",
		CreatedAt: at(0), UpdatedAt: at(0)}
	first := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "pending", Reason: "ordered", CreatedAt: at(0)}
	if err := s.CreateVerification(ctx(t), v, first); err == nil {
		t.Error("CreateVerification for an unknown user succeeded")
	}
	_, err := s.Verification(ctx(t), sc, v.ID)
	mustErr(t, "Verification after failed create", err, store.ErrNotFound)
	if h, err := s.StatusHistory(ctx(t), v.ID); err != nil || len(h) != 0 {
		t.Errorf("history after failed create: %v, %v", h, err)
	}

	// A first history entry for another verification id fails the create.
	v.UserID = u.ID
	first.VerificationID = store.NewID()
	if err := s.CreateVerification(ctx(t), v, first); err == nil {
		t.Error("CreateVerification with a history entry for an unknown verification succeeded")
	}
	_, err = s.Verification(ctx(t), sc, v.ID)
	mustErr(t, "Verification after failed create", err, store.ErrNotFound)

	// Users need an existing partner and client.
	bad := store.User{ID: store.NewID(), PartnerID: store.NewID(), Environment: store.Sandbox, ClientID: a.Client.ID,
		Profile: json.RawMessage(`{}`), CreatedAt: at(0), UpdatedAt: at(0)}
	if err := s.CreateUser(ctx(t), bad); err == nil {
		t.Error("CreateUser for an unknown partner succeeded")
	}
	bad.PartnerID, bad.ClientID = a.Partner.ID, store.NewID()
	if err := s.CreateUser(ctx(t), bad); err == nil {
		t.Error("CreateUser for an unknown client succeeded")
	}
	_, err = s.User(ctx(t), sc, bad.ID)
	mustErr(t, "User after failed create", err, store.ErrNotFound)

	// Keys need an existing partner and client.
	k := store.APIKey{ID: store.NewID(), PartnerID: a.Partner.ID, ClientID: store.NewID(), Name: "k", Environment: store.Sandbox, SecretHash: []byte("h"), CreatedAt: at(0)}
	if err := s.CreateAPIKey(ctx(t), k); err == nil {
		t.Error("CreateAPIKey for an unknown client succeeded")
	}
	k.PartnerID, k.ClientID = store.NewID(), a.Client.ID
	if err := s.CreateAPIKey(ctx(t), k); err == nil {
		t.Error("CreateAPIKey for an unknown partner succeeded")
	}
	_, err = s.APIKey(ctx(t), k.ID)
	mustErr(t, "APIKey after failed create", err, store.ErrNotFound)

	// A partner whose client names another partner fails as a whole.
	p := store.Partner{ID: store.NewID(), Name: "P", CreatedAt: at(0)}
	c := store.Client{ID: store.NewID(), PartnerID: store.NewID(), Name: "c", CreatedAt: at(0)}
	k2 := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "k", Environment: store.Sandbox, SecretHash: []byte("h"), CreatedAt: at(0)}
	if err := s.CreatePartner(ctx(t), p, c, k2); err == nil {
		t.Error("CreatePartner with a client of an unknown partner succeeded")
	}
	if n, err := s.CountPartners(ctx(t)); err != nil || n != 1 {
		t.Errorf("CountPartners after failed CreatePartner = %d, %v; want 1", n, err)
	}

	// Accounts need an existing user.
	if err := s.CreateAccount(ctx(t), store.Account{ID: store.NewID(), UserID: store.NewID(), DataSource: "payroll",
		ConnectionStatus: "connected", CreatedAt: at(0), UpdatedAt: at(0)}); err == nil {
		t.Error("CreateAccount for an unknown user succeeded")
	}
}
