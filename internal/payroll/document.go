package payroll

import (
	"encoding/json"
	"fmt"
	"strconv"

	"verigate/internal/datasource"
	"verigate/internal/store"
)

// PayrollDocument is the contract's PayrollDocument.
type PayrollDocument struct {
	ID                      string         `json:"id"`
	Account                 string         `json:"account"`
	DocumentNumber          *string        `json:"document_number"`
	AvailableDate           *string        `json:"available_date"`
	ExpirationDate          *string        `json:"expiration_date"`
	Employer                string         `json:"employer"`
	Employment              string         `json:"employment"`
	DocumentType            string         `json:"document_type"`
	DocumentTypeDescription *string        `json:"document_type_description"`
	FileURL                 string         `json:"file_url"`
	CreatedAt               string         `json:"created_at"`
	UpdatedAt               string         `json:"updated_at"`
	OCRData                 any            `json:"ocr_data"`
	Metadata                map[string]any `json:"metadata"`
}

// OCRData is the contract's ocr_data for a W-2. verigate reads no images:
// the values are the payroll system's own, so the confidence is an exact
// match, there are no warnings, and the page count is that of the file
// verigate serves.
type OCRData struct {
	FormType     string `json:"form_type"`
	OMBNumber    string `json:"omb_no"`
	Year         string `json:"year"`
	Form         W2Form `json:"form"`
	Warnings     []any  `json:"warnings"`
	Confidence   string `json:"confidence"`
	OCRPageCount int    `json:"ocr_page_count"`
}

// W2Form is ocr_data.form of a W-2, with the contract's field names. Boxes
// that do not apply (12 code D without deferrals, 18 to 20 without a local
// tax) are null.
type W2Form struct {
	Recipient        FormParty `json:"recipient"`
	RecipientTIN     string    `json:"recipient_tin"`
	Payer            FormParty `json:"payer"`
	PayerTIN         string    `json:"payer_tin"`
	ControlNumber    *string   `json:"control_no_d"`
	Wages            money     `json:"comp_1"`
	FederalIncomeTax money     `json:"fed_income_tax_2"`
	SSWages          money     `json:"ss_wages_3"`
	SSTax            money     `json:"ss_tax_4"`
	MedicareWages    money     `json:"med_wages_5"`
	MedicareTax      money     `json:"med_tax_6"`
	Plan401k         *money    `json:"plan_401k_12d"`
	EmployerStateID  *string   `json:"employers_state_15"`
	StateWages       money     `json:"state_wages_16"`
	StateIncomeTax   money     `json:"state_income_tax_17"`
	LocalWages       *money    `json:"local_wages_18"`
	LocalIncomeTax   *money    `json:"local_income_tax_19"`
	LocalityName     *string   `json:"locality_name_20"`
}

// FormParty is a name and address printed on a form.
type FormParty struct {
	Name    string      `json:"name"`
	Address FormAddress `json:"address"`
}

// FormAddress is an address printed on a form; the contract allows null
// for the parts a form may lack.
type FormAddress struct {
	City       *string `json:"city"`
	Country    *string `json:"country"`
	Line1      string  `json:"line1"`
	Line2      *string `json:"line2"`
	PostalCode string  `json:"postal_code"`
	State      string  `json:"state"`
}

func formParty(p datasource.Party) FormParty {
	a := p.Address
	return FormParty{Name: p.Name, Address: FormAddress{City: optional(a.City), Country: optional(a.Country), Line1: a.Line1,
		Line2: optional(a.Line2), PostalCode: a.PostalCode, State: a.State}}
}

func optionalMoney(m money) *money {
	if m == 0 {
		return nil
	}
	return &m
}

// Document decodes a stored payroll document record.
func Document(r store.AccountRecord) (datasource.PayrollDocument, error) {
	var d datasource.PayrollDocument
	if r.Kind != store.RecordPayrollDocument {
		return d, fmt.Errorf("payroll: record %s is a %s, not a payroll document", r.ID, r.Kind)
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return d, fmt.Errorf("payroll: payroll document %s: %w", r.ID, err)
	}
	return d, nil
}

// RenderDocument returns a stored payroll document record as the contract
// shows it; fileURL is where its file is downloaded.
func RenderDocument(r store.AccountRecord, fileURL string) (PayrollDocument, error) {
	d, err := Document(r)
	if err != nil {
		return PayrollDocument{}, err
	}
	out := PayrollDocument{
		ID: r.ID, Account: r.AccountID, DocumentNumber: optional(d.DocumentNumber), AvailableDate: dateTime(d.AvailableDate),
		Employer: d.Employer, Employment: r.Employment, DocumentType: d.DocumentType,
		DocumentTypeDescription: optional(d.DocumentTypeDescription), FileURL: fileURL,
		CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt), OCRData: map[string]any{}, Metadata: map[string]any{},
	}
	if w := d.W2; w != nil {
		out.OCRData = OCRData{
			FormType: "W-2", OMBNumber: w.OMBNumber, Year: strconv.Itoa(d.Year), Warnings: []any{}, Confidence: "EXACT_MATCH", OCRPageCount: 1,
			Form: W2Form{
				Recipient: formParty(w.Employee), RecipientTIN: w.EmployeeSSN, Payer: formParty(w.Employer), PayerTIN: w.EmployerEIN,
				ControlNumber: optional(w.ControlNumber), Wages: w.Wages, FederalIncomeTax: w.FederalIncomeTax,
				SSWages: w.SocialSecurityWages, SSTax: w.SocialSecurityTax, MedicareWages: w.MedicareWages, MedicareTax: w.MedicareTax,
				Plan401k: optionalMoney(w.Plan401k), EmployerStateID: optional(w.EmployerStateID),
				StateWages: w.StateWages, StateIncomeTax: w.StateIncomeTax,
				LocalWages: optionalMoney(w.LocalWages), LocalIncomeTax: optionalMoney(w.LocalIncomeTax), LocalityName: optional(w.LocalityName),
			},
		}
	}
	return out, nil
}
