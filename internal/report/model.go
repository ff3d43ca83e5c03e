// Package report generates verification reports: a versioned JSON document
// and a paginated PDF for each completed verification, stored once with
// their checksums. It also renders receipts.
package report

import (
	"verigate/internal/datasource"
	"verigate/internal/value"
	"verigate/internal/verification"
)

// Schema is the version of the JSON report document; a change that is not
// backwards compatible gets a new version. docs/reports.md describes it.
const Schema = "verigate.report/v1"

// RecentPaystubs is how many of each employment's latest paystubs a voie report lists.
const RecentPaystubs = 3

// IncomeYears is how many calendar years of income a voie report shows:
// the current year to date and the two before it.
const IncomeYears = 3

// Report is the JSON report document. Payroll reports (voie, voe) fill
// DataAsOf, Accounts, Identity and Employments, and voie also Income;
// documents reports (doc-voi-mortgage) fill Documents; banking reports
// fill DataAsOf, Accounts, Identity and Banking.
type Report struct {
	Schema string `json:"schema"`
	ID     string `json:"id"`
	// ReferenceNumber is the report's reference for a loan file (see Reference).
	ReferenceNumber string `json:"reference_number"`
	Type            string `json:"type"`
	GeneratedAt     string `json:"generated_at"`
	Environment     string `json:"environment"`
	// Verification is "" (and absent) in a user report, which has none.
	Verification string                     `json:"verification,omitempty"`
	User         string                     `json:"user"`
	Client       string                     `json:"client"`
	DataSource   string                     `json:"data_source"`
	Loan         verification.Loan          `json:"loan"`
	Billing      verification.Billing       `json:"billing"`
	CustomFields []verification.CustomField `json:"custom_fields"`
	// BuildsOn names the voie report a voe builds on, or is nil.
	BuildsOn *BuildsOn `json:"builds_on,omitempty"`

	// DataAsOf is when the least recently aggregated account was aggregated.
	DataAsOf *string   `json:"data_as_of,omitempty"`
	Accounts []Account `json:"accounts,omitempty"`
	Identity *Identity `json:"identity,omitempty"`
	// IdentityCheck compares the identity the report was ordered for with
	// the connected one (payroll and banking reports).
	IdentityCheck *IdentityCheck `json:"identity_check,omitempty"`
	// Summary answers the underwriter's first questions (payroll reports).
	Summary     *Summary     `json:"summary,omitempty"`
	Employments []Employment `json:"employments,omitempty"`
	// Income sums every employment's income by year (voie only).
	Income []IncomeYear `json:"income,omitempty"`

	Documents *Documents `json:"documents,omitempty"`

	// Banking is the body of banking reports (voa, voi, voai,
	// voe-transactions), which also fill DataAsOf, Accounts and Identity.
	Banking *Banking `json:"banking,omitempty"`
}

// Account is a payroll account the report's data comes from.
type Account struct {
	ID     string `json:"id"`
	Item   string `json:"item"`
	Source string `json:"source"`
	// DataAsOf is when the account's data was last aggregated.
	DataAsOf string `json:"data_as_of"`
}

// Identity is the borrower as the payroll provider knows them.
type Identity struct {
	FirstName string     `json:"first_name"`
	LastName  string     `json:"last_name"`
	FullName  string     `json:"full_name"`
	BirthDate value.Date `json:"birth_date"`
	// SSN is the masked SSN, or nil when the source has none.
	SSN         *string            `json:"ssn"`
	Email       string             `json:"email"`
	PhoneNumber string             `json:"phone_number"`
	Address     datasource.Address `json:"address"`
}

// Employment is one job with (voie) its income and latest paystubs.
type Employment struct {
	ID              string             `json:"id"`
	Account         string             `json:"account"`
	Employer        string             `json:"employer"`
	EmployerAddress datasource.Address `json:"employer_address"`
	JobTitle        string             `json:"job_title"`
	Status          string             `json:"status"`
	// Current is true for an active employment.
	Current           bool       `json:"current"`
	EmploymentType    string     `json:"employment_type"`
	OriginalHireDate  value.Date `json:"original_hire_date"`
	HireDate          value.Date `json:"hire_date"`
	TerminationDate   value.Date `json:"termination_date"`
	TerminationReason *string    `json:"termination_reason"`
	// EndDate is when an ended employment ended (see endDate), or null.
	EndDate        value.Date         `json:"end_date"`
	PayFrequency   string             `json:"pay_frequency"`
	BasePay        datasource.BasePay `json:"base_pay"`
	Income         []IncomeYear       `json:"income,omitempty"`
	RecentPaystubs []Paystub          `json:"recent_paystubs,omitempty"`
}

