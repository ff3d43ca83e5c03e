package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/income"
	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/value"
	"verigate/internal/verification"
)

// Banking report types.
const (
	TypeVOA             = "voa"
	TypeVOI             = "voi"
	TypeVOAI            = "voai"
	TypeVOETransactions = "voe-transactions"
)

// LargeDepositFloor is the least large-deposit threshold: a deposit is large
// when it exceeds half the average monthly income, or this amount when
// that is less (see docs/reports.md).
const LargeDepositFloor value.Money = 100000

// Banking is the body of a banking report (voa, voi, voai,
// voe-transactions). BankAccounts is always set; voa fills Assets, voi
// Income, voai both, voe-transactions Employment.
type Banking struct {
	// AsOf is the date of the data: the latest balance date of the accounts.
	AsOf          value.Date           `json:"as_of"`
	Configuration BankingConfiguration `json:"configuration"`
	BankAccounts  []BankAccount        `json:"bank_accounts"`
	Assets        *Assets              `json:"assets,omitempty"`
	Income        *BankIncome          `json:"income,omitempty"`
	Employment    *BankEmployment      `json:"employment,omitempty"`
}

// BankingConfiguration is the order's report.configuration as the report
// applied it; absent options are null.
type BankingConfiguration struct {
	BankAccounts                  []string `json:"bank_accounts"`
	FromDate                      *string  `json:"from_date"`
	IncomeFromDate                *string  `json:"income_from_date"`
	IncomeStreamConfidenceMinimum *int     `json:"income_stream_confidence_minimum"`
}

// BankAccount is a bank account the report covers.
type BankAccount struct {
	// ID is the verigate bank account id (the bank_account record's id).
	ID string `json:"id"`
	// Account is the verigate account (the bank connection) it came from.
	Account               string     `json:"account"`
	Institution           string     `json:"institution"`
	InstitutionName       string     `json:"institution_name"`
	Name                  string     `json:"name"`
	OfficialName          string     `json:"official_name"`
	Type                  string     `json:"type"`
	Subtype               string     `json:"subtype"`
	AccountNumberDisplay  string     `json:"account_number_display"`
	Currency              string     `json:"currency"`
	Owners                []string   `json:"owners"`
	OldestTransactionDate value.Date `json:"oldest_transaction_date"`
	LastTransactionDate   value.Date `json:"last_transaction_date"`
	bank                  datasource.BankAccount
}

// Assets is the asset part of voa and voai reports, over [From, Through].
type Assets struct {
	From    value.Date `json:"from"`
	Through value.Date `json:"through"`
	// CurrentBalance and AvailableBalance sum the accounts' latest balances.
	CurrentBalance   value.Money `json:"current_balance"`
	AvailableBalance value.Money `json:"available_balance"`
	// AverageBalance sums the accounts' average daily balances.
	AverageBalance value.Money `json:"average_balance"`
	// AverageMonthlyIncome is the income the large-deposit threshold is
	// half of: the deposits of every income stream detected in the period
	// (at any confidence), per average month of the period.
	AverageMonthlyIncome  value.Money     `json:"average_monthly_income"`
	LargeDepositThreshold value.Money     `json:"large_deposit_threshold"`
	Accounts              []AccountAssets `json:"accounts"`
	LargeDeposits         []LargeDeposit  `json:"large_deposits"`
	NSFEvents             []NSFEvent      `json:"nsf_events"`
}

// AccountAssets is one bank account's balances and activity in the period.
type AccountAssets struct {
	BankAccount      string      `json:"bank_account"`
	CurrentBalance   value.Money `json:"current_balance"`
	AvailableBalance value.Money `json:"available_balance"`
	BalanceDate      value.Date  `json:"balance_date"`
	// From and Through are the first and last days of the balance history
	// counted: the period, shortened to the account's history.
	From    value.Date `json:"from"`
	Through value.Date `json:"through"`
	Days    int        `json:"days"`
	// AverageBalance is the mean end-of-day current balance of those days;
	// MinimumBalance the lowest.
	AverageBalance value.Money `json:"average_balance"`
	MinimumBalance value.Money `json:"minimum_balance"`
	// TotalCredits and TotalDebits sum the posted transactions of the
	// period (debits negative).
	TotalCredits  value.Money `json:"total_credits"`
	TotalDebits   value.Money `json:"total_debits"`
	Transactions  int         `json:"transactions"`
	LargeDeposits int         `json:"large_deposits"`
	NSFEvents     int         `json:"nsf_events"`
}

