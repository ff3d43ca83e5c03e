package datasource

import "verigate/internal/value"

// Data is everything a connector aggregates from one connected account.
//
// A payroll connector fills Identity, Employments, Paystubs and Documents; a
// bank connector fills Identity (as far as the bank knows it), BankAccounts
// and Transactions and leaves the payroll lists empty.
//
// IDs inside Data (employments, paystubs, documents) are stable for the same
// account but are only unique within one Data value; a store should scope
// them by account or map them to its own ids. JSON tags follow the partners
// and catalog contracts' field names.
type Data struct {
	// Identity is the account holder's personal data.
	Identity Identity `json:"identity"`
	// Employments lists the account's jobs, current first.
	Employments []Employment `json:"employments"`
	// Paystubs lists pay statements of all employments, oldest first.
	Paystubs []Paystub `json:"paystubs"`
	// Documents lists payroll documents such as W-2 forms, oldest first.
	Documents []PayrollDocument `json:"payroll_documents"`
	// BankAccounts lists the shared financial accounts of a bank connection, in display order.
	BankAccounts []BankAccount `json:"bank_accounts,omitempty"`
	// Transactions lists the transactions of BankAccounts, oldest first.
	Transactions []Transaction `json:"transactions,omitempty"`
	// Gigs, Shifts, Ratings and Vehicles are a gig platform's data (gig.go), oldest first.
	Gigs     []Gig     `json:"gigs,omitempty"`
	Shifts   []Shift   `json:"shifts,omitempty"`
	Ratings  []Rating  `json:"ratings,omitempty"`
	Vehicles []Vehicle `json:"vehicles,omitempty"`
	// DepositDestinations lists where the employments' pay is deposited.
	DepositDestinations []DepositDestination `json:"deposit_destinations,omitempty"`
}

// Address is a postal address, as in the contracts' Address schema.
type Address struct {
	// Line1 is the street address.
	Line1 string `json:"line1"`
	// Line2 is the apartment or unit, or empty.
	Line2 string `json:"line2"`
	// City is the city or town.
	City string `json:"city"`
	// State is the state or region code, such as "NY".
	State string `json:"state"`
	// PostalCode is the ZIP or postal code.
	PostalCode string `json:"postal_code"`
	// Country is the ISO 3166-1 alpha-2 country code, such as "US".
	Country string `json:"country"`
}

// Identity is the personal data of the account holder, the person-level part
// of the catalog contract's Identity schema.
type Identity struct {
	// FirstName is the legal first name.
	FirstName string `json:"first_name"`
	// LastName is the legal last name.
	LastName string `json:"last_name"`
	// FullName is the full name as shown by the payroll system.
	FullName string `json:"full_name"`
	// BirthDate is the date of birth.
	BirthDate value.Date `json:"birth_date"`
	// Email is the e-mail address.
	Email string `json:"email"`
	// PhoneNumber is the phone number in E.164 form, such as "+12125551234".
	PhoneNumber string `json:"phone_number"`
	// SSN is the Social Security number with the first five digits masked, such as "XXX-XX-1191".
	SSN string `json:"ssn"`
	// MaritalStatus is the marital status as the payroll system states it.
	MaritalStatus string `json:"marital_status"`
	// Gender is the gender as the payroll system states it.
	Gender string `json:"gender"`
	// Address is the home address.
	Address Address `json:"address"`
}

// Employment statuses, as in the contracts' employment_status.
const (
	// EmploymentActive is a current job.
	EmploymentActive = "active"
	// EmploymentInactive is a job on leave or otherwise inactive.
	EmploymentInactive = "inactive"
	// EmploymentTerminated is a job that has ended.
	EmploymentTerminated = "terminated"
)

// Pay cycles, as in the contracts' pay_cycle.
const (
	// PayWeekly pays every week.
	PayWeekly = "weekly"
	// PayBiweekly pays every two weeks.
	PayBiweekly = "biweekly"
	// PaySemimonthly pays twice a month.
	PaySemimonthly = "semimonthly"
	// PayMonthly pays once a month.
	PayMonthly = "monthly"
)

// PaychecksPerYear is how many paychecks a pay cycle makes in a year, or 0
// for a cycle it does not know.
func PaychecksPerYear(cycle string) int {
	switch cycle {
	case PayWeekly:
		return 52
	case PayBiweekly:
		return 26
	case PaySemimonthly:
		return 24
	case PayMonthly:
		return 12
	}
	return 0
}

