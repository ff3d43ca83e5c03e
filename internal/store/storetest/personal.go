package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
	"verigate/internal/token"
)

// personalDataTests cover personal data encrypted at rest.
var personalDataTests = []storeTest{
	{"ProfilesAreEncrypted", testProfilesAreEncrypted},
	{"IdentitiesAreEncrypted", testIdentitiesAreEncrypted},
	{"Reseal", testReseal},
}

// testReseal: everything sealed with an old key, and personal data stored
// in clear, is sealed with the new key; the named key leaves the database.
func testReseal(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	oldKey, _ := token.NewKey()
	newKey, _ := token.NewKey()
	oldSealer, _ := token.NewSealer(oldKey, "stored-secrets")
	sealed, _ := oldSealer.Seal("hook-secret")
	sub := store.Subscription{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, Name: "h",
		URL: "https://hooks.example/x", Events: []string{"verifications.updated"}, Secret: sealed, CreatedAt: stored(at(1))}
	must(t, "CreateSubscription", s.CreateSubscription(ctx(t), sub))
	u := newUser(t, s, a, store.Sandbox) // profile in clear
	_, err := s.Secret(ctx(t), "dev-key", func() ([]byte, error) { return oldKey, nil })
	must(t, "Secret", err)

	ring, _ := token.NewRingSealer([][]byte{newKey, oldKey}, "stored-secrets")
	personal, _ := token.NewSealer(newKey, "personal-data")
	s.ProtectPersonalData(personal)
	defer s.ProtectPersonalData(nil)
	rep, err := s.Reseal(ctx(t), ring, "dev-key")
	must(t, "Reseal", err)
	if rep.Secrets != 1 || rep.Profiles != 1 {
		t.Errorf("Reseal = %+v", rep)
	}
	got, err := s.Subscription(ctx(t), a.scope(store.Sandbox), sub.ID)
	must(t, "Subscription", err)
	newOnly, _ := token.NewSealer(newKey, "stored-secrets")
	var secret string
	if err := newOnly.Open(got.Secret, &secret); err != nil || secret != "hook-secret" {
		t.Errorf("the resealed secret: %q, %v", secret, err)
	}
	_, err = s.LookupSecret(ctx(t), "dev-key")
	mustErr(t, "the dropped key", err, store.ErrNotFound)
	back, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID)
	must(t, "User", err)
	mustEqual(t, "resealed profile", string(u.Profile), string(back.Profile))
	s.ProtectPersonalData(nil)
	if _, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID); err == nil {
		t.Error("the profile is still in clear after Reseal")
	}
}

// testIdentitiesAreEncrypted: identity records are sealed at rest; other
// records stay readable for the reports and listings that read many.
func testIdentitiesAreEncrypted(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	key, _ := token.NewKey()
	c, _ := token.NewSealer(key, "personal-data")
	s.ProtectPersonalData(c)
	defer s.ProtectPersonalData(nil)
	acct := newAccount(t, s, u)
	recs := addRecords(t, s, &acct, []rec{{kind: store.RecordIdentity}, {kind: store.RecordPaystub, date: "2024-01-05"}})
	got, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), store.RecordIdentity, recs[0].ID)
	must(t, "RecordInScope", err)
	mustEqual(t, "identity data", string(recs[0].Data), string(got.Data))
	all, err := s.AccountRecords(ctx(t), acct.ID, store.RecordIdentity)
	must(t, "AccountRecords", err)
	if len(all) != 1 || string(all[0].Data) != string(recs[0].Data) {
		t.Fatalf("AccountRecords = %+v", all)
	}
	s.ProtectPersonalData(nil)
	if _, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), store.RecordIdentity, recs[0].ID); err == nil {
		t.Fatal("an identity record was read without the key")
	}
	if _, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), store.RecordPaystub, recs[1].ID); err != nil {
		t.Fatalf("a paystub is not readable without the key: %v", err)
	}
}

func testProfilesAreEncrypted(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	plain := newUser(t, s, a, store.Sandbox) // stored before protection: readable as it was
	key, _ := token.NewKey()
	c, err := token.NewSealer(key, "personal-data")
	if err != nil {
		t.Fatal(err)
	}
	s.ProtectPersonalData(c)
	defer s.ProtectPersonalData(nil)
	u := store.User{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, ClientID: a.Client.ID,
		Profile:        json.RawMessage(`{"ssn":"123-45-6789","birth_date":{"year":1980,"month":2,"day":3}}`),
		ItemsConnected: []string{}, EmployersConnected: []string{}, CreatedAt: at(10), UpdatedAt: at(10)}
	must(t, "CreateUser", s.CreateUser(ctx(t), u))
	got, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID)
	must(t, "User", err)
	if string(got.Profile) != string(u.Profile) {
		t.Fatalf("profile read back as %s", got.Profile)
	}
	old, err := s.User(ctx(t), a.scope(store.Sandbox), plain.ID)
	must(t, "User stored before protection", err)
	mustEqual(t, "profile stored before protection", string(plain.Profile), string(old.Profile))

	// Without the key, or with another, the profile does not open: it is
	// not stored in clear.
	s.ProtectPersonalData(nil)
	if _, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID); err == nil {
		t.Fatal("an encrypted profile was read without its key")
	}
	other, _ := token.NewKey()
	wrong, _ := token.NewSealer(other, "personal-data")
	s.ProtectPersonalData(wrong)
	if got, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID); err == nil && strings.Contains(string(got.Profile), "6789") {
		t.Fatal("another key opened the profile")
	}
	// An update is encrypted too.
	s.ProtectPersonalData(c)
	got.Profile = json.RawMessage(`{"ssn":"987-65-4321"}`)
	must(t, "UpdateUser", s.UpdateUser(ctx(t), got))
	s.ProtectPersonalData(nil)
	if _, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID); err == nil {
		t.Fatal("an updated profile was stored in clear")
	}
}