// LargeDeposit is a posted credit above the threshold that is not a
// transfer between the user's own accounts.
type LargeDeposit struct {
	Transaction  string      `json:"transaction"`
	BankAccount  string      `json:"bank_account"`
	PostedDate   value.Date  `json:"posted_date"`
	Amount       value.Money `json:"amount"`
	Description  string      `json:"description"`
	Counterparty string      `json:"counterparty"`
	Category     string      `json:"category"`
	// IncomeStream is the income stream the deposit belongs to, or null.
	IncomeStream *string `json:"income_stream"`
}

// NSFEvent is a non-sufficient-funds (returned item) fee.
type NSFEvent struct {
	Transaction string      `json:"transaction"`
	BankAccount string      `json:"bank_account"`
	PostedDate  value.Date  `json:"posted_date"`
	Amount      value.Money `json:"amount"`
	Description string      `json:"description"`
}

// BankIncome is the income part of voi and voai reports.
type BankIncome struct {
	// From is the earliest posted date considered (the configured bound,
	// else the oldest transaction's date); Through is the as-of date.
	From              value.Date `json:"from"`
	Through           value.Date `json:"through"`
	ConfidenceMinimum int        `json:"confidence_minimum"`
	// Basis says what the amounts are: AmountsNet, the deposits as they
	// reached the account, after the payer's taxes and deductions.
	Basis string `json:"basis"`
	// ProjectedAnnualAmount sums the streams' projected annual amounts.
	ProjectedAnnualAmount value.Money    `json:"projected_annual_amount"`
	Streams               []IncomeStream `json:"streams"`
}

// AmountsNet is the basis of banking income amounts: net deposits, not gross pay.
const AmountsNet = "net"

// IncomeStream is a detected income stream (see income.Stream) with its deposits.
type IncomeStream struct {
	ID              string      `json:"id"`
	Payer           string      `json:"payer"`
	Payroll         bool        `json:"payroll"`
	Frequency       string      `json:"frequency"`
	AverageAmount   value.Money `json:"average_amount"`
	ProjectedAnnual value.Money `json:"projected_annual_amount"`
	Total           value.Money `json:"total_amount"`
	FirstDate       value.Date  `json:"first_deposit_date"`
	LastDate        value.Date  `json:"last_deposit_date"`
	Deposits        int         `json:"deposits"`
	Active          bool        `json:"active"`
	Confidence      int         `json:"confidence"`
	BankAccounts    []string    `json:"bank_accounts"`
	// Transactions are the stream's credits, oldest first.
	Transactions []StreamTransaction `json:"transactions"`
}

// StreamTransaction is one credit of an income stream.
type StreamTransaction struct {
	ID          string      `json:"id"`
	BankAccount string      `json:"bank_account"`
	PostedDate  value.Date  `json:"posted_date"`
	Amount      value.Money `json:"amount"`
	Description string      `json:"description"`
}

// BankEmployment is the body of a voe-transactions report.
type BankEmployment struct {
	From      value.Date     `json:"from"`
	Through   value.Date     `json:"through"`
	Employers []BankEmployer `json:"employers"`
}

// BankEmployer is an employer inferred from payroll deposits.
type BankEmployer struct {
	Name         string     `json:"name"`
	IncomeStream string     `json:"income_stream"`
	FirstDeposit value.Date `json:"first_deposit_date"`
	LastDeposit  value.Date `json:"last_deposit_date"`
	Deposits     int        `json:"deposits"`
	Frequency    string     `json:"frequency"`
	Active       bool       `json:"active"`
}

// BankSource is one aggregated banking account and its records.
type BankSource struct {
	Account store.Account
	// InstitutionName names Account.Item, or is "" when unknown.
	InstitutionName string
	Identity        []store.AccountRecord
	BankAccounts    []store.AccountRecord
	Transactions    []store.AccountRecord
}

// IsBanking reports whether a report type is a banking one.
func IsBanking(reportType string) bool {
	switch reportType {
	case TypeVOA, TypeVOI, TypeVOAI, TypeVOETransactions:
		return true
	}
	return false
}

