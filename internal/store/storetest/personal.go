package storetest

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
	"verigate/internal/token"
)

// personalDataTests cover personal data encrypted at rest.
var personalDataTests = []storeTest{
	{"ProfilesAreEncrypted", testProfilesAreEncrypted},
	{"RecordsAreEncrypted", testRecordsAreEncrypted},
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
	// Records in clear, more than one batch of them, and some sealed with
	// the old key.
	conn, _ := oldSealer.Seal("connection")
	withConn := func(x *store.Account) { x.Connection = conn }
	acct := newAccount(t, s, u, withConn)
	many := []rec{{kind: store.RecordIdentity}}
	for i := range 520 {
		many = append(many, rec{kind: store.RecordPaystub, date: fmt.Sprintf("2024-%02d-%02d", i%12+1, i%28+1)})
	}
	recs := addRecords(t, s, &acct, many)
	oldPersonal, _ := token.NewSealer(oldKey, "personal-data")
	s.ProtectPersonalData(oldPersonal)
	sealedAcct := newAccount(t, s, u, withConn)
	recs = append(recs, addRecords(t, s, &sealedAcct, []rec{{kind: store.RecordEmployment, date: "2021-05-01"}})...)

	ring, _ := token.NewRingSealer([][]byte{newKey, oldKey}, "stored-secrets")
	personal, _ := token.NewRingSealer([][]byte{newKey, oldKey}, "personal-data")
	s.ProtectPersonalData(personal)
	defer s.ProtectPersonalData(nil)
	rep, err := s.Reseal(ctx(t), ring, "dev-key")
	must(t, "Reseal", err)
	if rep.Secrets != 3 || rep.Profiles != 1 || rep.Records != len(recs) {
		t.Errorf("Reseal = %+v, want 3 secrets (a webhook's, two connections), 1 profile and %d records", rep, len(recs))
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
	// Every record opens with the new key alone, as it was.
	onlyNewPersonal, _ := token.NewSealer(newKey, "personal-data")
	s.ProtectPersonalData(onlyNewPersonal)
	for _, r := range recs {
		got, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), r.Kind, r.ID)
		if err != nil {
			t.Fatalf("%s record %s after Reseal: %v", r.Kind, r.ID, err)
		}
		mustEqual(t, "resealed record", r, got)
	}
	s.ProtectPersonalData(nil)
	if _, err := s.User(ctx(t), a.scope(store.Sandbox), u.ID); err == nil {
		t.Error("the profile is still in clear after Reseal")
	}
	for _, r := range []store.AccountRecord{recs[0], recs[1], recs[len(recs)-2]} {
		if _, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), r.Kind, r.ID); err == nil {
			t.Errorf("the %s record %s is still in clear after Reseal", r.Kind, r.ID)
		}
	}
}