// Employment is one job, carrying the job-level fields of the catalog
// contract's Identity and Employment schemas.
type Employment struct {
	// ID identifies the employment within the account.
	ID string `json:"id"`
	// Employer is the employer name on the most recent paystub.
	Employer string `json:"employer"`
	// EmployerAddress is the employer's address.
	EmployerAddress Address `json:"employer_address"`
	// JobTitle is the job title.
	JobTitle string `json:"job_title"`
	// Status is EmploymentActive, EmploymentInactive or EmploymentTerminated.
	Status string `json:"employment_status"`
	// Type is the contract's employment_type, such as "full-time" or "part-time".
	Type string `json:"employment_type"`
	// OriginalHireDate is the earliest start date with this employer.
	OriginalHireDate value.Date `json:"original_hire_date"`
	// HireDate is the most recent start date.
	HireDate value.Date `json:"hire_date"`
	// TerminationDate is the last day of employment, or zero while employed.
	TerminationDate value.Date `json:"termination_date"`
	// TerminationReason explains a termination, or is empty.
	TerminationReason string `json:"termination_reason"`
	// PayCycle is PayWeekly, PayBiweekly, PaySemimonthly or PayMonthly.
	PayCycle string `json:"pay_cycle"`
	// BasePay is the current base pay rate.
	BasePay BasePay `json:"base_pay"`
	// PlatformIDs are the employer's and payroll system's ids for the employee.
	PlatformIDs PlatformIDs `json:"platform_ids"`
}

// Base pay periods, as in the contract's BasePay.period.
const (
	// PeriodHourly is pay per hour.
	PeriodHourly = "hourly"
	// PeriodAnnual is pay per year.
	PeriodAnnual = "annual"
)

// BasePay is a defined pay rate, as in the contract's BasePay schema.
type BasePay struct {
	// Amount is the pay per Period.
	Amount value.Money `json:"amount"`
	// Period is PeriodHourly or PeriodAnnual.
	Period string `json:"period"`
	// Currency is the ISO 4217 code, such as "USD".
	Currency string `json:"currency"`
}

// PlatformIDs are the contract's platform_ids.
type PlatformIDs struct {
	// EmployeeID is the employer's id for the employee.
	EmployeeID string `json:"employee_id"`
	// PositionID is the employer's id for the position.
	PositionID string `json:"position_id"`
	// PlatformUserID is the payroll system's id for the user.
	PlatformUserID string `json:"platform_user_id"`
}

// Paystub is one pay statement, shaped like the partners contract's
// PartnerPaystub; gross_pay_list_totals can be derived from GrossPayList.
type Paystub struct {
	// ID identifies the paystub within the account.
	ID string `json:"id"`
	// Employment is the ID of the employment paid.
	Employment string `json:"employment"`
	// Employer is the employer name.
	Employer string `json:"employer"`
	// EmployerAddress is the employer address printed on the paystub.
	EmployerAddress Address `json:"employer_address"`
	// Status is the payment status, "completed" for paid stubs.
	Status string `json:"status"`
	// PaystubDate is the payment date.
	PaystubDate value.Date `json:"paystub_date"`
	// Period is the work period paid.
	Period value.Period `json:"paystub_period"`
	// Currency is the ISO 4217 code, such as "USD".
	Currency string `json:"currency"`
	// GrossPay is the pay before taxes and deductions.
	GrossPay value.Money `json:"gross_pay"`
	// Taxes is the sum of TaxList amounts.
	Taxes value.Money `json:"taxes"`
	// Deductions is the sum of DeductionList amounts.
	Deductions value.Money `json:"deductions"`
	// NetPay is GrossPay minus Taxes minus Deductions.
	NetPay value.Money `json:"net_pay"`
	// Reimbursements is the total reimbursed, not part of GrossPay.
	Reimbursements value.Money `json:"reimbursements"`
	// Hours is the total hours worked in the period.
	Hours value.Hours `json:"hours"`
	// GrossPayYTD is the year's gross pay up to and including this paystub.
	GrossPayYTD value.Money `json:"gross_pay_ytd"`
	// NetPayYTD is the year's net pay up to and including this paystub.
	NetPayYTD value.Money `json:"net_pay_ytd"`
	// TaxesYTD is the year's taxes up to and including this paystub.
	TaxesYTD value.Money `json:"taxes_ytd"`
	// DeductionsYTD is the year's deductions up to and including this paystub.
	DeductionsYTD value.Money `json:"deductions_ytd"`
	// HoursYTD is the year's hours up to and including this paystub.
	HoursYTD value.Hours `json:"hours_ytd"`
	// Destinations are where the net pay was sent, as the paystub shows it.
	Destinations []PaystubDestination `json:"destinations,omitempty"`
	// GrossPayList itemises GrossPay.
	GrossPayList []GrossPayLine `json:"gross_pay_list"`
	// TaxList itemises Taxes.
	TaxList []Tax `json:"tax_list"`
	// DeductionList itemises Deductions.
	DeductionList []Deduction `json:"deduction_list"`
	// FilingStatus lists the tax filing statuses printed on the paystub.
	FilingStatus []FilingStatus `json:"filing_status"`
}

