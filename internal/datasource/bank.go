package datasource

import (
	"errors"
	"slices"
	"verigate/internal/value"
)

// KindBank is the Item.kind of a financial institution in a bank connector's
// [Catalog] (the Item view of an [InstitutionCatalog]).
const KindBank = "bank"

// ErrUnknownAccount means a Connection's Shared list names no account of the
// connection; the web flow must let the user choose again.
var ErrUnknownAccount = errors.New("connector: unknown bank account")

// BankConnector is a [Connector] to financial institutions. Its Catalog is
// the Item view of Institutions (Kind KindBank), so the web flow searches
// banks like payroll items; its connections carry Connection.Accounts, and
// Aggregate honours Connection.Shared and fills Data.BankAccounts and
// Data.Transactions.
type BankConnector interface {
	Connector
	// Institutions returns the institutions in the catalog contract's shape.
	Institutions() *InstitutionCatalog
}

// AccountChoice is one financial account a banking user may choose to share.
type AccountChoice struct {
	// ID is the bank account id, as in BankAccount.ID.
	ID string `json:"id"`
	// Name is the account's display name, such as "Everyday Checking".
	Name string `json:"name"`
	// Type is an account type such as AccountChecking or AccountSavings.
	Type string `json:"type"`
	// Mask is the masked account number for display, such as "…1234".
	Mask string `json:"mask"`
	// CurrentBalance is the balance when the user signed in.
	CurrentBalance value.Money `json:"current_balance"`
}

// Bank account types, as in the contract's OpenBankingBankAccount.type (which
// lists more).
const (
	// AccountChecking is a checking (current) account.
	AccountChecking = "checking"
	// AccountSavings is a savings account.
	AccountSavings = "savings"
	// AccountMoneyMarket is a money market account.
	AccountMoneyMarket = "moneyMarket"
	// AccountCD is a certificate of deposit.
	AccountCD = "cd"
	// AccountCreditCard is a credit card account.
	AccountCreditCard = "creditCard"
)

// BankAccount is one financial account, mirroring the catalog contract's
// OpenBankingBankAccount; the fields the contract derives from verigate's
// own records (user, created_date, aggregation dates, status) are left to the
// store. JSON names follow the contract where a field exists there.
type BankAccount struct {
	// ID identifies the account; stable for the same connection, unique within one Data.
	ID string `json:"id"`
	// InstitutionID is the institution's id (the contract's institution).
	InstitutionID string `json:"institution"`
	// Name is the account's display name, such as "Everyday Checking".
	Name string `json:"name"`
	// OfficialName is the product name the bank uses, such as "Harborview Everyday Checking".
	OfficialName string `json:"official_name"`
	// Type is AccountChecking, AccountSavings or another contract account type.
	Type string `json:"type"`
	// Subtype refines Type, such as "interest_checking" or "high_yield_savings", or is empty.
	Subtype string `json:"subtype"`
	// Last4 is the last four digits of the account number (the contract's
	// real_account_number_last4 and account_number_display).
	Last4 string `json:"real_account_number_last4"`
	// Currency is the ISO 4217 code, such as "USD".
	Currency string `json:"currency"`
	// DisplayPosition is the 1-based position of the account at the institution.
	DisplayPosition int `json:"display_position"`
	// MarketSegment is "personal" or "business".
	MarketSegment string `json:"market_segment"`
	// Owners lists the account holders' names, primary owner first.
	Owners []string `json:"owners"`
	// Balances are the balances as of BalanceDate.
	Balances Balances `json:"balances"`
	// BalanceDate is the date Balances refer to (the as-of date of the data).
	BalanceDate value.Date `json:"balance_date"`
	// OldestTransactionDate is the date of the account's oldest transaction, or zero.
	OldestTransactionDate value.Date `json:"oldest_transaction_date"`
	// LastTransactionDate is the date of the account's latest transaction, or zero.
	LastTransactionDate value.Date `json:"last_transaction_date"`
	// BalanceHistory holds the end-of-day balances of every day of the
	// period covered by the transactions, oldest first; its last entry equals
	// Balances.
	BalanceHistory []DailyBalance `json:"balance_history"`
}

