package aggregate_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/store"
	"verigate/internal/store/sqlite"
	"verigate/internal/store/sqlstore"
	"verigate/internal/token"
	"verigate/internal/value"
)

// flaky wraps a connector and fails Aggregate a number of times first.
type flaky struct {
	datasource.Connector
	failures int
	err      error
	calls    int
}

func (f *flaky) Aggregate(ctx context.Context, c datasource.Connection) (datasource.Data, error) {
	f.calls++
	if f.calls <= f.failures {
		return datasource.Data{}, f.err
	}
	return f.Connector.Aggregate(ctx, c)
}

type fixture struct {
	st      *sqlstore.Store
	secrets *token.Sealer
	now     time.Time
	account store.Account
}

func newFixture(t *testing.T, login string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, _ := token.NewKey()
	secrets, err := token.NewSealer(key, "stored-secrets")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, secrets: secrets, now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	p := store.Partner{ID: store.NewID(), Name: "p", CreatedAt: f.now}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "c", CreatedAt: f.now}
	k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "k", Environment: store.Sandbox, SecretHash: []byte("x"), CreatedAt: f.now}
	if err := st.CreatePartner(ctx, p, c, k); err != nil {
		t.Fatal(err)
	}
	u := store.User{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, ClientID: c.ID, Profile: []byte(`{}`), CreatedAt: f.now, UpdatedAt: f.now}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	// Sign in through the sandbox to get a real connection.
	sb := payrollsandbox.New()
	sb.Now = func() time.Time { return f.now }
	res, err := sb.SignIn(ctx, "item_000000001", datasource.Credentials{Username: login, Password: sandboxdata.PasswordGood})
	if err != nil || res.Challenge == nil {
		t.Fatalf("sign in: %v %+v", err, res)
	}
	code := map[string]string{"test_1": "8081", "test_3": "8083"}[login]
	conn, err := sb.Verify(ctx, *res.Challenge, code)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := secrets.Seal(conn)
	if err != nil {
		t.Fatal(err)
	}
	f.account = store.Account{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, UserID: u.ID, DataSource: "payroll",
		Item: "item_000000001", Source: conn.Source, ConnectionStatus: "connected", Connection: sealed,
		Aggregation: store.AggregationPending, CreatedAt: f.now, UpdatedAt: f.now}
	if err := st.CreateAccount(ctx, f.account); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) worker(c datasource.Connector) *aggregate.Worker {
	return &aggregate.Worker{Store: f.st, Connectors: datasource.Registry{Sandbox: map[string]datasource.Connector{"payroll": c}}, Secrets: f.secrets,
		Now: func() time.Time { return f.now }}
}

func sandboxAt(now time.Time) *payrollsandbox.Connector {
	sb := payrollsandbox.New()
	sb.Now = func() time.Time { return now }
	return sb
}