// dateFrom turns a configured date-time into the first whole day on or
// after it: a record dated D is at D's midnight UTC, so an instant past
// midnight starts the next day (as the API's date filters do).
func dateFrom(s *string) (value.Date, error) {
	if s == nil {
		return value.Date{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return value.Date{}, fmt.Errorf("report: configuration date %q: %w", *s, err)
	}
	t = t.UTC()
	d := value.DateOf(t)
	if t.After(d.Time()) {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// BuildBanking builds a voa, voi, voai or voe-transactions report from the
// accounts' aggregated records, honouring the verification's report
// configuration. It depends only on its arguments: equal inputs give equal
// reports.
func BuildBanking(id string, at time.Time, v store.Verification, sources []BankSource) (*Report, error) {
	if !IsBanking(v.ReportType) {
		return nil, fmt.Errorf("report: %q is not a banking report type", v.ReportType)
	}
	r, err := header(id, at, v)
	if err != nil {
		return nil, err
	}
	var cfg verification.ReportConfiguration
	if len(v.ReportConfiguration) > 0 {
		if err := json.Unmarshal(v.ReportConfiguration, &cfg); err != nil {
			return nil, fmt.Errorf("report: configuration: %w", err)
		}
	}
	from, err := dateFrom(cfg.FromDate)
	if err != nil {
		return nil, err
	}
	incomeFrom, err := dateFrom(cfg.IncomeFromDate)
	if err != nil {
		return nil, err
	}
	minConfidence := 0
	if cfg.IncomeStreamConfidenceMinimum != nil {
		minConfidence = *cfg.IncomeStreamConfidenceMinimum
	}
	b := &Banking{BankAccounts: []BankAccount{}, Configuration: BankingConfiguration{BankAccounts: cfg.BankAccounts,
		FromDate: cfg.FromDate, IncomeFromDate: cfg.IncomeFromDate, IncomeStreamConfidenceMinimum: cfg.IncomeStreamConfidenceMinimum}}
	r.Banking = b
	wanted := func(rec store.AccountRecord) bool {
		return cfg.BankAccounts == nil || slices.Contains(cfg.BankAccounts, rec.ID) || slices.Contains(cfg.BankAccounts, rec.SourceID)
	}

	var oldest, newest *time.Time
	var identity *datasource.Identity
	var txs []datasource.Transaction
	for _, src := range sources {
		a := src.Account
		asOf := a.UpdatedAt
		if a.ScannedAt != nil {
			asOf = *a.ScannedAt
		}
		r.Accounts = append(r.Accounts, Account{ID: a.ID, Item: a.Item, Source: a.Source, DataAsOf: asOf.UTC().Format(partner.TimeFormat)})
		if oldest == nil || asOf.Before(*oldest) {
			oldest = &asOf
		}
		for _, rec := range src.Identity {
			var idn datasource.Identity
			if err := json.Unmarshal(rec.Data, &idn); err != nil {
				return nil, fmt.Errorf("report: identity %s: %w", rec.ID, err)
			}
			if idn.FullName != "" && (newest == nil || !asOf.Before(*newest)) {
				identity, newest = &idn, &asOf
			}
		}
		var accts []BankAccount
		kept := map[string]string{} // connector account id → record id
		for _, rec := range src.BankAccounts {
			if !wanted(rec) {
				continue
			}
			var ba datasource.BankAccount
			if err := json.Unmarshal(rec.Data, &ba); err != nil {
				return nil, fmt.Errorf("report: bank account %s: %w", rec.ID, err)
			}
			kept[ba.ID] = rec.ID
			owners := ba.Owners
			if owners == nil {
				owners = []string{}
			}
			accts = append(accts, BankAccount{ID: rec.ID, Account: a.ID, Institution: ba.InstitutionID, InstitutionName: src.InstitutionName,
				Name: ba.Name, OfficialName: ba.OfficialName, Type: ba.Type, Subtype: ba.Subtype, AccountNumberDisplay: ba.Last4,
				Currency: ba.Currency, Owners: owners, OldestTransactionDate: ba.OldestTransactionDate,
				LastTransactionDate: ba.LastTransactionDate, bank: ba})
			if ba.BalanceDate.After(b.AsOf) {
				b.AsOf = ba.BalanceDate
			}
		}
		slices.SortStableFunc(accts, func(x, y BankAccount) int {
			return cmp.Or(cmp.Compare(x.bank.DisplayPosition, y.bank.DisplayPosition), cmp.Compare(x.ID, y.ID))
		})
		b.BankAccounts = append(b.BankAccounts, accts...)
		for _, rec := range src.Transactions {
			var t datasource.Transaction
			if err := json.Unmarshal(rec.Data, &t); err != nil {
				return nil, fmt.Errorf("report: transaction %s: %w", rec.ID, err)
			}
			acct, ok := kept[t.AccountID]
			if !ok {
				continue
			}
			t.ID, t.AccountID = rec.ID, acct
			txs = append(txs, t)
		}
	}
	if oldest != nil {
		s := oldest.UTC().Format(partner.TimeFormat)
		r.DataAsOf = &s
	}
	r.Identity = reportIdentity(identity)
	if b.AsOf.IsZero() {
		b.AsOf = value.DateOf(at.UTC())
	}
	slices.SortFunc(txs, func(x, y datasource.Transaction) int {
		return cmp.Or(x.PostedDate.Compare(y.PostedDate), cmp.Compare(x.ID, y.ID))
	})
	switch v.ReportType {
	case TypeVOA:
		b.Assets = assets(b, txs, from)
	case TypeVOI:
		b.Income = bankIncome(b, txs, from, minConfidence)
	case TypeVOAI:
		b.Assets = assets(b, txs, from)
		b.Income = bankIncome(b, txs, incomeFrom, minConfidence)
	case TypeVOETransactions:
		b.Employment = bankEmployment(b, txs, from)
	}
	return r, nil
}

// daysBetween returns the number of days from a to b.
func daysBetween(a, b value.Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// roundDiv returns a/b rounded half away from zero, for b > 0.
func roundDiv(a, b int64) value.Money {
	if a < 0 {
		return -value.Money((-a + b/2) / b)
	}
	return value.Money((a + b/2) / b)
}

// assets computes the asset part over the days from from (zero: the whole
// history) to the as-of date.
func assets(b *Banking, txs []datasource.Transaction, from value.Date) *Assets {
	out := &Assets{From: from, Through: b.AsOf, Accounts: []AccountAssets{}, LargeDeposits: []LargeDeposit{}, NSFEvents: []NSFEvent{}}
	earliest := value.Date{}
	byAccount := map[string]*AccountAssets{}
	for _, ba := range b.BankAccounts {
		aa := AccountAssets{BankAccount: ba.ID, CurrentBalance: ba.bank.Balances.Current, AvailableBalance: ba.bank.Balances.Available,
			BalanceDate: ba.bank.BalanceDate}
		var sum int64
		for _, d := range ba.bank.BalanceHistory {
			if (!from.IsZero() && d.Date.Before(from)) || d.Date.After(b.AsOf) {
				continue
			}
			if aa.Days == 0 {
				aa.From, aa.MinimumBalance = d.Date, d.Current
			}
			aa.Through = d.Date
			aa.Days++
			sum += int64(d.Current)
			aa.MinimumBalance = min(aa.MinimumBalance, d.Current)
		}
		if aa.Days > 0 {
			aa.AverageBalance = roundDiv(sum, int64(aa.Days))
			if earliest.IsZero() || aa.From.Before(earliest) {
				earliest = aa.From
			}
		}
		out.CurrentBalance += aa.CurrentBalance
		out.AvailableBalance += aa.AvailableBalance
		out.AverageBalance += aa.AverageBalance
		out.Accounts = append(out.Accounts, aa)
	}
	for i := range out.Accounts {
		byAccount[out.Accounts[i].BankAccount] = &out.Accounts[i]
	}
	if from.IsZero() || earliest.After(from) {
		out.From = earliest // the period starts where the history does
	}
	if out.From.IsZero() {
		out.From = b.AsOf
	}
	inPeriod := func(t datasource.Transaction) bool {
		return !t.Pending && !t.PostedDate.Before(out.From) && !t.PostedDate.After(out.Through)
	}

	// Average monthly income: every stream's deposits in the period, per
	// average month (365.25/12 days) of it, at least one month.
	streams := income.Detect(txs, income.Options{From: out.From, AsOf: out.Through})
	streamOf := map[string]string{}
	var total int64
	for _, s := range streams {
		total += int64(s.Total)
		for _, id := range s.TransactionIDs {
			streamOf[id] = s.ID
		}
	}
	days := int64(daysBetween(out.From, out.Through) + 1)
	if days*48 < 1461 {
		out.AverageMonthlyIncome = value.Money(total)
	} else {
		out.AverageMonthlyIncome = roundDiv(total*1461, days*48)
	}
	out.LargeDepositThreshold = max(LargeDepositFloor, roundDiv(int64(out.AverageMonthlyIncome), 2))

	for _, t := range txs {
		aa := byAccount[t.AccountID]
		if aa == nil || !inPeriod(t) {
			continue
		}
		aa.Transactions++
		if t.Amount > 0 {
			aa.TotalCredits += t.Amount
		} else {
			aa.TotalDebits += t.Amount
		}
		if t.Amount > out.LargeDepositThreshold && t.Category != datasource.TxTransfer {
			ld := LargeDeposit{Transaction: t.ID, BankAccount: t.AccountID, PostedDate: t.PostedDate, Amount: t.Amount,
				Description: t.Description, Counterparty: t.Counterparty, Category: t.Category}
			if s, ok := streamOf[t.ID]; ok {
				ld.IncomeStream = &s
			}
			out.LargeDeposits = append(out.LargeDeposits, ld)
			aa.LargeDeposits++
		}
		if t.Category == datasource.TxNSF {
			out.NSFEvents = append(out.NSFEvents, NSFEvent{Transaction: t.ID, BankAccount: t.AccountID, PostedDate: t.PostedDate,
				Amount: t.Amount, Description: t.Description})
			aa.NSFEvents++
		}
	}
	return out
}

// bankIncome detects the income streams of the credits from from (zero:
// the whole history) to the as-of date.
func bankIncome(b *Banking, txs []datasource.Transaction, from value.Date, minConfidence int) *BankIncome {
	out := &BankIncome{From: from, Through: b.AsOf, ConfidenceMinimum: minConfidence, Basis: AmountsNet, Streams: []IncomeStream{}}
	if from.IsZero() && len(txs) > 0 {
		out.From = txs[0].PostedDate
	}
	byID := make(map[string]*datasource.Transaction, len(txs))
	for i := range txs {
		byID[txs[i].ID] = &txs[i]
	}
	for _, s := range income.Detect(txs, income.Options{From: from, AsOf: b.AsOf, MinConfidence: minConfidence}) {
		is := IncomeStream{ID: s.ID, Payer: s.Payer, Payroll: s.Payroll, Frequency: s.Frequency, AverageAmount: s.AverageAmount,
			ProjectedAnnual: s.ProjectedAnnual, Total: s.Total, FirstDate: s.FirstDate, LastDate: s.LastDate, Deposits: s.Deposits,
			Active: s.Active, Confidence: s.Confidence, BankAccounts: s.AccountIDs, Transactions: make([]StreamTransaction, 0, len(s.TransactionIDs))}
		if is.BankAccounts == nil {
			is.BankAccounts = []string{}
		}
		for _, id := range s.TransactionIDs {
			t := byID[id]
			is.Transactions = append(is.Transactions, StreamTransaction{ID: t.ID, BankAccount: t.AccountID, PostedDate: t.PostedDate,
				Amount: t.Amount, Description: t.Description})
		}
		out.ProjectedAnnualAmount += s.ProjectedAnnual
		out.Streams = append(out.Streams, is)
	}
	return out
}

// bankEmployment infers employers from the payroll deposits from from
// (zero: the whole history) to the as-of date.
func bankEmployment(b *Banking, txs []datasource.Transaction, from value.Date) *BankEmployment {
	out := &BankEmployment{From: from, Through: b.AsOf, Employers: []BankEmployer{}}
	if from.IsZero() && len(txs) > 0 {
		out.From = txs[0].PostedDate
	}
	for _, e := range income.Employers(income.Detect(txs, income.Options{From: from, AsOf: b.AsOf})) {
		out.Employers = append(out.Employers, BankEmployer{Name: e.Name, IncomeStream: e.StreamID, FirstDeposit: e.FirstDeposit,
			LastDeposit: e.LastDeposit, Deposits: e.Deposits, Frequency: e.Frequency, Active: e.Active})
	}
	return out
}