// Balances are an account's current and available balances.
//
// Current is the ledger balance: the opening balance plus every posted
// (non-pending) transaction. Available is Current minus pending debits
// (Current plus the negative amounts of pending debits); pending credits are
// not available yet and do not count.
type Balances struct {
	// Current is the ledger balance (the contract's balance).
	Current value.Money `json:"current"`
	// Available is Current minus pending debits.
	Available value.Money `json:"available"`
}

// DailyBalance is an account's balances at the end of one day.
type DailyBalance struct {
	// Date is the day.
	Date value.Date `json:"date"`
	// Current is the ledger balance after the day's posted transactions.
	Current value.Money `json:"current"`
	// Available is Current minus the pending debits dated on or before Date.
	Available value.Money `json:"available"`
}

// Transaction categories. Connectors set the closest one; income detection
// relies on them (and on descriptions when they are empty).
const (
	// TxPayroll is a wage or salary deposit from an employer.
	TxPayroll = "payroll"
	// TxIncomeOther is any other income: gig payouts, rent received, benefits, pensions.
	TxIncomeOther = "income_other"
	// TxInterest is interest or dividends paid by the institution.
	TxInterest = "interest"
	// TxTransfer is a transfer between the user's own accounts (either side).
	TxTransfer = "transfer"
	// TxRefund is a refund, reversal or tax refund.
	TxRefund = "refund"
	// TxSpending is a purchase, bill, rent or mortgage payment, card payment or cash withdrawal.
	TxSpending = "spending"
	// TxFee is a bank fee other than an NSF fee.
	TxFee = "fee"
	// TxNSF is a non-sufficient-funds (returned item) fee: one NSF event.
	TxNSF = "nsf"
)

// Transaction is one account transaction.
//
// Amount follows the sign convention "credits positive": money into the
// account (deposits, incoming transfers, refunds, interest) is positive and
// money out (purchases, fees, outgoing transfers) is negative.
type Transaction struct {
	// ID identifies the transaction; stable for the same connection, unique within one Data.
	ID string `json:"id"`
	// AccountID is the BankAccount.ID the transaction belongs to.
	AccountID string `json:"bank_account"`
	// PostedDate is the day the transaction posted or, while Pending, the day it was made.
	PostedDate value.Date `json:"posted_date"`
	// Amount is the signed amount: credits positive, debits negative.
	Amount value.Money `json:"amount"`
	// Currency is the ISO 4217 code, such as "USD".
	Currency string `json:"currency"`
	// Description is the statement text, such as "WHOLE GOODS PAYROLL PPD ID: 4120457788".
	Description string `json:"description"`
	// Counterparty is the payer of a credit or the payee of a debit, such as
	// the employer's name; empty when unknown or for own-account transfers.
	Counterparty string `json:"counterparty"`
	// Category is one of the Tx* categories, or empty when unknown.
	Category string `json:"category"`
	// Pending reports whether the transaction has not posted yet; pending
	// transactions do not count in Balances.Current.
	Pending bool `json:"pending"`
}

// Institution statuses, as in the catalog contract's institution status.
const (
	// InstitutionOnline means normal service.
	InstitutionOnline = "online"
	// InstitutionDegraded means slower or partial service that still accepts connections.
	InstitutionDegraded = "degraded"
	// InstitutionOffline means new connections are not possible for now.
	InstitutionOffline = "offline"
)

// Institution is a financial institution in the shape of the catalog
// contract's /v2/open-banking/institutions results. The list fields are
// always set; InstitutionDetails (the extra fields of the retrieve endpoint)
// is set only by InstitutionCatalog.Get, and its fields marshal inline.
type Institution struct {
	// ID is the institution id, such as "ins_000000001".
	ID string `json:"id"`
	// RSSD is the Federal Reserve RSSD id, or 0.
	RSSD int `json:"rssd"`
	// Name is the display name.
	Name string `json:"name"`
	// TransAgg reports whether transactions can be aggregated.
	TransAgg bool `json:"trans_agg"`
	// ACH reports whether ACH account details are available.
	ACH bool `json:"ach"`
	// StateAgg reports whether statements can be aggregated.
	StateAgg bool `json:"state_agg"`
	// VOI reports eligibility for verification of income reports.
	VOI bool `json:"voi"`
	// VOA reports eligibility for verification of assets reports.
	VOA bool `json:"voa"`
	// AHA reports whether account history aggregation is supported.
	AHA bool `json:"aha"`
	// AvailBalance reports whether available balances are returned.
	AvailBalance bool `json:"avail_balance"`
	// AccountOwner reports whether account owner names are returned.
	AccountOwner bool `json:"account_owner"`
	// StudentLoanData reports whether student loan data is returned.
	StudentLoanData bool `json:"student_loan_data"`
	// LoanPaymentDetails reports whether loan payment details are returned.
	LoanPaymentDetails bool `json:"loan_payment_details"`
	// ChildInstitutions lists the ids of institutions grouped under this one; never nil.
	ChildInstitutions []string `json:"child_institutions"`
	*InstitutionDetails
}

