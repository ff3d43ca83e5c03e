// Package accountdata serves a tenant's connected accounts and the records
// aggregated from them.
package accountdata

import (
	"context"
	"log/slog"
	"time"

	"verigate/internal/filestore"
	"verigate/internal/store"
)

// Store is the part of the store the service reads; *sqlstore.Store satisfies it.
type Store interface {
	// AccountInScope returns an account visible in scope.
	AccountInScope(ctx context.Context, s store.Scope, id string) (store.Account, error)
	// ListAccounts returns up to p.Limit accounts visible in scope, newest first.
	ListAccounts(ctx context.Context, s store.Scope, f store.AccountFilter, p store.Page) ([]store.Account, error)
	// RecordInScope returns a record of one kind visible in scope.
	RecordInScope(ctx context.Context, s store.Scope, kind, id string) (store.AccountRecord, error)
	// ListRecords returns up to p.Limit records of one kind visible in scope, in store.RecordKey order.
	ListRecords(ctx context.Context, s store.Scope, kind string, f store.RecordFilter, p store.Page) ([]store.AccountRecord, error)
	// SummarizeRecords counts the records of the given accounts by account and kind.
	SummarizeRecords(ctx context.Context, accountIDs []string) ([]store.RecordSummary, error)
	// DisableOngoingRefresh records that an account visible in scope is no longer refreshed.
	DisableOngoingRefresh(ctx context.Context, s store.Scope, id string, at time.Time) (store.Account, error)
	// DeleteAccount deletes an account visible in scope with its records, uploads and queued refreshes.
	DeleteAccount(ctx context.Context, s store.Scope, id string) (store.DeletedAccount, error)
	// InTx runs fn in one transaction, which store calls made with its context join.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service reads connected accounts and their records within one tenant's
// scope, disables their ongoing refresh and deletes them.
type Service struct {
	Store Store
	Now   func() time.Time
	// Removed, when set, is called inside the transaction that deletes an
	// account, with the account as it was: the place to record the
	// accounts.removed webhook event (webhook.Outbox.Record), so that the
	// event exists if and only if the deletion commits.
	Removed func(ctx context.Context, a store.Account) error
	// RefreshDisabled, when set, is called inside the transaction that
	// disables an account's ongoing refresh, with the account as saved,
	// the first time it is disabled: the place to record accounts.updated.
	RefreshDisabled func(ctx context.Context, a store.Account) error
	// UploadFiles keeps the files of uploads; a deleted account's are
	// removed from it after the deletion commits.
	UploadFiles filestore.Files
	Log         *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// DisableOngoingRefresh stops refreshing the account id visible in sc: its
// ongoing_refresh.status becomes disabled and refreshes no longer aggregate
// it again. Disabling it again changes nothing. It returns the account.
func (s *Service) DisableOngoingRefresh(ctx context.Context, sc store.Scope, id string) (Account, error) {
	var out store.Account
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		before, err := s.Store.AccountInScope(ctx, sc, id)
		if err != nil {
			return err
		}
		if out, err = s.Store.DisableOngoingRefresh(ctx, sc, id, s.now()); err != nil {
			return err
		}
		if before.RefreshDisabledAt == nil && s.RefreshDisabled != nil {
			return s.RefreshDisabled(ctx, out)
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	sums, err := s.Store.SummarizeRecords(ctx, []string{out.ID})
	if err != nil {
		return Account{}, err
	}
	return Account{Account: out, Records: sums}, nil
}

// Delete deletes the account id visible in sc with all its data, in one
// transaction; afterwards the account and its records are not found. The
// files of its uploads are removed after the commit; one that cannot be is
// logged and left behind, the account is gone either way.
func (s *Service) Delete(ctx context.Context, sc store.Scope, id string) error {
	var gone store.DeletedAccount
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if gone, err = s.Store.DeleteAccount(ctx, sc, id); err != nil {
			return err
		}
		if s.Removed != nil {
			return s.Removed(ctx, gone.Account)
		}
		return nil
	})
	if err != nil || s.UploadFiles == nil {
		return err
	}
	for _, name := range gone.UploadFiles {
		if err := s.UploadFiles.Remove(name); err != nil {
			log := s.Log
			if log == nil {
				log = slog.Default()
			}
			log.WarnContext(ctx, "deleted account's file not removed", "account", id, "file", name, "err", err)
		}
	}
	return nil
}

// Account is a connected account with the summaries of its records.
type Account struct {
	store.Account
	// Records counts the records aggregated from the account, by kind.
	Records []store.RecordSummary
}

// BankAccount is a bank_account record with the account it was aggregated from.
type BankAccount struct {
	Record  store.AccountRecord
	Account store.Account
}

// Accounts returns up to p.Limit accounts visible in sc that match f, newest first.
func (s *Service) Accounts(ctx context.Context, sc store.Scope, f store.AccountFilter, p store.Page) ([]Account, error) {
	rows, err := s.Store.ListAccounts(ctx, sc, f, p)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, x := range rows {
		ids[i] = x.ID
	}
	sums, err := s.Store.SummarizeRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	byAccount := map[string][]store.RecordSummary{}
	for _, sum := range sums {
		byAccount[sum.AccountID] = append(byAccount[sum.AccountID], sum)
	}
	out := make([]Account, len(rows))
	for i, x := range rows {
		out[i] = Account{Account: x, Records: byAccount[x.ID]}
	}
	return out, nil
}

// Account returns the account id visible in sc.
func (s *Service) Account(ctx context.Context, sc store.Scope, id string) (Account, error) {
	acct, err := s.Store.AccountInScope(ctx, sc, id)
	if err != nil {
		return Account{}, err
	}
	sums, err := s.Store.SummarizeRecords(ctx, []string{acct.ID})
	if err != nil {
		return Account{}, err
	}
	return Account{Account: acct, Records: sums}, nil
}

// Records returns up to p.Limit records of kind visible in sc that match f,
// in store.RecordKey order; p's positions are record keys.
func (s *Service) Records(ctx context.Context, sc store.Scope, kind string, f store.RecordFilter, p store.Page) ([]store.AccountRecord, error) {
	return s.Store.ListRecords(ctx, sc, kind, f, p)
}

// Record returns the record id of kind visible in sc.
func (s *Service) Record(ctx context.Context, sc store.Scope, kind, id string) (store.AccountRecord, error) {
	return s.Store.RecordInScope(ctx, sc, kind, id)
}

// BankAccounts returns up to p.Limit bank_account records visible in sc that
// match f, like Records, each with its account.
func (s *Service) BankAccounts(ctx context.Context, sc store.Scope, f store.RecordFilter, p store.Page) ([]BankAccount, error) {
	rows, err := s.Store.ListRecords(ctx, sc, store.RecordBankAccount, f, p)
	if err != nil {
		return nil, err
	}
	accounts := map[string]store.Account{} // each account is read once
	out := make([]BankAccount, len(rows))
	for i, rec := range rows {
		acct, ok := accounts[rec.AccountID]
		if !ok {
			if acct, err = s.Store.AccountInScope(ctx, sc, rec.AccountID); err != nil {
				return nil, err
			}
			accounts[rec.AccountID] = acct
		}
		out[i] = BankAccount{Record: rec, Account: acct}
	}
	return out, nil
}

// BankAccount returns the bank_account record id visible in sc with its account.
func (s *Service) BankAccount(ctx context.Context, sc store.Scope, id string) (BankAccount, error) {
	rec, err := s.Store.RecordInScope(ctx, sc, store.RecordBankAccount, id)
	if err != nil {
		return BankAccount{}, err
	}
	acct, err := s.Store.AccountInScope(ctx, sc, rec.AccountID)
	if err != nil {
		return BankAccount{}, err
	}
	return BankAccount{Record: rec, Account: acct}, nil
}