// Gross pay line types, as in the contract's GrossPay.type.
const (
	// GrossBase is regular pay.
	GrossBase = "base"
	// GrossOvertime is overtime pay.
	GrossOvertime = "overtime"
	// GrossBonus is bonus pay.
	GrossBonus = "bonus"
	// GrossCommission is commission pay.
	GrossCommission = "commission"
	// GrossOther is any other pay.
	GrossOther = "other"
)

// GrossPayLine is one earnings line, as in the contract's GrossPay schema.
// Rate, Hours and HoursYTD are zero for lines not paid by the hour (null in
// the contract).
type GrossPayLine struct {
	// Name is the line's label, such as "Regular".
	Name string `json:"name"`
	// Type is GrossBase, GrossOvertime, GrossBonus, GrossCommission or GrossOther.
	Type string `json:"type"`
	// StartDate is the start of the work period of the line.
	StartDate value.Date `json:"start_date"`
	// EndDate is the end of the work period of the line.
	EndDate value.Date `json:"end_date"`
	// Rate is the hourly rate.
	Rate value.Money `json:"rate"`
	// Hours is the hours paid.
	Hours value.Hours `json:"hours"`
	// Amount is the pay of the line.
	Amount value.Money `json:"amount"`
	// HoursYTD is the year's hours for lines of this name, including this one.
	HoursYTD value.Hours `json:"hours_ytd"`
	// AmountYTD is the year's pay for lines of this name, including this one.
	AmountYTD value.Money `json:"amount_ytd"`
}

// Hourly reports whether a line is paid by the hour: lines without a rate
// or hours (bonus, commission) carry no hours.
func (l GrossPayLine) Hourly() bool { return l.Rate != 0 || l.Hours != 0 }

// Tax types, as in the contract's Tax.type.
const (
	// TaxFederal is federal income tax.
	TaxFederal = "federal"
	// TaxState is state income tax.
	TaxState = "state"
	// TaxLocal is city or county tax.
	TaxLocal = "local"
	// TaxFICA is Social Security or Medicare tax.
	TaxFICA = "fica"
	// TaxOther is any other tax.
	TaxOther = "other"
)

// Tax is one tax withholding, as in the contract's Tax schema.
type Tax struct {
	// Name is the label, such as "Social Security Tax".
	Name string `json:"name"`
	// Type is TaxFederal, TaxState, TaxLocal, TaxFICA or TaxOther.
	Type string `json:"type"`
	// Amount is the amount withheld on this paystub.
	Amount value.Money `json:"amount"`
	// AmountYTD is the year's amount for this tax, including this paystub.
	AmountYTD value.Money `json:"amount_ytd"`
}

// Tax classifications of deductions, as in the contract's Deduction.tax_classification.
const (
	// PreTax deductions reduce taxable wages.
	PreTax = "pre_tax"
	// PostTax deductions are taken after tax.
	PostTax = "post_tax"
)

// Deduction is one deduction, as in the contract's Deduction schema.
type Deduction struct {
	// Name is the label, such as "401K".
	Name string `json:"name"`
	// TaxClassification is PreTax or PostTax.
	TaxClassification string `json:"tax_classification"`
	// Amount is the amount deducted on this paystub.
	Amount value.Money `json:"amount"`
	// AmountYTD is the year's amount for this deduction, including this paystub.
	AmountYTD value.Money `json:"amount_ytd"`
}

// FilingStatus is a tax filing status, as in the contract's FilingStatus schema.
type FilingStatus struct {
	// Type is "federal", "state" or "local".
	Type string `json:"type"`
	// Location is the state code or locality, or empty for federal.
	Location string `json:"location"`
	// Status is the filing status, such as "single".
	Status string `json:"status"`
}

// DocumentW2 is the document_type of a W-2 form.
const DocumentW2 = "W-2"

// PayrollDocument is one payroll document, shaped like the partners
// contract's PayrollDocument; W2 holds the values of its ocr_data.form.
type PayrollDocument struct {
	// ID identifies the document within the account.
	ID string `json:"id"`
	// Employment is the ID of the employment the document belongs to.
	Employment string `json:"employment"`
	// Employer is the employer name.
	Employer string `json:"employer"`
	// DocumentType is the type, such as DocumentW2.
	DocumentType string `json:"document_type"`
	// DocumentTypeDescription describes the document, such as "W-2 Form 2024".
	DocumentTypeDescription string `json:"document_type_description"`
	// DocumentNumber is the number printed on the document, or empty.
	DocumentNumber string `json:"document_number"`
	// AvailableDate is when the document became available to the user.
	AvailableDate value.Date `json:"available_date"`
	// Year is the tax year the document covers.
	Year int `json:"year"`
	// W2 holds the form's boxes when DocumentType is DocumentW2.
	W2 *W2 `json:"w2,omitempty"`
}

