package payroll

import (
	"encoding/json"
	"fmt"

	"verigate/internal/datasource"
	"verigate/internal/store"
)

// Views of the platform's general API (/v2) that the Partners v2 contract
// does not have: identities, employments and deposit destinations, and the
// account with the data sets only /v2 serves.

// Identity is the /v2 contract's Identity: the person of an account as its
// current employment knows them. Fields of the employment are omitted when
// the account has none.
type Identity struct {
	ID                string         `json:"id"`
	Account           string         `json:"account"`
	Address           IdentityAddr   `json:"address"`
	FirstName         string         `json:"first_name"`
	LastName          string         `json:"last_name"`
	FullName          string         `json:"full_name"`
	BirthDate         *string        `json:"birth_date,omitempty"`
	Email             string         `json:"email"`
	PhoneNumber       string         `json:"phone_number"`
	PictureURL        *string        `json:"picture_url,omitempty"`
	EmploymentStatus  string         `json:"employment_status,omitempty"`
	EmploymentType    string         `json:"employment_type,omitempty"`
	JobTitle          string         `json:"job_title,omitempty"`
	SSN               string         `json:"ssn"`
	MaritalStatus     string         `json:"marital_status"`
	Gender            string         `json:"gender"`
	OriginalHireDate  *string        `json:"original_hire_date,omitempty"`
	HireDate          *string        `json:"hire_date,omitempty"`
	TerminationDate   *string        `json:"termination_date"`
	TerminationReason *string        `json:"termination_reason"`
	Employer          string         `json:"employer,omitempty"`
	Employment        string         `json:"employment,omitempty"`
	BasePay           *BasePay       `json:"base_pay,omitempty"`
	PayCycle          string         `json:"pay_cycle,omitempty"`
	PlatformIDs       *PlatformIDs   `json:"platform_ids,omitempty"`
	CreatedAt         string         `json:"created_at"`
	UpdatedAt         string         `json:"updated_at"`
	Metadata          map[string]any `json:"metadata"`
}

// IdentityAddr is the contract's Address; line2 is null when there is none,
// as the contract's examples show.
type IdentityAddr struct {
	City       string  `json:"city"`
	Line1      string  `json:"line1"`
	Line2      *string `json:"line2"`
	State      string  `json:"state"`
	Country    string  `json:"country"`
	PostalCode string  `json:"postal_code"`
}

// BasePay is the contract's BasePay.
type BasePay struct {
	Amount   money  `json:"amount"`
	Period   string `json:"period"`
	Currency string `json:"currency"`
}

// PlatformIDs is the contract's PlatformIds.
type PlatformIDs struct {
	EmployeeID     string `json:"employee_id"`
	PositionID     string `json:"position_id"`
	PlatformUserID string `json:"platform_user_id"`
}

// identityRecord is the data of an identity record as the aggregation
// stores it: the person and the account's current employment.
type identityRecord struct {
	datasource.Identity
	Employment *datasource.Employment `json:"primary_employment"`
}

func plainDate(d interface {
	IsZero() bool
	String() string
}) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// RenderIdentity returns an identity record in the /v2 contract's shape.
func RenderIdentity(r store.AccountRecord) (Identity, error) {
	var d identityRecord
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return Identity{}, fmt.Errorf("identity %s: %w", r.ID, err)
	}
	out := Identity{
		ID: r.ID, Account: r.AccountID, FirstName: d.FirstName, LastName: d.LastName, FullName: d.FullName,
		BirthDate: plainDate(d.BirthDate), Email: d.Email, PhoneNumber: d.PhoneNumber, SSN: d.SSN,
		MaritalStatus: d.MaritalStatus, Gender: d.Gender, CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt),
		Address: IdentityAddr{City: d.Address.City, Line1: d.Address.Line1, Line2: optional(d.Address.Line2), State: d.Address.State,
			Country: d.Address.Country, PostalCode: d.Address.PostalCode},
		Metadata: map[string]any{},
	}
	if e := d.Employment; e != nil {
		out.EmploymentStatus, out.EmploymentType, out.JobTitle = e.Status, e.Type, e.JobTitle
		out.OriginalHireDate, out.HireDate, out.TerminationDate = plainDate(e.OriginalHireDate), plainDate(e.HireDate), plainDate(e.TerminationDate)
		out.TerminationReason = optional(e.TerminationReason)
		out.Employer, out.Employment, out.PayCycle = e.Employer, r.Employment, e.PayCycle
		out.BasePay = &BasePay{Amount: e.BasePay.Amount, Period: e.BasePay.Period, Currency: e.BasePay.Currency}
		out.PlatformIDs = &PlatformIDs{EmployeeID: e.PlatformIDs.EmployeeID, PositionID: e.PlatformIDs.PositionID, PlatformUserID: e.PlatformIDs.PlatformUserID}
	}
	return out, nil
}

