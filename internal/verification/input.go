package verification

import (
	"encoding/json"
	"net/mail"
	"strings"
	"time"

	v "verigate/internal/validate"
)

// EmploymentInput is one employment as a request sends it (documents only).
type EmploymentInput struct {
	Employer        v.Opt[string] `json:"employer"`
	Status          v.Opt[string] `json:"status"`
	HireDate        v.Opt[string] `json:"hire_date"`
	TerminationDate v.Opt[string] `json:"termination_date"`
}

// CustomFieldInput is one report custom field as a request sends it.
type CustomFieldInput struct {
	Label v.Opt[string] `json:"label"`
	Value v.Opt[string] `json:"value"`
	Shown v.Opt[bool]   `json:"shown"`
}

// ReportConfigurationInput is report.configuration as a request sends it.
type ReportConfigurationInput struct {
	BankAccounts                  v.Opt[[]string]           `json:"bank_accounts"`
	FromDate                      v.Opt[string]             `json:"from_date"`
	IncomeFromDate                v.Opt[string]             `json:"income_from_date"`
	IncomeStreamConfidenceMinimum v.Opt[int]                `json:"income_stream_confidence_minimum"`
	ReportCustomFields            v.Opt[[]CustomFieldInput] `json:"report_custom_fields"`
}

// ReportInput is the report part of an order or refresh.
type ReportInput struct {
	Type          v.Opt[string]                   `json:"type"`
	Configuration v.Opt[ReportConfigurationInput] `json:"configuration"`
}

// LoanInput is the loan part of an order or update.
type LoanInput struct {
	Number        v.Opt[string] `json:"number"`
	BorrowerID    v.Opt[string] `json:"borrower_id"`
	ApplicationID v.Opt[string] `json:"application_id"`
	OfficerEmail  v.Opt[string] `json:"officer_email"`
}

// BillingInput is the billing part of an order or update.
type BillingInput struct {
	CostCenter v.Opt[string] `json:"cost_center"`
}

// OrderInput is the body of an order (POST /verifications) or a refresh.
type OrderInput struct {
	User        v.Opt[string]            `json:"user"`
	Employments v.Opt[[]EmploymentInput] `json:"employments"`
	Report      v.Opt[ReportInput]       `json:"report"`
	Loan        v.Opt[LoanInput]         `json:"loan"`
	Billing     v.Opt[BillingInput]      `json:"billing"`
}

// UpdateInput is the body of an update (PATCH /verifications/{id}).
type UpdateInput struct {
	Loan        v.Opt[LoanInput]         `json:"loan"`
	Billing     v.Opt[BillingInput]      `json:"billing"`
	Employments v.Opt[[]EmploymentInput] `json:"employments"`
}

// Employment is a stored employment of a documents verification.
type Employment struct {
	Employer        string  `json:"employer"`
	Status          string  `json:"status"`
	HireDate        string  `json:"hire_date"`
	TerminationDate *string `json:"termination_date"`
}

// CustomField is a stored report custom field.
type CustomField struct {
	Label string `json:"label"`
	Value string `json:"value"`
	Shown bool   `json:"shown"`
}

// ReportConfiguration is a stored banking report configuration.
type ReportConfiguration struct {
	BankAccounts                  []string      `json:"bank_accounts,omitempty"`
	FromDate                      *string       `json:"from_date,omitempty"`
	IncomeFromDate                *string       `json:"income_from_date,omitempty"`
	IncomeStreamConfidenceMinimum *int          `json:"income_stream_confidence_minimum,omitempty"`
	ReportCustomFields            []CustomField `json:"report_custom_fields,omitempty"`
}

// Loan is stored loan metadata; absent fields are omitted.
type Loan struct {
	Number        *string `json:"number,omitempty"`
	BorrowerID    *string `json:"borrower_id,omitempty"`
	ApplicationID *string `json:"application_id,omitempty"`
	OfficerEmail  *string `json:"officer_email,omitempty"`
}

// Billing is stored billing metadata.
type Billing struct {
	CostCenter *string `json:"cost_center,omitempty"`
}

const dateLayout = "2006-01-02"

// str validates a non-null string of at most max characters; it returns nil when absent.
func str(errs v.Errors, field string, o v.Opt[string], max int, blankOK bool) *string {
	if !v.NotNull(errs, field, o) {
		return nil
	}
	s := strings.TrimSpace(o.V)
	if s == "" && !blankOK {
		errs.Add(field, v.MsgBlank)
		return nil
	}
	v.MaxLen(errs, field, s, max)
	return &s
}

func oneOf(s string, choices []string) bool {
	for _, c := range choices {
		if s == c {
			return true
		}
	}
	return false
}

// reportType validates report.type and returns it with its data source.
func reportType(errs v.Errors, in v.Opt[ReportInput]) (string, string) {
	if !v.Required(errs, "report", in) {
		return "", ""
	}
	if !v.Required(errs, "report.type", in.V.Type) {
		return "", ""
	}
	ds, ok := ReportTypes[in.V.Type.V]
	if !ok {
		errs.Add("report.type", v.Choice(in.V.Type.V))
		return "", ""
	}
	return in.V.Type.V, ds
}

// dateTime accepts an RFC 3339 date-time or a plain date and returns it in
// canonical UTC form.
func dateTime(errs v.Errors, field string, o v.Opt[string]) *string {
	s := str(errs, field, o, 64, false)
	if s == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		t, err = time.Parse(dateLayout, *s)
	}
	if err != nil {
		errs.Add(field, "Datetime has wrong format. Use ISO 8601, e.g. 2024-01-01T00:00:00Z.")
		return nil
	}
	out := t.UTC().Format(time.RFC3339)
	return &out
}

