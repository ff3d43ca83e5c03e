package report

import (
	"math"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// QualifyingRule names the rule verigate computes qualifying income with;
// docs/reports.md states it in full.
const QualifyingRule = "verigate-gse-24/v1"

// Summary is what an underwriter reads first: the current and the ended
// employments, gross income by year and the qualifying income.
type Summary struct {
	CurrentEmployments []SummaryEmployment `json:"current_employments"`
	EndedEmployments   []SummaryEmployment `json:"ended_employments"`
	// Gross is the year to date and the two years before (voie only).
	Gross []SummaryYear `json:"gross,omitempty"`
	// QualifyingIncome is counted from the paystubs (voie only).
	QualifyingIncome *QualifyingIncome `json:"qualifying_income,omitempty"`
}

// SummaryEmployment is one employment in the summary.
type SummaryEmployment struct {
	Employment   string             `json:"employment"`
	Employer     string             `json:"employer"`
	JobTitle     string             `json:"job_title"`
	Status       string             `json:"status"`
	StartDate    value.Date         `json:"start_date"`
	EndDate      value.Date         `json:"end_date"`
	PayFrequency string             `json:"pay_frequency"`
	BasePay      datasource.BasePay `json:"base_pay"`
}

// SummaryYear is one year's gross pay over all employments.
type SummaryYear struct {
	Year       int         `json:"year"`
	YearToDate bool        `json:"year_to_date"`
	Partial    bool        `json:"partial"`
	From       value.Date  `json:"from"`
	Through    value.Date  `json:"through"`
	Gross      value.Money `json:"gross"`
}

// QualifyingIncome is the income the rule counts, with how each part was counted.
type QualifyingIncome struct {
	Rule       string            `json:"rule"`
	Annual     value.Money       `json:"annual"`
	Monthly    value.Money       `json:"monthly"`
	Components []IncomeComponent `json:"components"`
}

// Methods of counting an income component.
const (
	MethodAnnualRate    = "annual_rate"        // base pay: the current annual salary
	MethodHourlyRate    = "hourly_rate"        // base pay: the current rate times the hours of the last 12 months
	MethodAverage24     = "average_24_months"  // received for two years, stable or rising
	MethodRecent12      = "recent_12_months"   // received for two years, declining
	MethodAverageMonths = "average_of_history" // 12 to 24 months of history
	MethodExcluded      = "excluded"
)

// IncomeComponent is one type of pay of one current employment.
type IncomeComponent struct {
	Employment string `json:"employment"`
	Employer   string `json:"employer"`
	// Type is base, overtime, bonus or commission.
	Type   string `json:"type"`
	Method string `json:"method"`
	// HistoryMonths is how many months the employment's paystubs cover.
	HistoryMonths int `json:"history_months"`
	// Last12Months and Prior12Months sum the type's pay in the 12 months
	// up to the latest paystub and in the 12 months before (null for base).
	Last12Months  *value.Money `json:"last_12_months"`
	Prior12Months *value.Money `json:"prior_12_months"`
	Annual        value.Money  `json:"annual"`
	Monthly       value.Money  `json:"monthly"`
	Note          string       `json:"note"`
}

// paychecksPerYear is how many paychecks a pay frequency makes in a year;
// an unknown frequency counts as biweekly, the most common.
func paychecksPerYear(freq string) int64 {
	if n := datasource.PaychecksPerYear(freq); n > 0 {
		return int64(n)
	}
	return 26
}

// divRound divides rounding half away from zero.
func divRound(a, b int64) int64 {
	if a < 0 {
		return -divRound(-a, b)
	}
	return (a + b/2) / b
}

// historyMonths is the whole months an employment's paystubs (sorted by
// date) cover: from the first to the last pay date plus one pay interval.
func historyMonths(pays []paystubData, freq string) int {
	if len(pays) == 0 {
		return 0
	}
	days := pays[len(pays)-1].p.PaystubDate.Time().Sub(pays[0].p.PaystubDate.Time()).Hours()/24 + 365.25/float64(paychecksPerYear(freq))
	return int(math.Round(days / 30.4375))
}

// summarize builds the summary of a payroll report from its employments;
// withIncome adds gross by year and the qualifying income.
func summarize(r *Report, emps []*employmentData, withIncome bool) *Summary {
	s := &Summary{CurrentEmployments: []SummaryEmployment{}, EndedEmployments: []SummaryEmployment{}}
	for _, e := range r.Employments {
		se := SummaryEmployment{Employment: e.ID, Employer: e.Employer, JobTitle: e.JobTitle, Status: e.Status, StartDate: e.HireDate,
			EndDate: e.EndDate, PayFrequency: e.PayFrequency, BasePay: e.BasePay}
		if e.Current {
			s.CurrentEmployments = append(s.CurrentEmployments, se)
		} else {
			s.EndedEmployments = append(s.EndedEmployments, se)
		}
	}
	if !withIncome {
		return s
	}
	for _, y := range r.Income {
		s.Gross = append(s.Gross, SummaryYear{Year: y.Year, YearToDate: y.YearToDate, Partial: y.Partial, From: y.From, Through: y.Through, Gross: y.Gross})
	}
	q := &QualifyingIncome{Rule: QualifyingRule, Components: []IncomeComponent{}}
	for _, e := range emps {
		if e.emp.Status != datasource.EmploymentActive {
			continue
		}
		q.Components = append(q.Components, qualifying(e)...)
	}
	for _, c := range q.Components {
		q.Annual += c.Annual
	}
	q.Monthly = value.Money(divRound(int64(q.Annual), 12))
	s.QualifyingIncome = q
	return s
}

// qualifying counts one current employment's income by the rule.
func qualifying(e *employmentData) []IncomeComponent {
	months := historyMonths(e.pays, e.emp.PayCycle)
	var last, lastYear, twoYears time.Time
	if len(e.pays) > 0 {
		last = e.pays[len(e.pays)-1].p.PaystubDate.Time()
		lastYear, twoYears = last.AddDate(-1, 0, 0), last.AddDate(-2, 0, 0)
	}
	// Sums by type over the two 12-month windows, and the base hours and
	// paychecks of the last 12 months.
	recent, prior := map[string]value.Money{}, map[string]value.Money{}
	var baseHours, paychecks int64
	for _, pd := range e.pays {
		at := pd.p.PaystubDate.Time()
		window := recent
		switch {
		case at.After(lastYear):
			paychecks++
		case at.After(twoYears):
			window = prior
		default:
			continue
		}
		for _, l := range pd.p.GrossPayList {
			window[l.Type] += l.Amount
			if l.Type == datasource.GrossBase && at.After(lastYear) {
				baseHours += int64(l.Hours)
			}
		}
	}
	base := IncomeComponent{Employment: e.rec.ID, Employer: e.emp.Employer, Type: datasource.GrossBase, HistoryMonths: months}
	bp := e.emp.BasePay
	switch {
	case bp.Period == datasource.PeriodHourly && paychecks > 0 && baseHours > 0:
		// rate (cents) × average hours per paycheck (hundredths) × paychecks a year
		base.Method = MethodHourlyRate
		base.Annual = value.Money(divRound(int64(bp.Amount)*baseHours*paychecksPerYear(e.emp.PayCycle), paychecks*100))
		base.Note = "Current hourly rate times the average regular hours per paycheck of the last 12 months, annualized."
	case bp.Period == datasource.PeriodHourly:
		base.Method = MethodHourlyRate
		base.Annual = value.Money(divRound(int64(bp.Amount)*2080, 1))
		base.Note = "Current hourly rate times 2,080 hours (40 a week): no paystubs show the hours worked."
	default:
		base.Method = MethodAnnualRate
		base.Annual = bp.Amount
		base.Note = "Current annual base salary."
	}
	out := []IncomeComponent{base}
	for _, typ := range []string{datasource.GrossOvertime, datasource.GrossBonus, datasource.GrossCommission} {
		r, p := recent[typ], prior[typ]
		if r == 0 && p == 0 {
			continue
		}
		c := IncomeComponent{Employment: e.rec.ID, Employer: e.emp.Employer, Type: typ, HistoryMonths: months, Last12Months: &r, Prior12Months: &p}
		switch {
		case months < 12:
			c.Method, c.Note = MethodExcluded, "Less than 12 months of paystub history."
		case r == 0:
			c.Method, c.Note = MethodExcluded, "Not received in the last 12 months."
		case months >= 24 && p > 0 && r >= p:
			c.Method, c.Annual = MethodAverage24, value.Money(divRound(int64(r+p), 2))
			c.Note = "Received for two years, stable or rising: the 24-month average."
		case months >= 24 && p > 0:
			c.Method, c.Annual = MethodRecent12, r
			c.Note = "Received for two years but declining: the lower figure of the last 12 months."
		case months >= 24:
			c.Method, c.Note = MethodExcluded, "Received for less than 12 months."
		default:
			c.Method, c.Annual = MethodAverageMonths, value.Money(divRound(int64(r+p)*12, int64(months)))
			c.Note = "Received over 12 to 24 months of history: the monthly average of that history, annualized."
		}
		out = append(out, c)
	}
	for i := range out {
		out[i].Monthly = value.Money(divRound(int64(out[i].Annual), 12))
	}
	return out
}
