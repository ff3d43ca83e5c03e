package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/value"
	"verigate/internal/verification"
)

// PayrollSource is one aggregated payroll account and its records.
type PayrollSource struct {
	Account     store.Account
	Identity    []store.AccountRecord
	Employments []store.AccountRecord
	Paystubs    []store.AccountRecord
}

// header fills the fields every report shares.
func header(id string, at time.Time, v store.Verification) (*Report, error) {
	r := &Report{
		Schema: Schema, ID: id, ReferenceNumber: Reference(id), Type: v.ReportType, GeneratedAt: at.UTC().Format(partner.TimeFormat),
		Environment: string(v.Environment), Verification: v.ID, User: v.UserID, Client: v.ClientID, DataSource: v.DataSource,
		CustomFields: []verification.CustomField{},
	}
	if len(v.Loan) > 0 {
		if err := json.Unmarshal(v.Loan, &r.Loan); err != nil {
			return nil, fmt.Errorf("report: loan: %w", err)
		}
	}
	if len(v.Billing) > 0 {
		if err := json.Unmarshal(v.Billing, &r.Billing); err != nil {
			return nil, fmt.Errorf("report: billing: %w", err)
		}
	}
	if len(v.ReportConfiguration) > 0 {
		var cfg verification.ReportConfiguration
		if err := json.Unmarshal(v.ReportConfiguration, &cfg); err != nil {
			return nil, fmt.Errorf("report: configuration: %w", err)
		}
		if cfg.ReportCustomFields != nil {
			r.CustomFields = cfg.ReportCustomFields
		}
	}
	return r, nil
}

type employmentData struct {
	rec  store.AccountRecord
	emp  datasource.Employment
	pays []paystubData
}

type paystubData struct {
	id string
	p  datasource.Paystub
}

// BuildPayroll builds a voie or voe report from the accounts' aggregated
// records. It depends only on its arguments: equal inputs give equal reports.
func BuildPayroll(id string, at time.Time, v store.Verification, sources []PayrollSource) (*Report, error) {
	r, err := header(id, at, v)
	if err != nil {
		return nil, err
	}
	withIncome := v.ReportType == "voie"
	at = at.UTC()
	var oldest, newest *time.Time
	var identity *datasource.Identity
	var emps []*employmentData
	byID := map[string]*employmentData{}
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
			// The most recently aggregated account names the borrower.
			if newest == nil || !asOf.Before(*newest) {
				identity, newest = &idn, &asOf
			}
		}
		for _, rec := range src.Employments {
			e := &employmentData{rec: rec}
			if err := json.Unmarshal(rec.Data, &e.emp); err != nil {
				return nil, fmt.Errorf("report: employment %s: %w", rec.ID, err)
			}
			emps = append(emps, e)
			byID[rec.ID] = e
		}
		if !withIncome {
			continue
		}
		for _, rec := range src.Paystubs {
			e := byID[rec.Employment]
			if e == nil {
				continue // a paystub of an employment the account no longer lists
			}
			p, ok := rec.Decoded.(datasource.Paystub)
			if !ok {
				if err := json.Unmarshal(rec.Data, &p); err != nil {
					return nil, fmt.Errorf("report: paystub %s: %w", rec.ID, err)
				}
			}
			e.pays = append(e.pays, paystubData{id: rec.ID, p: p})
		}
	}
	if oldest != nil {
		s := oldest.UTC().Format(partner.TimeFormat)
		r.DataAsOf = &s
	}
	r.Identity = reportIdentity(identity)
	// Current jobs first, then the most recently started.
	slices.SortStableFunc(emps, func(a, b *employmentData) int {
		if c := cmp.Compare(statusRank(a.emp.Status), statusRank(b.emp.Status)); c != 0 {
			return c
		}
		if c := b.emp.HireDate.Compare(a.emp.HireDate); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.emp.Employer, b.emp.Employer), cmp.Compare(a.rec.ID, b.rec.ID))
	})
	r.Employments = make([]Employment, 0, len(emps))
	var all [][]IncomeYear
	for _, e := range emps {
		slices.SortStableFunc(e.pays, func(a, b paystubData) int {
			return cmp.Or(a.p.PaystubDate.Compare(b.p.PaystubDate), cmp.Compare(a.id, b.id))
		})
		out := Employment{
			ID: e.rec.ID, Account: e.rec.AccountID, Employer: e.emp.Employer, EmployerAddress: e.emp.EmployerAddress,
			JobTitle: e.emp.JobTitle, Status: e.emp.Status, Current: e.emp.Status == datasource.EmploymentActive, EmploymentType: e.emp.Type,
			OriginalHireDate: e.emp.OriginalHireDate, HireDate: e.emp.HireDate, TerminationDate: e.emp.TerminationDate,
			PayFrequency: e.emp.PayCycle, BasePay: e.emp.BasePay, EndDate: endDate(e),
		}
		if e.emp.TerminationReason != "" {
			reason := e.emp.TerminationReason
			out.TerminationReason = &reason
		}
		if withIncome {
			out.Income = incomeByYear(e.pays, at.Year(), e.emp.HireDate)
			all = append(all, out.Income)
			out.RecentPaystubs = recent(e.pays)
		}
		r.Employments = append(r.Employments, out)
	}
	if withIncome {
		r.Income = sumYears(all, at.Year())
	}
	r.Summary = summarize(r, emps, withIncome)
	return r, nil
}