func TestAggregationStoresRecordsAndCallsHook(t *testing.T) {
	f := newFixture(t, "test_3")
	ctx := context.Background()
	w := f.worker(sandboxAt(f.now))
	var hooked []string
	var handed []store.AccountRecord
	w.Aggregated = func(ctx context.Context, a store.Account, records []store.AccountRecord) error {
		hooked = append(hooked, a.ID)
		handed = records
		return nil
	}
	did, err := w.RunOnce(ctx)
	if err != nil || !did {
		t.Fatalf("RunOnce = %v, %v; want work done", did, err)
	}
	if did, _ := w.RunOnce(ctx); did {
		t.Fatal("second RunOnce found work; the account should be done")
	}
	if len(hooked) != 1 || hooked[0] != f.account.ID {
		t.Fatalf("hook calls = %v", hooked)
	}
	a, err := f.st.Account(ctx, f.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Aggregation != store.AggregationDone || a.ScannedAt == nil || len(a.Employers) == 0 {
		t.Fatalf("account after aggregation = %+v; want done, scanned, with employers", a)
	}
	want, err := payrollsandbox.DataFor("test_3", "item_000000001", value.DateOf(f.now))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{store.RecordIdentity: 1, store.RecordEmployment: len(want.Employments),
		store.RecordPaystub: len(want.Paystubs), store.RecordPayrollDocument: len(want.Documents)}
	// The hook is handed the records stored, the paystubs with their
	// decoded values.
	stored, err := f.st.AllAccountRecords(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range stored {
		ids[r.ID] = true
	}
	for _, r := range handed {
		if !ids[r.ID] {
			t.Errorf("the hook was handed %s %s, which is not stored", r.Kind, r.ID)
		}
		if p, ok := r.Decoded.(datasource.Paystub); (r.Kind == store.RecordPaystub) != ok || ok && aggregate.RecordID(a, r.Kind, p.ID) != r.ID {
			t.Errorf("%s record %s carries decoded value %T", r.Kind, r.ID, r.Decoded)
		}
	}
	if len(handed) != len(stored) {
		t.Errorf("the hook was handed %d records, %d are stored", len(handed), len(stored))
	}
	for kind, n := range counts {
		recs, err := f.st.AccountRecords(ctx, a.ID, kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != n {
			t.Errorf("%s records = %d, want %d", kind, len(recs), n)
		}
		for _, r := range recs {
			if r.ID != aggregate.RecordID(a, kind, r.SourceID) {
				t.Errorf("%s record id %s is not the stable id", kind, r.ID)
			}
			if kind == store.RecordPaystub && (r.Employment == "" || r.Date == "") {
				t.Errorf("paystub %s lacks employment or date", r.SourceID)
			}
		}
	}
	if len(want.Employments) != 2 {
		t.Fatalf("sandbox gave Joe %d employments on item_000000001; want 2", len(want.Employments))
	}
	if len(want.Paystubs) < 50 {
		t.Fatalf("sandbox gave %d paystubs; expected two years of them", len(want.Paystubs))
	}
}

func TestReaggregationUpdatesInsteadOfDuplicating(t *testing.T) {
	f := newFixture(t, "test_1")
	ctx := context.Background()
	if _, err := f.worker(sandboxAt(f.now)).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	first, _ := f.st.AccountRecords(ctx, f.account.ID, store.RecordPaystub)
	// A month later the account is aggregated again: new paystubs appear,
	// the old ones keep their ids.
	a, _ := f.st.Account(ctx, f.account.ID)
	later := f.now.AddDate(0, 1, 0)
	recs, err := aggregate.Records(a, mustData(t, "test_1", later), later)
	if err != nil {
		t.Fatal(err)
	}
	a.Aggregation, a.UpdatedAt = store.AggregationDone, later
	if err := f.st.FinishAggregation(ctx, a, recs); err != nil {
		t.Fatal(err)
	}
	second, _ := f.st.AccountRecords(ctx, f.account.ID, store.RecordPaystub)
	ids := map[string]bool{}
	for _, r := range second {
		if ids[r.ID] {
			t.Fatalf("duplicate record %s", r.ID)
		}
		ids[r.ID] = true
	}
	for _, r := range first {
		if !ids[r.ID] {
			t.Fatalf("record %s vanished on re-aggregation", r.ID)
		}
	}
	if len(second) <= len(first) {
		t.Fatalf("paystubs %d → %d; a month later should add some", len(first), len(second))
	}
}

func mustData(t *testing.T, login string, at time.Time) datasource.Data {
	t.Helper()
	d, err := payrollsandbox.DataFor(login, "item_000000001", value.DateOf(at))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTransientFailureIsRetriedAfterBackoff(t *testing.T) {
	f := newFixture(t, "test_1")
	ctx := context.Background()
	fl := &flaky{Connector: sandboxAt(f.now), failures: 1, err: datasource.ErrProviderUnavailable}
	w := f.worker(fl)
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatalf("first run: %v %v", did, err)
	}
	a, _ := f.st.Account(ctx, f.account.ID)
	if a.Aggregation != store.AggregationRunning || a.ErrorCode != "platform_temporarily_unavailable" {
		t.Fatalf("after a transient failure: %+v", a)
	}
	if did, _ := w.RunOnce(ctx); did {
		t.Fatal("retried before the backoff passed")
	}
	f.now = f.now.Add(3 * time.Second)
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatalf("retry: %v %v", did, err)
	}
	a, _ = f.st.Account(ctx, f.account.ID)
	if a.Aggregation != store.AggregationDone || a.ErrorCode != "" || fl.calls != 2 {
		t.Fatalf("after retry: %+v (calls %d)", a, fl.calls)
	}
}

func TestPermanentFailureStops(t *testing.T) {
	f := newFixture(t, "test_1")
	ctx := context.Background()
	fl := &flaky{Connector: sandboxAt(f.now), failures: 100, err: errors.Join(datasource.ErrReauthRequired)}
	w := f.worker(fl)
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatalf("run: %v %v", did, err)
	}
	a, _ := f.st.Account(ctx, f.account.ID)
	if a.Aggregation != store.AggregationFailed || a.ConnectionStatus != "error" || a.ErrorCode != "auth_required" {
		t.Fatalf("after a permanent failure: %+v", a)
	}
	f.now = f.now.Add(time.Hour)
	if did, _ := w.RunOnce(ctx); did {
		t.Fatal("a failed aggregation was picked up again")
	}
}

func TestExpiredLeaseIsReclaimed(t *testing.T) {
	f := newFixture(t, "test_1")
	ctx := context.Background()
	// A worker claims the account and dies before finishing.
	if _, ok, err := f.st.ClaimAggregation(ctx, f.now, f.now.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	w := f.worker(sandboxAt(f.now))
	if did, _ := w.RunOnce(ctx); did {
		t.Fatal("claimed a leased account")
	}
	f.now = f.now.Add(2 * time.Minute)
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatalf("after the lease expired: %v %v", did, err)
	}
	a, _ := f.st.Account(ctx, f.account.ID)
	if a.Aggregation != store.AggregationDone {
		t.Fatalf("aggregation = %s", a.Aggregation)
	}
}

// TestBankRecords aggregates a bank sandbox connection sharing one of the
// user's two accounts and checks the bank_account and transaction records.
func TestBankRecords(t *testing.T) {
	f := newFixture(t, "test_1")
	ctx := context.Background()
	bank := banksandbox.New()
	bank.Now = func() time.Time { return f.now }
	const inst = "ins_000000001"
	res, err := bank.SignIn(ctx, inst, datasource.Credentials{Username: "test_1", Password: sandboxdata.PasswordGood})
	if err != nil || res.Challenge == nil {
		t.Fatalf("sign in: %v %+v", err, res)
	}
	conn, err := bank.Verify(ctx, *res.Challenge, "8081")
	if err != nil {
		t.Fatal(err)
	}
	if len(conn.Accounts) != 2 {
		t.Fatalf("test_1 has %d bank accounts, want 2", len(conn.Accounts))
	}
	conn.Shared = []string{conn.Accounts[0].ID}
	sealed, err := f.secrets.Seal(conn)
	if err != nil {
		t.Fatal(err)
	}
	a := f.account
	a.ID, a.DataSource, a.Item, a.Source, a.Connection = store.NewID(), "banking", inst, conn.Source, sealed
	if err := f.st.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	w := &aggregate.Worker{Store: f.st, Connectors: datasource.Registry{Sandbox: map[string]datasource.Connector{"banking": bank}}, Secrets: f.secrets,
		Now: func() time.Time { return f.now }}
	// The fixture's payroll account has no connector here: it waits for a retry while the bank one is aggregated.
	for range 2 {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.st.Account(ctx, a.ID)
	if err != nil || got.Aggregation != store.AggregationDone {
		t.Fatalf("bank account aggregation = %+v, %v", got, err)
	}
	want, err := banksandbox.DataFor("test_1", inst, conn.Shared, value.DateOf(f.now))
	if err != nil {
		t.Fatal(err)
	}
	accts, _ := f.st.AccountRecords(ctx, a.ID, store.RecordBankAccount)
	txs, _ := f.st.AccountRecords(ctx, a.ID, store.RecordTransaction)
	if len(accts) != 1 || len(txs) != len(want.Transactions) || len(txs) < 100 {
		t.Fatalf("%d bank_account and %d transaction records; want 1 and %d", len(accts), len(txs), len(want.Transactions))
	}
	ba := accts[0]
	var stored datasource.BankAccount
	if err := json.Unmarshal(ba.Data, &stored); err != nil {
		t.Fatal(err)
	}
	if ba.ID != aggregate.RecordID(a, store.RecordBankAccount, conn.Shared[0]) || ba.SourceID != conn.Shared[0] ||
		ba.Employment != "" || ba.Date != want.BankAccounts[0].BalanceDate.String() || ba.UserID != a.UserID {
		t.Errorf("bank_account record = %+v", ba)
	}
	if len(stored.BalanceHistory) < 700 || stored.Balances != want.BankAccounts[0].Balances {
		t.Errorf("stored bank account has %d balance days and balances %+v", len(stored.BalanceHistory), stored.Balances)
	}
	bySource := map[string]datasource.Transaction{}
	for _, tx := range want.Transactions {
		bySource[tx.ID] = tx
	}
	for _, r := range txs {
		tx, ok := bySource[r.SourceID]
		if !ok {
			t.Fatalf("transaction record %s has no source transaction", r.SourceID)
		}
		if r.ID != aggregate.RecordID(a, store.RecordTransaction, tx.ID) || r.Employment != ba.ID || r.Date != tx.PostedDate.String() {
			t.Fatalf("transaction record %+v for %+v", r, tx)
		}
	}
	// Aggregating again the next day updates the same records.
	later := f.now.AddDate(0, 0, 1)
	next, err := banksandbox.DataFor("test_1", inst, conn.Shared, value.DateOf(later))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := aggregate.Records(got, next, later)
	if err != nil {
		t.Fatal(err)
	}
	got.Aggregation, got.UpdatedAt = store.AggregationDone, later
	if err := f.st.FinishAggregation(ctx, got, recs); err != nil {
		t.Fatal(err)
	}
	accts2, _ := f.st.AccountRecords(ctx, a.ID, store.RecordBankAccount)
	if len(accts2) != 1 || accts2[0].ID != ba.ID || accts2[0].Date != value.DateOf(later).String() {
		t.Errorf("after re-aggregation: %d bank accounts, %+v", len(accts2), accts2)
	}
}

// TestRecordIDs: an account's records are named after it, stably, and
// point at each other by those names; accounts stored before schema
// version 20 keep the hashed names their records already have.
func TestRecordIDs(t *testing.T) {
	now := time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)
	data, err := payrollsandbox.DataFor("test_3", "item_000000001", value.DateOf(now))
	if err != nil {
		t.Fatal(err)
	}
	id := "0f6c3b7e-6a1d-4c57-9b1e-2f0e8d7c6b5a"
	current := store.Account{ID: id, UserID: "u", PartnerID: "p", Environment: store.Sandbox}
	legacy := current
	legacy.RecordIDs = store.RecordIDsHashed
	recs, err := aggregate.Records(current, data, now)
	if err != nil {
		t.Fatal(err)
	}
	old, err := aggregate.Records(legacy, data, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(old) || len(recs) < 50 {
		t.Fatalf("%d and %d records", len(recs), len(old))
	}
	check := func(what string, recs []store.AccountRecord, want func(r store.AccountRecord) bool) {
		t.Helper()
		byID := map[string]store.AccountRecord{}
		for _, r := range recs {
			if _, err := uuid.Parse(r.ID); err != nil {
				t.Fatalf("%s: %s id %q: %v", what, r.Kind, r.ID, err)
			}
			if _, dup := byID[r.ID]; dup {
				t.Fatalf("%s: two records named %s", what, r.ID)
			}
			byID[r.ID] = r
			if !want(r) {
				t.Errorf("%s: %s %s named %s", what, r.Kind, r.SourceID, r.ID)
			}
		}
		for _, r := range recs {
			if r.Employment != "" && byID[r.Employment].ID == "" {
				t.Errorf("%s: %s %s points at %s, which is not among the account's records", what, r.Kind, r.ID, r.Employment)
			}
		}
	}
	prefix := recs[0].ID[:13] // the first six bytes
	check("current", recs, func(r store.AccountRecord) bool {
		return strings.HasPrefix(r.ID, prefix) && r.ID == aggregate.RecordID(current, r.Kind, r.SourceID)
	})
	// How records were named before version 20, spelled out.
	check("hashed", old, func(r store.AccountRecord) bool {
		return r.ID == uuid.NewSHA1(uuid.NameSpaceURL, []byte("verigate:"+id+":"+r.Kind+":"+r.SourceID)).String() &&
			r.ID == aggregate.RecordID(legacy, r.Kind, r.SourceID)
	})
	other, err := aggregate.Records(store.Account{ID: "5d1e2c3b-0000-4000-8000-000000000001"}, data, now)
	if err != nil {
		t.Fatal(err)
	}
	if other[0].ID[:13] == prefix {
		t.Errorf("two accounts' records share the prefix %s", prefix)
	}
	for i := range recs {
		if recs[i].ID == old[i].ID || recs[i].ID[13:] != old[i].ID[13:] {
			t.Errorf("%s %s: %s now, %s hashed; want the same name after the first six bytes", recs[i].Kind, recs[i].SourceID, recs[i].ID, old[i].ID)
		}
	}
}
