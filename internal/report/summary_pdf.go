package report

import (
	"fmt"

	"verigate/internal/value"
)

// summary prints what an underwriter reads first, on page 1: whether the
// connected identity is the one ordered, the current and ended
// employments, gross income by year and the qualifying income.
func (d *doc) summary(r *Report) {
	if r.IdentityCheck == nil && r.Summary == nil {
		return
	}
	d.section("Summary")
	if c := r.IdentityCheck; c != nil {
		d.identityCheck(c)
	}
	s := r.Summary
	if s == nil {
		return
	}
	d.subsection("Current employment")
	if len(s.CurrentEmployments) == 0 {
		d.para("No current employment.")
	} else {
		rows := make([][]string, 0, len(s.CurrentEmployments))
		for _, e := range s.CurrentEmployments {
			rows = append(rows, []string{orDash(e.Employer) + "\n" + orDash(e.JobTitle), words(e.Status), date(e.StartDate),
				words(e.PayFrequency), payRate(e.BasePay)})
		}
		d.table([]column{{"Employer", 30, "L"}, {"Status", 10, "L"}, {"Start date", 12, "L"}, {"Pay frequency", 13, "L"},
			{"Base pay", 22, "R"}}, rows)
	}
	if len(s.EndedEmployments) > 0 {
		d.subsection("Ended employment")
		rows := make([][]string, 0, len(s.EndedEmployments))
		for _, e := range s.EndedEmployments {
			rows = append(rows, []string{orDash(e.Employer) + "\n" + orDash(e.JobTitle), words(e.Status), date(e.StartDate),
				date(e.EndDate), payRate(e.BasePay)})
		}
		d.table([]column{{"Employer", 30, "L"}, {"Status", 10, "L"}, {"Start date", 12, "L"}, {"End date", 13, "L"},
			{"Base pay at end", 22, "R"}}, rows)
	}
	if s.Gross != nil {
		d.subsection("Gross income")
		rows := make([][]string, 0, len(s.Gross))
		for _, y := range s.Gross {
			label, cover := fmt.Sprint(y.Year), "-"
			if y.YearToDate {
				label += " year to date"
			}
			if !y.From.IsZero() {
				cover = "paid " + y.From.String() + " to " + y.Through.String()
			}
			if y.Partial {
				cover = "partial year: " + cover
			}
			rows = append(rows, []string{label, cover, money(y.Gross)})
		}
		d.table([]column{{"Year", 20, "L"}, {"Paystubs counted", 40, "L"}, {"Gross", 20, "R"}}, rows)
	}
	if q := s.QualifyingIncome; q != nil {
		d.subsection("Qualifying income")
		d.kv([][2]string{{"Qualifying income", money(q.Monthly) + " per month (" + money(q.Annual) + " per year)"}, {"Rule", q.Rule}})
		if len(q.Components) > 0 {
			rows := make([][]string, 0, len(q.Components))
			amount := func(m *value.Money) string {
				if m == nil {
					return "-"
				}
				return money(*m)
			}
			for _, c := range q.Components {
				rows = append(rows, []string{orDash(c.Employer), words(c.Type), words(c.Method), fmt.Sprint(c.HistoryMonths),
					amount(c.Last12Months), amount(c.Prior12Months), money(c.Annual), money(c.Monthly)})
			}
			d.table([]column{{"Employer", 20, "L"}, {"Type", 11, "L"}, {"Method", 16, "L"}, {"Months", 8, "R"},
				{"Last 12 months", 13, "R"}, {"Prior 12 months", 13, "R"}, {"Annual", 13, "R"}, {"Monthly", 12, "R"}}, rows)
		}
		d.para("Current employments only. Base pay is the current rate annualized (an hourly rate times the average regular hours " +
			"per paycheck of the last 12 months). Overtime, bonus and commission: the 24-month average when received in both of the " +
			"last two 12-month periods and not declining; the last 12 months when declining; the monthly average when the paystubs " +
			"cover 12 to 24 months; excluded with under 12 months of history or none in the last 12 months.")
	}
}

// identityCheck prints the comparison of the ordered and connected identities.
func (d *doc) identityCheck(c *IdentityCheck) {
	switch c.Result {
	case IdentityMismatch:
		d.alert("IDENTITY MISMATCH: the connected account's " + c.differing() +
			" differ from the user this report was ordered for. Confirm who the data belongs to before relying on it.")
	case IdentityMatch:
		d.para("Identity: the connected identity matches the user the report was ordered for on every field both have.")
	default:
		d.para("Identity: no field could be compared (the user was ordered without a name, SSN or birth date, or the source returned none).")
	}
	rows := make([][]string, 0, len(c.Fields))
	for _, f := range c.Fields {
		rows = append(rows, []string{fieldLabel(f.Field), orDash(deref(f.Ordered)), orDash(deref(f.Connected)), words(f.Result)})
	}
	d.table([]column{{"Field", 18, "L"}, {"Ordered for", 28, "L"}, {"Connected", 28, "L"}, {"Result", 14, "L"}}, rows)
}

func fieldLabel(f string) string {
	switch f {
	case "ssn_last4":
		return "SSN last 4"
	case "birth_date":
		return "Date of birth"
	}
	return words(f)
}