// Employment is the /v2 contract's Employment.
type Employment struct {
	ID               string `json:"id"`
	Account          string `json:"account"`
	User             string `json:"user"`
	CreatedAt        string `json:"created_at"`
	Employer         string `json:"employer"`
	EmploymentStatus string `json:"employment_status"`
	Origin           string `json:"origin"`
}

// RenderEmployment returns an employment record in the /v2 contract's
// shape; employments come from the payroll system, so their origin is
// "retrieved".
func RenderEmployment(r store.AccountRecord) (Employment, error) {
	var e datasource.Employment
	if err := json.Unmarshal(r.Data, &e); err != nil {
		return Employment{}, fmt.Errorf("employment %s: %w", r.ID, err)
	}
	return Employment{ID: r.ID, Account: r.AccountID, User: r.UserID, CreatedAt: ts(r.CreatedAt), Employer: e.Employer,
		EmploymentStatus: e.Status, Origin: "retrieved"}, nil
}

// DepositDestination is the /v2 contract's DepositDestination; verigate's
// destinations are US bank accounts (ach_deposit_account).
type DepositDestination struct {
	ID                string         `json:"id"`
	Account           string         `json:"account"`
	Employer          string         `json:"employer"`
	DestinationType   string         `json:"destination_type"`
	Status            string         `json:"status"`
	AllocationType    string         `json:"allocation_type"`
	Currency          string         `json:"currency"`
	AllocationValue   string         `json:"allocation_value"`
	Method            string         `json:"method"`
	ACHDepositAccount ACHAccount     `json:"ach_deposit_account"`
	CreatedAt         string         `json:"created_at"`
	UpdatedAt         string         `json:"updated_at"`
	Metadata          map[string]any `json:"metadata"`
}

// ACHAccount is the contract's ach_deposit_account.
type ACHAccount struct {
	AccountNumber string `json:"account_number"`
	BankName      string `json:"bank_name"`
	RoutingNumber string `json:"routing_number"`
	AccountType   string `json:"account_type"`
}

// RenderDepositDestination returns a deposit_destination record in the /v2
// contract's shape.
func RenderDepositDestination(r store.AccountRecord) (DepositDestination, error) {
	var d datasource.DepositDestination
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return DepositDestination{}, fmt.Errorf("deposit destination %s: %w", r.ID, err)
	}
	return DepositDestination{
		ID: r.ID, Account: r.AccountID, Employer: d.Employer, DestinationType: "ach_deposit_account", Status: d.Status,
		AllocationType: d.AllocationType, Currency: d.Currency, AllocationValue: d.AllocationValue, Method: d.Method,
		ACHDepositAccount: ACHAccount{AccountNumber: d.AccountNumber, BankName: d.BankName, RoutingNumber: d.RoutingNumber, AccountType: d.AccountType},
		CreatedAt:         ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt), Metadata: map[string]any{},
	}, nil
}

// RenderV2Account returns an account as the /v2 contract shows it: the
// Partners v2 account, with deposit_destinations' availability for a
// payroll account, since /v2 serves them.
func RenderV2Account(a store.Account, sums []store.RecordSummary) Account {
	out := RenderAccount(a, sums)
	if out.Availability.Paystubs != nil {
		dd := *out.Availability.PayrollDocuments
		out.Availability.DepositDestinations = &dd
	}
	return out
}