// IncomeYear is one calendar year of gross income, summed from paystubs.
// Base, Overtime, Bonus and Commission sum the earnings lines of those
// types; Other is the rest of Gross, so the five always add up to Gross.
type IncomeYear struct {
	Year int `json:"year"`
	// YearToDate marks the current year.
	YearToDate bool `json:"year_to_date"`
	// From and Through are the earliest and latest paystub dates counted,
	// or null without paystubs: a year the aggregated paystubs cover only
	// in part starts after 1 January.
	From       value.Date  `json:"from"`
	Through    value.Date  `json:"through"`
	Paystubs   int         `json:"paystubs"`
	Base       value.Money `json:"base"`
	Overtime   value.Money `json:"overtime"`
	Bonus      value.Money `json:"bonus"`
	Commission value.Money `json:"commission"`
	Other      value.Money `json:"other"`
	Gross      value.Money `json:"gross"`
	Net        value.Money `json:"net"`
	// PayrollYTDGross is the year-to-date gross printed on the year's last
	// paystub (summed over employments), or null without paystubs.
	PayrollYTDGross *value.Money `json:"payroll_ytd_gross"`
	// Partial is true when the aggregated paystubs start after the year
	// (or the job in it) began: pay before From is not counted.
	Partial bool `json:"partial"`
	// Complete is true when the year is not partial and Gross equals
	// PayrollYTDGross: no paystub of the year is missing.
	Complete bool `json:"complete"`
}

// Paystub is one of an employment's latest paystubs.
type Paystub struct {
	ID          string      `json:"id"`
	PaystubDate value.Date  `json:"paystub_date"`
	PeriodStart value.Date  `json:"period_start"`
	PeriodEnd   value.Date  `json:"period_end"`
	GrossPay    value.Money `json:"gross_pay"`
	Taxes       value.Money `json:"taxes"`
	Deductions  value.Money `json:"deductions"`
	NetPay      value.Money `json:"net_pay"`
	Hours       value.Hours `json:"hours"`
	GrossPayYTD value.Money `json:"gross_pay_ytd"`
	NetPayYTD   value.Money `json:"net_pay_ytd"`
	Earnings    []Earning   `json:"earnings"`
}

// Earning is one earnings line of a paystub.
type Earning struct {
	Name   string      `json:"name"`
	Type   string      `json:"type"`
	Amount value.Money `json:"amount"`
	// Hours is null on lines not paid by the hour (bonus, commission).
	Hours *value.Hours `json:"hours"`
}

// Documents is the body of a doc-voi-mortgage report.
type Documents struct {
	// AsOf is the date the requirements were evaluated against.
	AsOf        string               `json:"as_of"`
	Employments []DocumentEmployment `json:"employments"`
	Uploads     []DocumentUpload     `json:"uploads"`
	Eligibility Eligibility          `json:"eligibility"`
}

// DocumentEmployment is an employment the partner stated, with what its
// documents had to show and which upload showed it.
type DocumentEmployment struct {
	Index           int           `json:"index"`
	Employer        string        `json:"employer"`
	Status          string        `json:"status"`
	HireDate        string        `json:"hire_date"`
	TerminationDate *string       `json:"termination_date"`
	Requirements    []Requirement `json:"requirements"`
}

// Requirement is one document an employment needs.
type Requirement struct {
	Requirement string `json:"requirement"`
	Met         bool   `json:"met"`
	// Upload is the upload that meets it, or null.
	Upload *string `json:"upload"`
}

// DocumentUpload is an uploaded document as the report lists it.
type DocumentUpload struct {
	ID           string  `json:"id"`
	DocumentType string  `json:"document_type"`
	FileName     string  `json:"file_name"`
	ContentType  string  `json:"content_type"`
	Size         int64   `json:"size"`
	SHA256       string  `json:"sha256"`
	UploadedAt   string  `json:"uploaded_at"`
	Employer     *string `json:"employer"`
	PayDate      *string `json:"pay_date"`
	PeriodStart  *string `json:"period_start"`
	PeriodEnd    *string `json:"period_end"`
	TaxYear      *int    `json:"tax_year"`
	// Employment is the index of the stated employment the upload matched, or null.
	Employment *int `json:"employment"`
}

// Eligibility is the outcome of a documents verification.
type Eligibility struct {
	Eligible bool                       `json:"eligible"`
	Errors   []verification.StatusError `json:"errors"`
}
