// Package storetest is the conformance suite every *sqlstore.Store implementation
// must pass. Each database's tests call Run with a function that opens a fresh,
// empty, migrated store.
//
// The tests of each area of the store live in a file of their own
// (partners.go, users.go, verifications.go, ...) with a table that Run
// includes; the fixtures they share are in fixtures.go.
package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// storeTest is one conformance test; it gets a store of its own.
type storeTest struct {
	name string
	fn   func(t *testing.T, s *sqlstore.Store)
}

// Run runs the suite, one subtest per area of the store. open is called once
// per test and must return a fresh, empty, migrated store that no other test
// uses; it should close the store with t.Cleanup. Areas and the tests in
// them run in parallel.
func Run(t *testing.T, open func(t *testing.T) *sqlstore.Store) {
	areas := []struct {
		name  string
		tests []storeTest
	}{
		{"General", generalTests},
		{"Transactions", transactionTests},
		{"Partners", partnerTests},
		{"Secrets", secretTests},
		{"Users", userTests},
		{"UsersV2", userV2Tests},
		{"ItemFilters", itemFilterTests},
		{"Invites", inviteTests},
		{"Verifications", verificationTests},
		{"Accounts", accountTests},
		{"ConnectSessions", connectSessionTests},
		{"Records", recordTests},
		{"Sync", syncTests},
		{"Reports", reportTests},
		{"Uploads", uploadTests},
		{"Customizations", customizationTests},
		{"Webhooks", webhookTests},
		{"Instances", instanceTests},
		{"PersonalData", personalDataTests},
		{"Sandbox", sandboxTests},
	}
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range area.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, open(t))
				})
			}
		})
	}
}

// generalTests concern the store as a whole rather than one area.
var generalTests = []storeTest{
	{"Ping", testPing},
	{"NewIDOrder", testNewIDOrder},
	{"NotFound", testNotFound},
	{"ForeignKeys", testForeignKeys},
}

func testPing(t *testing.T, s *sqlstore.Store) {
	must(t, "Ping", s.Ping(ctx(t)))
}

func testNewIDOrder(t *testing.T, s *sqlstore.Store) {
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

func testNotFound(t *testing.T, s *sqlstore.Store) {
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

func testForeignKeys(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)

	// A verification for an unknown user fails and leaves nothing behind.
	v := store.Verification{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, ClientID: a.Client.ID,
		UserID: store.NewID(), Channel: "api", DataSource: "payroll", ReportType: "voie", State: "pending",
		CreatedAt: at(0), UpdatedAt: at(0)}
	first := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "pending", Reason: "ordered", CreatedAt: at(0)}
	if err := createVerification(t, s, v, first); err == nil {
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
	if err := createVerification(t, s, v, first); err == nil {
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
