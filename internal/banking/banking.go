// Package banking renders connected bank data (bank accounts and their
// transactions) for the partner API: bank accounts in the catalog
// contract's OpenBankingBankAccount shape, transactions in verigate's own
// shape. It knows stored records, not HTTP.
package banking

import (
	"encoding/json"
	"fmt"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/value"
)

// BankAccount is the catalog contract's OpenBankingBankAccount, with
// verigate's additions (account, available_balance, official_name,
// subtype, owners). Its id is verigate's bank account id (the record id),
// not the bank's; institution_login is left out (verigate has no numeric
// login id to give, and the contract does not allow null), and so are the
// transaction dates of an account without transactions.
type BankAccount struct {
	ID                     string      `json:"id"`
	User                   string      `json:"user"`
	Account                string      `json:"account"`
	AccountNumberDisplay   string      `json:"account_number_display"`
	Name                   string      `json:"name"`
	OfficialName           string      `json:"official_name"`
	Type                   string      `json:"type"`
	Subtype                string      `json:"subtype"`
	AggregationStatusCode  int         `json:"aggregation_status_code"`
	Status                 string      `json:"status"`
	Institution            string      `json:"institution"`
	AggregationSuccessDate string      `json:"aggregation_success_date"`
	AggregationAttemptDate string      `json:"aggregation_attempt_date"`
	CreatedDate            string      `json:"created_date"`
	Currency               string      `json:"currency"`
	DisplayPosition        int         `json:"display_position"`
	ParentBankAccount      *string     `json:"parent_bank_account"`
	LinkedAccountDate      string      `json:"linked_account_date"`
	ErrorCode              *string     `json:"error_code"`
	ErrorMessage           *string     `json:"error_message"`
	RealAccountNumberLast4 string      `json:"real_account_number_last4"`
	Balance                json.Number `json:"balance"`
	AvailableBalance       json.Number `json:"available_balance"`
	BalanceDate            string      `json:"balance_date"`
	LastUpdatedDate        string      `json:"last_updated_date"`
	MarketSegment          string      `json:"market_segment"`
	LastTransactionDate    *string     `json:"last_transaction_date,omitempty"`
	OldestTransactionDate  *string     `json:"oldest_transaction_date,omitempty"`
	Owners                 []string    `json:"owners"`
}

// Transaction is a bank account's transaction (a verigate addition: the
// contracts have no transaction shape). Amounts are JSON numbers with two
// decimals, credits positive, as balances are in BankAccount.
type Transaction struct {
	ID           string      `json:"id"`
	User         string      `json:"user"`
	Account      string      `json:"account"`
	BankAccount  string      `json:"bank_account"`
	PostedDate   string      `json:"posted_date"`
	Amount       json.Number `json:"amount"`
	Currency     string      `json:"currency"`
	Description  string      `json:"description"`
	Counterparty *string     `json:"counterparty"`
	Category     *string     `json:"category"`
	Pending      bool        `json:"pending"`
	CreatedAt    string      `json:"created_at"`
	UpdatedAt    string      `json:"updated_at"`
}

// Aggregation status codes: 0 is the catalog contract's success; verigate
// uses 1 for an aggregation that has failed since the data was stored.
const (
	AggregationOK     = 0
	AggregationFailed = 1
)

func ts(t time.Time) string { return t.UTC().Format(partner.TimeFormat) }

// day renders a date as midnight UTC, or nil for the zero date.
func day(d value.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := ts(d.Time())
	return &s
}

func number(m value.Money) json.Number { return json.Number(m.String()) }

// RenderBankAccount returns a bank_account record as the API shows it; a
// is the verigate account the record belongs to (its connection's status
// and aggregation dates).
func RenderBankAccount(rec store.AccountRecord, a store.Account) (BankAccount, error) {
	if rec.Kind != store.RecordBankAccount {
		return BankAccount{}, fmt.Errorf("banking: record %s is a %s, not a bank account", rec.ID, rec.Kind)
	}
	var ba datasource.BankAccount
	if err := json.Unmarshal(rec.Data, &ba); err != nil {
		return BankAccount{}, fmt.Errorf("banking: bank account %s: %w", rec.ID, err)
	}
	out := BankAccount{
		ID: rec.ID, User: rec.UserID, Account: rec.AccountID, AccountNumberDisplay: ba.Last4, Name: ba.Name,
		OfficialName: ba.OfficialName, Type: ba.Type, Subtype: ba.Subtype, Status: "active", Institution: ba.InstitutionID,
		AggregationAttemptDate: ts(a.UpdatedAt), CreatedDate: ts(rec.CreatedAt), Currency: ba.Currency,
		DisplayPosition: ba.DisplayPosition, LinkedAccountDate: ts(a.CreatedAt), RealAccountNumberLast4: ba.Last4,
		Balance: number(ba.Balances.Current), AvailableBalance: number(ba.Balances.Available), BalanceDate: ts(ba.BalanceDate.Time()),
		LastUpdatedDate: ts(rec.UpdatedAt), MarketSegment: ba.MarketSegment,
		LastTransactionDate: day(ba.LastTransactionDate), OldestTransactionDate: day(ba.OldestTransactionDate), Owners: ba.Owners,
	}
	if out.Owners == nil {
		out.Owners = []string{}
	}
	if out.MarketSegment == "" {
		out.MarketSegment = "personal"
	}
	// Records exist only after a successful aggregation, so ScannedAt is
	// set; the record's own time stands in otherwise.
	out.AggregationSuccessDate = ts(rec.UpdatedAt)
	if a.ScannedAt != nil {
		out.AggregationSuccessDate = ts(*a.ScannedAt)
	}
	if a.Aggregation == store.AggregationFailed || a.ConnectionStatus == "error" {
		out.AggregationStatusCode = AggregationFailed
		code, msg := a.ErrorCode, "The bank account's data could not be refreshed; the data shown is from the last successful aggregation."
		if code == "" {
			code = "system_error"
		}
		out.ErrorCode, out.ErrorMessage = &code, &msg
	}
	return out, nil
}

// RenderTransaction returns a transaction record as the API shows it.
func RenderTransaction(rec store.AccountRecord) (Transaction, error) {
	if rec.Kind != store.RecordTransaction {
		return Transaction{}, fmt.Errorf("banking: record %s is a %s, not a transaction", rec.ID, rec.Kind)
	}
	var t datasource.Transaction
	if err := json.Unmarshal(rec.Data, &t); err != nil {
		return Transaction{}, fmt.Errorf("banking: transaction %s: %w", rec.ID, err)
	}
	out := Transaction{
		ID: rec.ID, User: rec.UserID, Account: rec.AccountID, BankAccount: rec.Employment, Amount: number(t.Amount),
		Currency: t.Currency, Description: t.Description, Pending: t.Pending, CreatedAt: ts(rec.CreatedAt), UpdatedAt: ts(rec.UpdatedAt),
	}
	if p := day(t.PostedDate); p != nil {
		out.PostedDate = *p
	}
	if t.Counterparty != "" {
		out.Counterparty = &t.Counterparty
	}
	if t.Category != "" {
		out.Category = &t.Category
	}
	return out, nil
}
