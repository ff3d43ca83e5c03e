package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// userTests cover users and their updates.
var userTests = []storeTest{
	{"UserRoundTrip", testUserRoundTrip},
	{"UserDefaults", testUserDefaults},
	{"UserScope", testUserScope},
	{"UserDuplicate", testUserDuplicate},
	{"UpdateUser", testUpdateUser},
	{"UpdateUserConcurrent", testUpdateUserConcurrent},
}

func testUserRoundTrip(t *testing.T, s *sqlstore.Store) {
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

func testUserDefaults(t *testing.T, s *sqlstore.Store) {
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

func testUserScope(t *testing.T, s *sqlstore.Store) {
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

func testUserDuplicate(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	dup := u
	dup.Profile = json.RawMessage(`{"first_name":"Other"}`)
	mustErr(t, "CreateUser duplicate id", s.CreateUser(ctx(t), dup), store.ErrDuplicate)
	got, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID)
	must(t, "User", err)
	mustEqual(t, "User after duplicate create", u, got)
}

func testUpdateUser(t *testing.T, s *sqlstore.Store) {
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

func testUpdateUserConcurrent(t *testing.T, s *sqlstore.Store) {
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