// InstitutionDetails are the fields only the contract's
// /v2/open-banking/institutions/{id} returns.
type InstitutionDetails struct {
	// AccountTypeDescription describes the accounts held, such as "Banking".
	AccountTypeDescription string `json:"account_type_description"`
	// Phone is the customer service phone number.
	Phone string `json:"phone"`
	// URLHomeApp is the home page.
	URLHomeApp string `json:"url_home_app"`
	// URLLogonApp is the online banking sign-in page.
	URLLogonApp string `json:"url_logon_app"`
	// OAuthEnabled reports whether sign-in is by OAuth.
	OAuthEnabled bool `json:"oauth_enabled"`
	// URLForgotPassword is the password reset page.
	URLForgotPassword string `json:"url_forgot_password"`
	// URLOnlineRegistration is the online banking registration page, or empty.
	URLOnlineRegistration string `json:"url_online_registration"`
	// SpecialText is the sign-in instruction to show the user.
	SpecialText string `json:"special_text"`
	// TimeZone is the IANA time zone, such as "America/New_York".
	TimeZone string `json:"time_zone"`
	// SpecialInstructions lists extra sign-in instructions; never nil.
	SpecialInstructions []string `json:"special_instructions"`
	// SpecialInstructionsTitle titles SpecialInstructions, or is nil (JSON
	// null); the JSON name keeps the contract's spelling.
	SpecialInstructionsTitle *string `json:"special_instutions_title"`
	// Address is the head office address.
	Address InstitutionAddress `json:"address"`
	// Currency is the ISO 4217 code of the accounts, such as "USD".
	Currency string `json:"currency"`
	// Email is the customer service e-mail address or contact form.
	Email string `json:"email"`
	// Status is InstitutionOnline, InstitutionDegraded or InstitutionOffline.
	Status string `json:"status"`
	// NewInstitution is 1 for recently added institutions, else 0.
	NewInstitution int `json:"new_institution"`
	// Branding holds logo and colour; URLs may be empty (the UI draws initials).
	Branding InstitutionBranding `json:"branding"`
	// OAuthInstitution is 1 for OAuth institutions, else 0.
	OAuthInstitution int `json:"oauth_institution"`
	// Class is the institution class, such as "banking".
	Class string `json:"class"`
}

// InstitutionAddress is the contract's institution address.
type InstitutionAddress struct {
	// City is the city.
	City string `json:"city"`
	// State is the state code, such as "NY".
	State string `json:"state"`
	// Country is the country, "USA" in the contract's example.
	Country string `json:"country"`
	// PostalCode is the ZIP code.
	PostalCode string `json:"postal_code"`
	// AddressLine1 is the street address.
	AddressLine1 string `json:"address_line1"`
	// AddressLine2 is the second address line, or empty.
	AddressLine2 string `json:"address_line2"`
}

// InstitutionBranding is the contract's institution branding.
type InstitutionBranding struct {
	// Logo is the logo URL.
	Logo string `json:"logo"`
	// AlternateLogo is the alternate logo URL.
	AlternateLogo string `json:"alternate_logo"`
	// Icon is the icon URL.
	Icon string `json:"icon"`
	// PrimaryColor is the brand colour, such as "#115892".
	PrimaryColor string `json:"primary_color"`
	// Tile is the tile image URL.
	Tile string `json:"tile"`
}

// Report types an institution can be eligible for, as in the contract's
// institutions type filter.
const (
	// ReportVOA is verification of assets.
	ReportVOA = "voa"
	// ReportVOI is verification of income.
	ReportVOI = "voi"
)