// testRecordsAreEncrypted: every account record, whatever its kind, is
// sealed at rest, its data and its rendering; records stored in clear
// before, and identities sealed the way they were before schema 20, stay
// readable.
func testRecordsAreEncrypted(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	key, _ := token.NewKey()
	c, _ := token.NewSealer(key, "personal-data")
	clear := newAccount(t, s, u)
	before := addRecords(t, s, &clear, []rec{{kind: store.RecordPaystub, date: "2023-01-06"}})
	s.ProtectPersonalData(c)
	defer s.ProtectPersonalData(nil)
	acct := newAccount(t, s, u)
	recs := addRecords(t, s, &acct, []rec{{kind: store.RecordPaystub, date: "2024-01-05"}, {kind: store.RecordIdentity},
		{kind: store.RecordEmployment, date: "2020-03-01"}, {kind: store.RecordTransaction, date: "2024-02-01"}})
	if recs[0].Rendered == nil {
		t.Fatal("the fixture's paystub has no rendering")
	}
	for _, r := range append(recs, before...) {
		got, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), r.Kind, r.ID)
		must(t, "RecordInScope "+r.Kind, err)
		mustEqual(t, r.Kind+" record", r, got)
	}
	listed, err := s.ListRecords(ctx(t), a.scope(store.Sandbox), store.RecordPaystub, store.RecordFilter{AccountID: acct.ID}, store.Page{Limit: 10})
	must(t, "ListRecords", err)
	if len(listed) != 1 {
		t.Fatalf("ListRecords = %d records", len(listed))
	}
	mustEqual(t, "listed paystub", recs[0], listed[0])
	all, err := s.AllAccountRecords(ctx(t), acct.ID)
	must(t, "AllAccountRecords", err)
	if len(all) != len(recs) {
		t.Fatalf("AllAccountRecords = %d records, want %d", len(all), len(recs))
	}

	// Without the key, or with another, none of them opens.
	other, _ := token.NewKey()
	wrong, _ := token.NewSealer(other, "personal-data")
	for name, cipher := range map[string]sqlstore.Cipher{"no key": nil, "another key": wrong} {
		s.ProtectPersonalData(cipher)
		for _, r := range recs {
			if _, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), r.Kind, r.ID); err == nil {
				t.Errorf("%s: a %s record was read", name, r.Kind)
			}
		}
		if _, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), store.RecordPaystub, before[0].ID); err != nil {
			t.Errorf("%s: a paystub stored in clear does not read: %v", name, err)
		}
	}
}

// RecordsSealedAtRest looks at sealed records in the database itself (db
// reaches s's tables unqualified): their stored values hold none of their
// JSON; a value copied onto another record does not open there; and an
// identity sealed as before schema 20 still reads.
func RecordsSealedAtRest(t *testing.T, s *sqlstore.Store, db *sql.DB) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	key, _ := token.NewKey()
	c, _ := token.NewSealer(key, "personal-data")
	s.ProtectPersonalData(c)
	defer s.ProtectPersonalData(nil)
	acct := newAccount(t, s, u)
	recs := addRecords(t, s, &acct, []rec{{kind: store.RecordPaystub, date: "2024-01-05"}, {kind: store.RecordPaystub, date: "2024-01-12"},
		{kind: store.RecordIdentity}})
	raw := func(id, column string) string {
		t.Helper()
		var v string
		if err := db.QueryRowContext(ctx(t), `SELECT `+column+` FROM account_records WHERE id = $1`, id).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, col := range []string{"data", "rendered"} {
		v := raw(recs[0].ID, col)
		if !strings.HasPrefix(v, "sealed:v2:") || strings.Contains(v, "2024-01-05") || strings.Contains(v, "shown") {
			t.Errorf("paystub %s stored as %q", col, v)
		}
	}
	// The first paystub's sealed data, copied onto the second.
	if _, err := db.ExecContext(ctx(t), `UPDATE account_records SET data = $1 WHERE id = $2`, raw(recs[0].ID, "data"), recs[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), store.RecordPaystub, recs[1].ID); err == nil {
		t.Error("a record's sealed data opened on another record")
	}
	// Its rendering, copied into its data column.
	if _, err := db.ExecContext(ctx(t), `UPDATE account_records SET data = $1 WHERE id = $2`, raw(recs[0].ID, "rendered"), recs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), store.RecordPaystub, recs[0].ID); err == nil {
		t.Error("a record's sealed rendering opened as its data")
	}
	// An identity as it was sealed before schema 20.
	tok, err := c.Seal(json.RawMessage(`{"first_name":"Ada"}`))
	must(t, "Seal", err)
	if _, err := db.ExecContext(ctx(t), `UPDATE account_records SET data = $1 WHERE id = $2`, "sealed:v1:"+tok, recs[2].ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.RecordInScope(ctx(t), a.scope(store.Sandbox), store.RecordIdentity, recs[2].ID)
	must(t, "RecordInScope of an identity sealed before schema 20", err)
	mustEqual(t, "identity sealed before schema 20", `{"first_name":"Ada"}`, string(got.Data))
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