// reportIdentity is the connected identity as reports show it: a missing
// SSN is null.
func reportIdentity(idn *datasource.Identity) *Identity {
	if idn == nil {
		return nil
	}
	return &Identity{FirstName: idn.FirstName, LastName: idn.LastName, FullName: idn.FullName,
		BirthDate: idn.BirthDate, SSN: opt(idn.SSN), Email: idn.Email, PhoneNumber: idn.PhoneNumber, Address: idn.Address}
}

// endDate is when an employment that is not active ended: its termination
// date, else (voie) its last pay date; null when neither is known, and for
// an active employment.
func endDate(e *employmentData) value.Date {
	if e.emp.Status == datasource.EmploymentActive {
		return value.Date{}
	}
	if !e.emp.TerminationDate.IsZero() || len(e.pays) == 0 {
		return e.emp.TerminationDate
	}
	return e.pays[len(e.pays)-1].p.PaystubDate
}

func statusRank(s string) int {
	switch s {
	case datasource.EmploymentActive:
		return 0
	case datasource.EmploymentInactive:
		return 1
	}
	return 2
}

// incomeByYear sums an employment's paystubs (sorted by date) into the
// current year and the years before it. A year is partial when its first
// counted paystub's pay period starts after both 1 January and the hire
// date: the job was paid before it, by paystubs the history does not hold.
func incomeByYear(pays []paystubData, current int, hired value.Date) []IncomeYear {
	out := make([]IncomeYear, IncomeYears)
	for i := range out {
		out[i] = IncomeYear{Year: current - i, YearToDate: i == 0}
	}
	for _, pd := range pays {
		p := pd.p
		i := current - p.PaystubDate.Year
		if i < 0 || i >= IncomeYears {
			continue
		}
		y := &out[i]
		y.Paystubs++
		if y.From.IsZero() {
			y.From = p.PaystubDate
			start := p.Period.StartDate
			if start.IsZero() {
				start = p.PaystubDate
			}
			y.Partial = start.After(value.NewDate(y.Year, time.January, 1)) && start.After(hired)
		}
		y.Through = p.PaystubDate
		y.Gross += p.GrossPay
		y.Net += p.NetPay
		for _, l := range p.GrossPayList {
			switch l.Type {
			case datasource.GrossBase:
				y.Base += l.Amount
			case datasource.GrossOvertime:
				y.Overtime += l.Amount
			case datasource.GrossBonus:
				y.Bonus += l.Amount
			case datasource.GrossCommission:
				y.Commission += l.Amount
			}
		}
		ytd := p.GrossPayYTD // sorted by date: the last one of the year wins
		y.PayrollYTDGross = &ytd
	}
	for i := range out {
		y := &out[i]
		y.Other = y.Gross - y.Base - y.Overtime - y.Bonus - y.Commission
		y.Complete = !y.Partial && y.PayrollYTDGross != nil && *y.PayrollYTDGross == y.Gross
	}
	return out
}

// sumYears adds the employments' years together.
func sumYears(all [][]IncomeYear, current int) []IncomeYear {
	out := make([]IncomeYear, IncomeYears)
	for i := range out {
		y := IncomeYear{Year: current - i, YearToDate: i == 0}
		complete := true
		for _, emp := range all {
			e := emp[i]
			y.Paystubs += e.Paystubs
			if e.Through.After(y.Through) {
				y.Through = e.Through
			}
			if !e.From.IsZero() && (y.From.IsZero() || e.From.Before(y.From)) {
				y.From = e.From
			}
			y.Base += e.Base
			y.Overtime += e.Overtime
			y.Bonus += e.Bonus
			y.Commission += e.Commission
			y.Other += e.Other
			y.Gross += e.Gross
			y.Net += e.Net
			y.Partial = y.Partial || e.Partial
			if e.PayrollYTDGross != nil {
				sum := *e.PayrollYTDGross
				if y.PayrollYTDGross != nil {
					sum += *y.PayrollYTDGross
				}
				y.PayrollYTDGross = &sum
				complete = complete && e.Complete
			}
		}
		y.Complete = complete && !y.Partial && y.PayrollYTDGross != nil
		out[i] = y
	}
	return out
}

// recent returns the latest paystubs, newest first.
func recent(pays []paystubData) []Paystub {
	n := min(RecentPaystubs, len(pays))
	out := make([]Paystub, 0, n)
	for i := len(pays) - 1; i >= len(pays)-n; i-- {
		p := pays[i].p
		ps := Paystub{ID: pays[i].id, PaystubDate: p.PaystubDate, PeriodStart: p.Period.StartDate, PeriodEnd: p.Period.EndDate,
			GrossPay: p.GrossPay, Taxes: p.Taxes, Deductions: p.Deductions, NetPay: p.NetPay, Hours: p.Hours,
			GrossPayYTD: p.GrossPayYTD, NetPayYTD: p.NetPayYTD, Earnings: make([]Earning, 0, len(p.GrossPayList))}
		for _, l := range p.GrossPayList {
			e := Earning{Name: l.Name, Type: l.Type, Amount: l.Amount}
			if l.Hourly() {
				h := l.Hours
				e.Hours = &h
			}
			ps.Earnings = append(ps.Earnings, e)
		}
		out = append(out, ps)
	}
	return out
}

// BuildDocuments builds a doc-voi-mortgage report around an evaluation.
func BuildDocuments(id string, at time.Time, v store.Verification, d Documents) (*Report, error) {
	r, err := header(id, at, v)
	if err != nil {
		return nil, err
	}
	if d.Employments == nil {
		d.Employments = []DocumentEmployment{}
	}
	if d.Uploads == nil {
		d.Uploads = []DocumentUpload{}
	}
	if d.Eligibility.Errors == nil {
		d.Eligibility.Errors = []verification.StatusError{}
	}
	r.Documents = &d
	return r, nil
}