// W2 holds the boxes of a W-2 Wage and Tax Statement; JSON names follow the
// contract's ocr_data.form fields.
type W2 struct {
	// OMBNumber is the form's OMB number.
	OMBNumber string `json:"omb_no"`
	// Employee is the employee's name and address (the form's recipient).
	Employee Party `json:"recipient"`
	// EmployeeSSN is the employee's masked SSN (the form's recipient_tin).
	EmployeeSSN string `json:"recipient_tin"`
	// Employer is the employer's name and address (the form's payer).
	Employer Party `json:"payer"`
	// EmployerEIN is the employer identification number (the form's payer_tin).
	EmployerEIN string `json:"payer_tin"`
	// ControlNumber is box d.
	ControlNumber string `json:"control_no_d"`
	// Wages is box 1: wages, tips and other compensation.
	Wages value.Money `json:"comp_1"`
	// FederalIncomeTax is box 2: federal income tax withheld.
	FederalIncomeTax value.Money `json:"fed_income_tax_2"`
	// SocialSecurityWages is box 3.
	SocialSecurityWages value.Money `json:"ss_wages_3"`
	// SocialSecurityTax is box 4: Social Security tax withheld.
	SocialSecurityTax value.Money `json:"ss_tax_4"`
	// MedicareWages is box 5: Medicare wages and tips.
	MedicareWages value.Money `json:"med_wages_5"`
	// MedicareTax is box 6: Medicare tax withheld.
	MedicareTax value.Money `json:"med_tax_6"`
	// Plan401k is box 12 code D: elective deferrals to a 401(k) plan.
	Plan401k value.Money `json:"plan_401k_12d"`
	// EmployerStateID is box 15: state and employer's state id, such as "NY 12-3456789".
	EmployerStateID string `json:"employers_state_15"`
	// StateWages is box 16.
	StateWages value.Money `json:"state_wages_16"`
	// StateIncomeTax is box 17.
	StateIncomeTax value.Money `json:"state_income_tax_17"`
	// LocalWages is box 18.
	LocalWages value.Money `json:"local_wages_18"`
	// LocalIncomeTax is box 19.
	LocalIncomeTax value.Money `json:"local_income_tax_19"`
	// LocalityName is box 20, or empty.
	LocalityName string `json:"locality_name_20"`
}

// Party is a name and address printed on a form.
type Party struct {
	// Name is the name as printed.
	Name string `json:"name"`
	// Address is the address as printed.
	Address Address `json:"address"`
}

// PaystubDestination is one part of a paystub's net pay and where it was
// sent: a bank account paid by direct deposit.
type PaystubDestination struct {
	// Reference describes the destination as printed, such as "CHECKING ********2201".
	Reference string `json:"reference"`
	// Amount is the part of the net pay sent there.
	Amount value.Money `json:"amount"`
	// Method is the payment method, such as "Direct deposit".
	Method string `json:"method"`
	// BankName, RoutingNumber and AccountNumber (masked) name the bank account.
	BankName      string `json:"bank_name"`
	RoutingNumber string `json:"routing_number"`
	AccountNumber string `json:"account_number"`
}

// DepositDestination is where an employment's pay is deposited, shaped like
// the contract's DepositDestination with an ach_deposit_account.
type DepositDestination struct {
	// ID identifies the destination within the account.
	ID string `json:"id"`
	// Employment is the ID of the employment whose pay is deposited.
	Employment string `json:"employment"`
	// Employer is the employer name.
	Employer string `json:"employer"`
	// Status is "active", or "inactive" for a job that ended.
	Status string `json:"status"`
	// AllocationType is "percent" or "amount".
	AllocationType string `json:"allocation_type"`
	// AllocationValue is the percent or amount ("250.00"), or "remainder".
	AllocationValue string `json:"allocation_value"`
	// Currency is the ISO 4217 code, such as "USD".
	Currency string `json:"currency"`
	// Method is the payment method, such as "Direct deposit".
	Method string `json:"method"`
	// AccountNumber is the bank account number as the payroll system shows it (masked).
	AccountNumber string `json:"account_number"`
	// BankName is the bank's name.
	BankName string `json:"bank_name"`
	// RoutingNumber is the bank's ABA routing number.
	RoutingNumber string `json:"routing_number"`
	// AccountType is "checking" or "savings".
	AccountType string `json:"account_type"`
}
