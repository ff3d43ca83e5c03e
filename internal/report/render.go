package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// titles of the report types.
var titles = map[string]string{
	"voie":              "Verification of Income and Employment (VOIE)",
	"voe":               "Verification of Employment (VOE)",
	"doc-voi-mortgage":  "Mortgage Document Verification of Income (Doc VOI)",
	TypeVOA:             "Verification of Assets (VOA)",
	TypeVOI:             "Verification of Income from Bank Transactions (VOI)",
	TypeVOAI:            "Verification of Assets and Income (VOAI)",
	TypeVOETransactions: "Verification of Employment from Bank Transactions (VOE)",
}

// Title names a report type.
func Title(reportType string) string {
	if t, ok := titles[reportType]; ok {
		return t
	}
	return "Verification report (" + reportType + ")"
}

// JSON renders the report document, indented, with a final newline.
func JSON(r *Report) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: json: %w", err)
	}
	return append(b, '\n'), nil
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func date(d value.Date) string { return orDash(d.String()) }

func address(a datasource.Address) string {
	var parts []string
	for _, p := range []string{a.Line1, a.Line2, a.City, strings.TrimSpace(a.State + " " + a.PostalCode), a.Country} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	return orDash(strings.Join(parts, ", "))
}

func words(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return "-"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// PDF renders the report as a paginated PDF.
func PDF(r *Report) ([]byte, error) {
	at, err := time.Parse(time.RFC3339, r.GeneratedAt)
	if err != nil {
		return nil, fmt.Errorf("report: generated_at: %w", err)
	}
	loan := "-"
	if r.Loan.Number != nil {
		loan = *r.Loan.Number
	}
	h := headerInfo{
		Title: Title(r.Type),
		Lines: []string{
			"Reference number: " + r.ReferenceNumber,
			fmt.Sprintf("Report ID: %s   |   Generated: %s UTC", r.ID, at.UTC().Format("2006-01-02 15:04:05")),
			fmt.Sprintf("Loan number: %s   |   Verification: %s", loan, r.Verification),
		},
		Footer: r.Schema + "  " + r.ID,
	}
	if r.Verification == "" {
		h.Lines[2] = "Requested for user " + r.User
	}
	if b := r.BuildsOn; b != nil {
		h.Lines = append(h.Lines, fmt.Sprintf("Builds on %s report %s (verification %s)", b.Type, b.ReferenceNumber, b.Verification))
	}
	if r.Environment == "sandbox" {
		h.Lines = append(h.Lines, "SANDBOX: generated from test data, not for lending decisions.")
	}
	for _, f := range r.CustomFields {
		if f.Shown {
			h.Fields = append(h.Fields, [2]string{f.Label, f.Value})
		}
	}
	d := newDoc(h, at)
	d.summary(r)
	d.loan(r)
	switch {
	case r.Documents != nil:
		d.documents(r)
	case r.Banking != nil:
		d.banking(r)
	default:
		d.payroll(r)
	}
	return d.bytes()
}

// loan prints the order's identifying details.
func (d *doc) loan(r *Report) {
	d.section("Order")
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	rows := [][2]string{
		{"Report type", r.Type},
		{"User", r.User},
		{"Loan number", s(r.Loan.Number)},
		{"Application ID", s(r.Loan.ApplicationID)},
		{"Borrower ID", s(r.Loan.BorrowerID)},
		{"Loan officer", s(r.Loan.OfficerEmail)},
		{"Cost center", s(r.Billing.CostCenter)},
	}
	if r.DataAsOf != nil {
		rows = append(rows, [2]string{"Data as of", strings.Replace(strings.TrimSuffix(*r.DataAsOf, "Z"), "T", " ", 1) + " UTC"})
	}
	for _, f := range r.CustomFields {
		if f.Shown {
			rows = append(rows, [2]string{f.Label, orDash(f.Value)})
		}
	}
	d.kv(rows)
}

var incomeColumns = []column{
	{"Year", 12, "L"}, {"Stubs", 7, "R"}, {"Base", 12, "R"}, {"Overtime", 11, "R"}, {"Bonus", 10, "R"},
	{"Commission", 12, "R"}, {"Other", 10, "R"}, {"Gross", 12, "R"}, {"Payroll YTD gross", 13, "R"}, {"Complete", 10, "L"},
}

func incomeRows(years []IncomeYear) [][]string {
	rows := make([][]string, 0, len(years))
	for _, y := range years {
		label := fmt.Sprint(y.Year)
		if y.YearToDate {
			label += " YTD"
		}
		if y.Partial {
			label += "\npartial"
		}
		if !y.From.IsZero() {
			label += "\n" + y.From.String()[5:] + " to " + y.Through.String()[5:]
		}
		ytd, complete := "-", "no"
		if y.PayrollYTDGross != nil {
			ytd = money(*y.PayrollYTDGross)
		}
		if y.Complete {
			complete = "yes"
		}
		rows = append(rows, []string{label, fmt.Sprint(y.Paystubs), money(y.Base), money(y.Overtime), money(y.Bonus),
			money(y.Commission), money(y.Other), money(y.Gross), ytd, complete})
	}
	return rows
}

// borrower prints the borrower's identity, if the report has one.
func (d *doc) borrower(r *Report) {
	if r.Identity == nil {
		return
	}
	id := r.Identity
	d.section("Borrower")
	d.kv([][2]string{
		{"Name", orDash(id.FullName)},
		{"Date of birth", date(id.BirthDate)},
		{"SSN", orDash(deref(id.SSN))},
		{"Address", address(id.Address)},
		{"Phone", orDash(id.PhoneNumber)},
		{"Email", orDash(id.Email)},
	})
}

func (d *doc) payroll(r *Report) {
	d.borrower(r)
	if len(r.Accounts) > 0 {
		d.section("Data sources")
		rows := make([][]string, 0, len(r.Accounts))
		for _, a := range r.Accounts {
			rows = append(rows, []string{a.ID, a.Item, a.Source, a.DataAsOf})
		}
		d.table([]column{{"Account", 30, "L"}, {"Item", 16, "L"}, {"Source", 16, "L"}, {"Data as of", 20, "L"}}, rows)
	}
	if r.Income != nil {
		d.section("Income by year, all employments")
		d.table(incomeColumns, incomeRows(r.Income))
		d.para("Amounts are gross pay summed from the paystubs; Other is gross pay not itemised as base, overtime, bonus or commission. " +
			"Payroll YTD gross is the year-to-date gross printed on the year's last paystub; Complete means the year is not partial and the paystubs add up to it. " +
			"Dates under each year are the first and last pay dates counted. A partial year starts after the job was already paid in it: " +
			"the aggregated history holds no paystubs before the first date shown, so the year is not complete.")
	}
	for _, current := range []bool{true, false} {
		n := 0
		for _, e := range r.Employments {
			if e.Current != current {
				continue
			}
			n++
			d.employment(n, e)
		}
	}
}

// employment prints the nth current or ended employment; ended ones show
// their end dates.
func (d *doc) employment(n int, e Employment) {
	kind := "Current employment"
	if !e.Current {
		kind = "Ended employment"
	}
	d.section(fmt.Sprintf("%s %d: %s", kind, n, orDash(e.Employer)))
	rows := [][2]string{
		{"Employer", orDash(e.Employer)},
		{"Employer address", address(e.EmployerAddress)},
		{"Job title", orDash(e.JobTitle)},
		{"Status", words(e.Status)},
		{"Employment type", words(e.EmploymentType)},
		{"Original hire date", date(e.OriginalHireDate)},
		{"Hire date", date(e.HireDate)},
	}
	if !e.Current {
		end := date(e.EndDate)
		if e.TerminationReason != nil {
			end += " (" + *e.TerminationReason + ")"
		}
		rows = append(rows, [2]string{"End date", end})
	}
	rows = append(rows, [2]string{"Pay frequency", words(e.PayFrequency)}, [2]string{"Base pay", payRate(e.BasePay)})
	d.kv(rows)
	if e.Income != nil {
		d.subsection("Income by year")
		d.table(incomeColumns, incomeRows(e.Income))
	}
	if e.RecentPaystubs != nil {
		d.subsection("Most recent paystubs")
		rows := make([][]string, 0, len(e.RecentPaystubs))
		for _, p := range e.RecentPaystubs {
			rows = append(rows, []string{date(p.PaystubDate), date(p.PeriodStart) + " to " + date(p.PeriodEnd), money(p.GrossPay),
				money(p.Taxes), money(p.Deductions), money(p.NetPay), hours(p.Hours), money(p.GrossPayYTD)})
		}
		d.table([]column{{"Pay date", 11, "L"}, {"Period", 20, "L"}, {"Gross", 11, "R"}, {"Taxes", 10, "R"},
			{"Deductions", 11, "R"}, {"Net", 11, "R"}, {"Hours", 8, "R"}, {"Gross YTD", 12, "R"}}, rows)
	}
}

// perPeriod names the unit of a base pay period.
func perPeriod(p string) string {
	switch p {
	case "hourly":
		return "hour"
	case "annual":
		return "year"
	}
	return orDash(p)
}

func (d *doc) documents(r *Report) {
	docs := r.Documents
	d.section("Eligibility")
	if docs.Eligibility.Eligible {
		d.para("Eligible: the documents meet every requirement (as of " + docs.AsOf + ").")
	} else {
		d.para("Not eligible (as of " + docs.AsOf + "):")
		for _, e := range docs.Eligibility.Errors {
			d.para("- " + e.Title + ": " + e.Message)
		}
	}
	d.para("verigate performs no OCR: employers, pay dates and tax years are as the uploader stated them; " +
		"the files themselves are kept with their SHA-256 checksums listed below.")
	d.section("Employments stated")
	for _, e := range docs.Employments {
		term := "-"
		if e.TerminationDate != nil {
			term = *e.TerminationDate
		}
		d.subsection(fmt.Sprintf("Employment %d: %s", e.Index+1, e.Employer))
		d.kv([][2]string{{"Status", words(e.Status)}, {"Hire date", e.HireDate}, {"Termination date", term}})
		rows := make([][]string, 0, len(e.Requirements))
		for _, q := range e.Requirements {
			met, up := "missing", "-"
			if q.Met {
				met = "met"
			}
			if q.Upload != nil {
				up = *q.Upload
			}
			rows = append(rows, []string{q.Requirement, met, up})
		}
		if len(rows) == 0 {
			d.para("No documents are required for this employment.")
			continue
		}
		d.table([]column{{"Requirement", 40, "L"}, {"Status", 10, "L"}, {"Upload", 30, "L"}}, rows)
	}
	d.section("Uploaded documents")
	if len(docs.Uploads) == 0 {
		d.para("No documents were uploaded.")
		return
	}
	rows := make([][]string, 0, len(docs.Uploads))
	for _, u := range docs.Uploads {
		var stated []string
		if u.Employer != nil {
			stated = append(stated, "employer "+*u.Employer)
		}
		if u.PayDate != nil {
			stated = append(stated, "paid "+*u.PayDate)
		}
		if u.PeriodStart != nil || u.PeriodEnd != nil {
			s, e := "?", "?"
			if u.PeriodStart != nil {
				s = *u.PeriodStart
			}
			if u.PeriodEnd != nil {
				e = *u.PeriodEnd
			}
			stated = append(stated, "period "+s+" to "+e)
		}
		if u.TaxYear != nil {
			stated = append(stated, fmt.Sprintf("tax year %d", *u.TaxYear))
		}
		rows = append(rows, []string{u.ID + "\n" + u.FileName, u.DocumentType, orDash(strings.Join(stated, "; ")),
			fmt.Sprintf("%s, %d bytes\nsha256 %s", u.ContentType, u.Size, u.SHA256)})
	}
	d.table([]column{{"Upload", 36, "L"}, {"Type", 10, "L"}, {"Stated", 24, "L"}, {"File", 30, "L"}}, rows)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
