package storetest

// Fixtures and assertions shared by the tests of every area.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

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

func sameIDs(t *testing.T, what string, want, got []string) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
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

func newTenant(t *testing.T, s *sqlstore.Store, name string) tenant {
	t.Helper()
	p := store.Partner{ID: store.NewID(), Name: name, CreatedAt: at(0)}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: name + " client", CreatedAt: at(1)}
	k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: name + " key",
		Environment: store.Sandbox, SecretHash: []byte{0, 1, 2, 0xfe, 0xff, 0}, CreatedAt: at(2)}
	must(t, "CreatePartner", s.CreatePartner(ctx(t), p, c, k))
	return tenant{p, c, k}
}

func newUser(t *testing.T, s *sqlstore.Store, tn tenant, env store.Environment) store.User {
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
func newVerification(t *testing.T, s *sqlstore.Store, u store.User, mods ...func(*store.Verification)) store.Verification {
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
	must(t, "CreateVerification", createVerification(t, s, v, first))
	v.CreatedAt, v.UpdatedAt, v.Version = stored(v.CreatedAt), stored(v.UpdatedAt), 1
	return v
}

// newAccount stores an account of u after applying mods and returns it as
// the store should give it back.
func newAccount(t *testing.T, s *sqlstore.Store, u store.User, mods ...func(*store.Account)) store.Account {
	t.Helper()
	a := store.Account{
		ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, VerificationID: store.NewID(),
		DataSource: "payroll", Item: "item_000000001", Source: "sandbox", Employers: []string{"Acme"}, ConnectionStatus: "connected",
		Connection: "sealed", Aggregation: store.AggregationDone, LeaseUntil: at(30), CreatedAt: at(30), UpdatedAt: at(31),
	}
	for _, m := range mods {
		m(&a)
	}
	must(t, "CreateAccount", s.CreateAccount(ctx(t), a))
	a.LeaseUntil, a.CreatedAt, a.UpdatedAt, a.Version = stored(a.LeaseUntil), stored(a.CreatedAt), stored(a.UpdatedAt), 1
	if a.ScannedAt != nil {
		sc := stored(*a.ScannedAt)
		a.ScannedAt = &sc
	}
	if a.Employers == nil {
		a.Employers = []string{}
	}
	return a
}

func newReportAccount(t *testing.T, s *sqlstore.Store, u store.User, ds string) store.Account {
	t.Helper()
	scanned := stored(at(30))
	a := store.Account{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, DataSource: ds,
		Item: "item_1", Source: "test", Employers: []string{}, ConnectionStatus: "connected", Aggregation: store.AggregationDone,
		ScannedAt: &scanned, CreatedAt: stored(at(30)), UpdatedAt: stored(at(30))}
	must(t, "CreateAccount", s.CreateAccount(ctx(t), a))
	a.Version = 1
	return a
}

// createVerification stores v with its first history entry in one
// transaction, as the verification service does.
func createVerification(t *testing.T, s *sqlstore.Store, v store.Verification, first store.StatusChange) error {
	return s.InTx(ctx(t), func(c context.Context) error {
		if err := s.CreateVerification(c, v); err != nil {
			return err
		}
		return s.AddStatusChange(c, first)
	})
}

// updateVerification saves v and, when change is not nil, appends it to the
// history, in one transaction.
func updateVerification(t *testing.T, s *sqlstore.Store, v store.Verification, change *store.StatusChange) error {
	return s.InTx(ctx(t), func(c context.Context) error {
		if err := s.UpdateVerification(c, v); err != nil || change == nil {
			return err
		}
		return s.AddStatusChange(c, *change)
	})
}

// queueRefresh stores a refreshed verification with its first history entry
// and queues the account's re-aggregation for it, in one transaction.
func queueRefresh(t *testing.T, s *sqlstore.Store, v store.Verification, first store.StatusChange, accountID string) error {
	return s.InTx(ctx(t), func(c context.Context) error {
		if err := s.CreateVerification(c, v); err != nil {
			return err
		}
		if err := s.AddStatusChange(c, first); err != nil {
			return err
		}
		return s.QueueAccountRefresh(c, v.ID, v.UserID, accountID, v.CreatedAt)
	})
}