// reportConfiguration validates report.configuration for dataSource.
func reportConfiguration(errs v.Errors, in v.Opt[ReportInput], dataSource string) json.RawMessage {
	if !in.Has() || !v.NotNull(errs, "report.configuration", in.V.Configuration) {
		return nil
	}
	if dataSource != Banking {
		errs.Add("report.configuration", "Report configuration applies to banking verifications only.")
		return nil
	}
	c := in.V.Configuration.V
	var out ReportConfiguration
	if v.NotNull(errs, "report.configuration.bank_accounts", c.BankAccounts) {
		out.BankAccounts = []string{}
		for _, id := range c.BankAccounts.V {
			if strings.TrimSpace(id) == "" {
				errs.Add("report.configuration.bank_accounts", "Bank account ids may not be blank.")
				break
			}
			out.BankAccounts = append(out.BankAccounts, strings.TrimSpace(id))
		}
	}
	out.FromDate = dateTime(errs, "report.configuration.from_date", c.FromDate)
	out.IncomeFromDate = dateTime(errs, "report.configuration.income_from_date", c.IncomeFromDate)
	if v.NotNull(errs, "report.configuration.income_stream_confidence_minimum", c.IncomeStreamConfidenceMinimum) {
		m := c.IncomeStreamConfidenceMinimum.V
		if m < 0 || m > 100 {
			errs.Add("report.configuration.income_stream_confidence_minimum", "Ensure this value is between 0 and 100.")
		}
		out.IncomeStreamConfidenceMinimum = &m
	}
	if v.NotNull(errs, "report.configuration.report_custom_fields", c.ReportCustomFields) {
		fields := c.ReportCustomFields.V
		if len(fields) > 5 {
			errs.Add("report.configuration.report_custom_fields", "Ensure this field has no more than 5 elements.")
		}
		out.ReportCustomFields = []CustomField{}
		for i, f := range fields {
			p := "report.configuration.report_custom_fields." + itoa(i)
			var cf CustomField
			if v.Required(errs, p+".label", f.Label) {
				if l := str(errs, p+".label", f.Label, 100, false); l != nil {
					cf.Label = *l
				}
			}
			if v.Required(errs, p+".value", f.Value) {
				if val := str(errs, p+".value", f.Value, 500, true); val != nil {
					cf.Value = *val
				}
			}
			if v.NotNull(errs, p+".shown", f.Shown) {
				cf.Shown = f.Shown.V
			}
			out.ReportCustomFields = append(out.ReportCustomFields, cf)
		}
	}
	b, _ := json.Marshal(out)
	return b
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// employments validates a documents verification's employments.
func employments(errs v.Errors, in v.Opt[[]EmploymentInput]) []Employment {
	if !v.Required(errs, "employments", in) {
		return nil
	}
	if len(in.V) == 0 {
		errs.Add("employments", "Documents verifications need at least one employment.")
		return nil
	}
	if len(in.V) > 20 {
		errs.Add("employments", "Ensure this field has no more than 20 elements.")
		return nil
	}
	out := make([]Employment, 0, len(in.V))
	for i, e := range in.V {
		p := "employments." + itoa(i)
		var emp Employment
		if v.Required(errs, p+".employer", e.Employer) {
			if s := str(errs, p+".employer", e.Employer, 200, false); s != nil {
				emp.Employer = *s
			}
		}
		if v.Required(errs, p+".status", e.Status) {
			emp.Status = e.Status.V
			if emp.Status != "active" && emp.Status != "previous" {
				errs.Add(p+".status", v.Choice(emp.Status))
			}
		}
		var hire time.Time
		if v.Required(errs, p+".hire_date", e.HireDate) {
			t, err := time.Parse(dateLayout, e.HireDate.V)
			if err != nil {
				errs.Add(p+".hire_date", "Date has wrong format. Use YYYY-MM-DD.")
			}
			hire, emp.HireDate = t, e.HireDate.V
		}
		if e.TerminationDate.Has() {
			t, err := time.Parse(dateLayout, e.TerminationDate.V)
			switch {
			case err != nil:
				errs.Add(p+".termination_date", "Date has wrong format. Use YYYY-MM-DD.")
			case emp.Status == "active":
				errs.Add(p+".termination_date", "An active employment has no termination date; send null.")
			case !hire.IsZero() && t.Before(hire):
				errs.Add(p+".termination_date", "Termination date is before the hire date.")
			}
			emp.TerminationDate = &e.TerminationDate.V
		}
		out = append(out, emp)
	}
	return out
}

// mergeLoan validates loan fields and applies the present ones onto base.
func mergeLoan(errs v.Errors, in v.Opt[LoanInput], base Loan) Loan {
	if !v.NotNull(errs, "loan", in) {
		return base
	}
	l := in.V
	set := func(dst **string, field string, o v.Opt[string]) {
		if s := str(errs, field, o, 200, false); s != nil {
			*dst = s
		}
	}
	set(&base.Number, "loan.number", l.Number)
	set(&base.BorrowerID, "loan.borrower_id", l.BorrowerID)
	set(&base.ApplicationID, "loan.application_id", l.ApplicationID)
	if s := str(errs, "loan.officer_email", l.OfficerEmail, 254, false); s != nil {
		if a, err := mail.ParseAddress(*s); err != nil || a.Address != *s {
			errs.Add("loan.officer_email", "Enter a valid email address.")
		} else {
			base.OfficerEmail = s
		}
	}
	return base
}

// mergeBilling validates billing fields and applies the present ones onto base.
func mergeBilling(errs v.Errors, in v.Opt[BillingInput], base Billing) Billing {
	if !v.NotNull(errs, "billing", in) {
		return base
	}
	if s := str(errs, "billing.cost_center", in.V.CostCenter, 200, false); s != nil {
		base.CostCenter = s
	}
	return base
}
