package accountdata_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"verigate/internal/accountdata"
	"verigate/internal/filestore"
	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// The concrete store serves the service.
var _ accountdata.Store = (*sqlstore.Store)(nil)

// fakeStore holds accounts and records of one scope and counts account reads.
type fakeStore struct {
	accounts     map[string]store.Account
	records      []store.AccountRecord
	accountReads int
	summarized   [][]string
	// uploads are the stored file names of each account's uploads.
	uploads map[string][]string
}

func (f *fakeStore) AccountInScope(_ context.Context, _ store.Scope, id string) (store.Account, error) {
	f.accountReads++
	a, ok := f.accounts[id]
	if !ok {
		return store.Account{}, store.ErrNotFound
	}
	return a, nil
}

func (f *fakeStore) ListAccounts(_ context.Context, _ store.Scope, _ store.AccountFilter, p store.Page) ([]store.Account, error) {
	var out []store.Account
	for _, id := range []string{"a2", "a1"} {
		if len(out) < p.Limit {
			out = append(out, f.accounts[id])
		}
	}
	return out, nil
}

func (f *fakeStore) RecordInScope(_ context.Context, _ store.Scope, kind, id string) (store.AccountRecord, error) {
	for _, r := range f.records {
		if r.Kind == kind && r.ID == id {
			return r, nil
		}
	}
	return store.AccountRecord{}, store.ErrNotFound
}

