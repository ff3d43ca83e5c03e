// Package accountdata serves a tenant's connected accounts and the records
// aggregated from them.
package accountdata

import (
	"context"

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
}

// Service reads connected accounts and their records within one tenant's scope.
type Service struct {
	Store Store
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