// InstitutionCatalog is a searchable, read-only list of institutions; it is
// safe for concurrent use. Search behaves exactly like payroll item search
// (it is a [StaticCatalog] underneath).
type InstitutionCatalog struct {
	items *StaticCatalog
	list  []Institution // popularity order, details included
}

// NewInstitutionCatalog returns a catalog of institutions in popularity
// order, which it copies. It panics on a duplicate or empty id.
//
// Its Item view gives every institution Kind KindBank, MappingStatus
// MappingVerified, LogoURL from Branding.Logo, and Status StatusHealthy,
// StatusIssues or StatusUnavailable for an online, degraded or offline
// institution.
func NewInstitutionCatalog(institutions []Institution) *InstitutionCatalog {
	c := &InstitutionCatalog{list: make([]Institution, len(institutions))}
	items := make([]Item, len(institutions))
	for i, in := range institutions {
		c.list[i] = cloneInstitution(in)
		it := Item{ID: in.ID, Name: in.Name, Kind: KindBank, Status: StatusHealthy, MappingStatus: MappingVerified}
		if d := in.InstitutionDetails; d != nil {
			it.LogoURL = d.Branding.Logo
			switch d.Status {
			case InstitutionDegraded:
				it.Status, it.StatusDetails = StatusIssues, "Connections are slower than usual."
			case InstitutionOffline:
				it.Status, it.StatusDetails = StatusUnavailable, "The institution is not accepting new connections right now."
			}
		}
		items[i] = it
	}
	c.items = NewStaticCatalog(items)
	return c
}

func cloneInstitution(in Institution) Institution {
	in.ChildInstitutions = slices.Clone(in.ChildInstitutions)
	if in.ChildInstitutions == nil {
		in.ChildInstitutions = []string{}
	}
	if in.InstitutionDetails != nil {
		d := *in.InstitutionDetails
		d.SpecialInstructions = slices.Clone(d.SpecialInstructions)
		if d.SpecialInstructions == nil {
			d.SpecialInstructions = []string{}
		}
		if d.SpecialInstructionsTitle != nil {
			t := *d.SpecialInstructionsTitle
			d.SpecialInstructionsTitle = &t
		}
		in.InstitutionDetails = &d
	}
	return in
}

// Items returns the catalog's Item view, for [Connector.Catalog].
func (c *InstitutionCatalog) Items() *StaticCatalog { return c.items }

// Len returns the number of institutions.
func (c *InstitutionCatalog) Len() int { return len(c.list) }

// Has reports whether the catalog holds an institution with the given id.
func (c *InstitutionCatalog) Has(id string) bool { return c.items.Has(id) }

// Get returns a copy of the institution with the given id, details included.
func (c *InstitutionCatalog) Get(id string) (Institution, bool) {
	i, ok := c.items.byID[id]
	if !ok {
		return Institution{}, false
	}
	return cloneInstitution(c.list[i]), true
}

// Search returns up to limit institutions (all when limit <= 0) whose name
// matches query, without details, ranked as [Catalog.Search] ranks items.
// The results are restricted to the ids in only when it is non-empty, and to
// institutions eligible for reportType (ReportVOA or ReportVOI) when it is not
// empty; any other reportType matches nothing.
func (c *InstitutionCatalog) Search(query string, limit int, only []string, reportType string) []Institution {
	if reportType != "" {
		var allowed map[string]bool
		if len(only) > 0 {
			allowed = make(map[string]bool, len(only))
			for _, id := range only {
				allowed[id] = true
			}
		}
		var ids []string
		for _, in := range c.list {
			eligible := (reportType == ReportVOA && in.VOA) || (reportType == ReportVOI && in.VOI)
			if eligible && (allowed == nil || allowed[in.ID]) {
				ids = append(ids, in.ID)
			}
		}
		if len(ids) == 0 {
			return []Institution{}
		}
		only = ids
	}
	items := c.items.Search(query, limit, only)
	out := make([]Institution, len(items))
	for k, it := range items {
		in := cloneInstitution(c.list[c.items.byID[it.ID]])
		in.InstitutionDetails = nil
		out[k] = in
	}
	return out
}