func (f *fakeStore) ListRecords(_ context.Context, _ store.Scope, kind string, _ store.RecordFilter, p store.Page) ([]store.AccountRecord, error) {
	var out []store.AccountRecord
	for _, r := range f.records {
		if r.Kind == kind && len(out) < p.Limit {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeStore) SummarizeRecords(_ context.Context, ids []string) ([]store.RecordSummary, error) {
	f.summarized = append(f.summarized, ids)
	var out []store.RecordSummary
	for _, id := range ids {
		out = append(out, store.RecordSummary{AccountID: id, Kind: store.RecordPaystub})
	}
	return out, nil
}

func (f *fakeStore) DisableOngoingRefresh(_ context.Context, _ store.Scope, id string, at time.Time) (store.Account, error) {
	a, ok := f.accounts[id]
	if !ok {
		return store.Account{}, store.ErrNotFound
	}
	if a.RefreshDisabledAt == nil {
		a.RefreshDisabledAt = &at
		f.accounts[id] = a
	}
	return a, nil
}

func (f *fakeStore) DeleteAccount(_ context.Context, _ store.Scope, id string) (store.DeletedAccount, error) {
	a, ok := f.accounts[id]
	if !ok {
		return store.DeletedAccount{}, store.ErrNotFound
	}
	delete(f.accounts, id)
	return store.DeletedAccount{Account: a, UploadFiles: f.uploads[id]}, nil
}

func (f *fakeStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

func newFake() *fakeStore {
	return &fakeStore{
		accounts: map[string]store.Account{"a1": {ID: "a1"}, "a2": {ID: "a2"}},
		records: []store.AccountRecord{
			{ID: "b3", Kind: store.RecordBankAccount, AccountID: "a2"},
			{ID: "b2", Kind: store.RecordBankAccount, AccountID: "a1"},
			{ID: "b1", Kind: store.RecordBankAccount, AccountID: "a1"},
			{ID: "p1", Kind: store.RecordPaystub, AccountID: "a1"},
		},
	}
}

func TestAccountsCarryTheirSummaries(t *testing.T) {
	f := newFake()
	s := &accountdata.Service{Store: f}
	got, err := s.Accounts(context.Background(), store.Scope{}, store.AccountFilter{}, store.Page{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "a2" || got[1].ID != "a1" {
		t.Fatalf("accounts = %+v", got)
	}
	if want := [][]string{{"a2", "a1"}}; !reflect.DeepEqual(f.summarized, want) {
		t.Errorf("summarized %v, want one read of %v", f.summarized, want)
	}
	for _, x := range got {
		if len(x.Records) != 1 || x.Records[0].AccountID != x.ID {
			t.Errorf("account %s has records %+v", x.ID, x.Records)
		}
	}

	one, err := s.Account(context.Background(), store.Scope{}, "a1")
	if err != nil || one.ID != "a1" || len(one.Records) != 1 {
		t.Errorf("Account = %+v, %v", one, err)
	}
	if _, err := s.Account(context.Background(), store.Scope{}, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
}

func TestBankAccountsReadEachAccountOnce(t *testing.T) {
	f := newFake()
	s := &accountdata.Service{Store: f}
	got, err := s.BankAccounts(context.Background(), store.Scope{}, store.RecordFilter{}, store.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("bank accounts = %+v", got)
	}
	for _, x := range got {
		if x.Account.ID != x.Record.AccountID {
			t.Errorf("record %s has account %s, want %s", x.Record.ID, x.Account.ID, x.Record.AccountID)
		}
	}
	if f.accountReads != 2 {
		t.Errorf("read accounts %d times, want 2", f.accountReads)
	}

	one, err := s.BankAccount(context.Background(), store.Scope{}, "b3")
	if err != nil || one.Record.ID != "b3" || one.Account.ID != "a2" {
		t.Errorf("BankAccount = %+v, %v", one, err)
	}
	if _, err := s.BankAccount(context.Background(), store.Scope{}, "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a paystub as a bank account: %v", err)
	}
}

func TestChangesCallTheirHooksOnce(t *testing.T) {
	f := newFake()
	var removed, disabled []string
	s := &accountdata.Service{Store: f, Now: func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) },
		Removed:         func(_ context.Context, a store.Account) error { removed = append(removed, a.ID); return nil },
		RefreshDisabled: func(_ context.Context, a store.Account) error { disabled = append(disabled, a.ID); return nil },
	}
	for range 2 {
		got, err := s.DisableOngoingRefresh(context.Background(), store.Scope{}, "a1")
		if err != nil || got.RefreshDisabledAt == nil || store.OngoingRefresh(got.Account) != store.OngoingRefreshDisabled {
			t.Fatalf("DisableOngoingRefresh = %+v, %v", got, err)
		}
	}
	if !reflect.DeepEqual(disabled, []string{"a1"}) {
		t.Errorf("RefreshDisabled called for %v, want once for a1", disabled)
	}
	if err := s.Delete(context.Background(), store.Scope{}, "a2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(context.Background(), store.Scope{}, "a2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	if !reflect.DeepEqual(removed, []string{"a2"}) {
		t.Errorf("Removed called for %v, want once for a2", removed)
	}
}

// TestDeleteRemovesUploadFiles: deleting an account removes its uploads'
// files once the deletion commits, and no other account's; a deletion
// that fails keeps them.
func TestDeleteRemovesUploadFiles(t *testing.T) {
	files, err := filestore.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a1-w2.pdf", "a2-w2.pdf", "a2-stub.png"} {
		if err := files.Put(name, []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	f := newFake()
	f.uploads = map[string][]string{"a1": {"a1-w2.pdf"}, "a2": {"a2-w2.pdf", "a2-stub.png"}}
	refuse := errors.New("event not recorded")
	failing := &accountdata.Service{Store: f, UploadFiles: files,
		Removed: func(context.Context, store.Account) error { return refuse }}
	if err := failing.Delete(context.Background(), store.Scope{}, "a1"); !errors.Is(err, refuse) {
		t.Fatalf("Delete with a failing hook: %v", err)
	}
	if _, err := files.Get("a1-w2.pdf"); err != nil {
		t.Errorf("a failed deletion removed the account's file: %v", err)
	}
	s := &accountdata.Service{Store: f, UploadFiles: files}
	if err := s.Delete(context.Background(), store.Scope{}, "a2"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a2-w2.pdf", "a2-stub.png"} {
		if _, err := files.Get(name); err == nil {
			t.Errorf("%s is still stored after its account was deleted", name)
		}
	}
	if _, err := files.Get("a1-w2.pdf"); err != nil {
		t.Errorf("another account's file was removed: %v", err)
	}
}
