package sandboxdata

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// asOfDates are as-of dates the data invariants are checked at, including
// month ends, weekends, leap days and early January.
var asOfDates = []value.Date{
	value.NewDate(2025, 11, 25), value.NewDate(2026, 1, 3), value.NewDate(2026, 2, 2),
	value.NewDate(2028, 2, 29), value.NewDate(2027, 6, 30), value.NewDate(2025, 3, 1),
}

func forEachData(t *testing.T, items []string, f func(t *testing.T, login, item string, asOf value.Date, d datasource.Data)) {
	for _, u := range SampleUsers() {
		for _, item := range items {
			for _, asOf := range asOfDates {
				d, err := Payroll(u.Username, item, asOf)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(fmt.Sprintf("%s/%s/%s", u.Username, item, asOf), func(t *testing.T) { f(t, u.Username, item, asOf, d) })
			}
		}
	}
}

var someItems = []string{"item_000000001", "item_000000002", "item_000000003", "item_000000007",
	"item_000000010", "item_000000033", "item_000000058"}

func TestEmployments(t *testing.T) {
	forEachData(t, someItems, func(t *testing.T, login, item string, asOf value.Date, d datasource.Data) {
		n := 1
		if login == "test_3" && item[len(item)-1]%2 == 1 {
			n = 2
		}
		if len(d.Employments) != n {
			t.Fatalf("%d employments, want %d", len(d.Employments), n)
		}
		wantCycles := map[string][]string{
			"test_1": {datasource.PayBiweekly},
			"test_2": {datasource.PaySemimonthly},
			"test_3": {datasource.PayWeekly, datasource.PayBiweekly},
		}[login]
		ids := map[string]bool{}
		for i, e := range d.Employments {
			if e.PayCycle != wantCycles[i] {
				t.Errorf("employment %d pays %s, want %s", i, e.PayCycle, wantCycles[i])
			}
			if ids[e.ID] || e.ID == "" {
				t.Errorf("duplicate employment id %q", e.ID)
			}
			ids[e.ID] = true
			if e.Employer == "" || e.JobTitle == "" || e.HireDate.IsZero() || e.BasePay.Amount <= 0 || e.BasePay.Currency != "USD" {
				t.Errorf("incomplete employment %+v", e)
			}
			if !e.HireDate.Before(asOf.AddDate(-2, 0, 0)) {
				t.Errorf("hire date %s is within the 24 months before %s", e.HireDate, asOf)
			}
			terminated := e.Status == datasource.EmploymentTerminated
			if terminated != (i == 1) || terminated == e.TerminationDate.IsZero() {
				t.Errorf("employment %d status %s termination %s", i, e.Status, e.TerminationDate)
			}
			if terminated && (!e.TerminationDate.Before(asOf.AddDate(0, -2, 0)) || !e.TerminationDate.After(asOf.AddDate(0, -8, 0))) {
				t.Errorf("termination %s is not 2 to 8 months before %s", e.TerminationDate, asOf)
			}
		}
		if n == 2 && d.Employments[0].JobTitle == d.Employments[1].JobTitle {
			t.Error("both employments have the same job title")
		}
	})
}

func TestPaystubArithmetic(t *testing.T) {
	forEachData(t, someItems, func(t *testing.T, login, item string, asOf value.Date, d datasource.Data) {
		ids := map[string]bool{}
		for _, p := range d.Paystubs {
			if ids[p.ID] {
				t.Errorf("duplicate paystub id %s", p.ID)
			}
			ids[p.ID] = true
			var gross, taxes, deds value.Money
			var hrs value.Hours
			for _, l := range p.GrossPayList {
				gross += l.Amount
				hrs += l.Hours
				if l.Amount <= 0 {
					t.Errorf("%s: line %+v", p.PaystubDate, l)
				}
			}
			for _, x := range p.TaxList {
				taxes += x.Amount
				if x.Amount < 0 {
					t.Errorf("%s: negative tax %+v", p.PaystubDate, x)
				}
			}
			for _, x := range p.DeductionList {
				deds += x.Amount
			}
			if gross != p.GrossPay || taxes != p.Taxes || deds != p.Deductions || hrs != p.Hours {
				t.Errorf("%s: totals %s/%s/%s/%s do not match lines %s/%s/%s/%s", p.PaystubDate,
					p.GrossPay, p.Taxes, p.Deductions, p.Hours, gross, taxes, deds, hrs)
			}
			if p.NetPay != p.GrossPay-p.Taxes-p.Deductions {
				t.Errorf("%s: net %s != %s - %s - %s", p.PaystubDate, p.NetPay, p.GrossPay, p.Taxes, p.Deductions)
			}
			if p.NetPay <= 0 || p.NetPay >= p.GrossPay {
				t.Errorf("%s: implausible net %s of gross %s", p.PaystubDate, p.NetPay, p.GrossPay)
			}
			var ss, med value.Money
			fica := p.GrossPay
			for _, x := range p.DeductionList {
				if x.TaxClassification == datasource.PreTax && x.Name != ded401K {
					fica -= x.Amount
				}
			}
			for _, x := range p.TaxList {
				switch x.Name {
				case taxSS:
					ss = x.Amount
				case taxMedicare:
					med = x.Amount
				}
			}
			if ss != pct(fica, 62000) || med != pct(fica, 14500) {
				t.Errorf("%s: FICA %s/%s on wages %s", p.PaystubDate, ss, med, fica)
			}
			if p.Period.StartDate.After(p.Period.EndDate) || p.Period.EndDate.After(p.PaystubDate.AddDate(0, 0, 2)) { // semimonthly pays the Friday before a weekend end
				t.Errorf("%s: period %+v", p.PaystubDate, p.Period)
			}
		}
	})
}

// TestYTD checks every year-to-date amount is the running sum of that
// year's paystubs of the same employment, resetting on 1 January.
func TestYTD(t *testing.T) {
	forEachData(t, someItems, func(t *testing.T, login, item string, asOf value.Date, d datasource.Data) {
		type key struct {
			emp  string
			year int
		}
		type sums struct {
			gross, net, taxes, deds value.Money
			hours                   value.Hours
			named                   map[string]value.Money
			namedHours              map[string]value.Hours
		}
		acc := map[key]*sums{}
		last := map[string]value.Date{}
		for _, p := range d.Paystubs {
			if prev, ok := last[p.Employment]; ok && !prev.Before(p.PaystubDate) {
				t.Fatalf("paystubs of %s not in date order: %s then %s", p.Employment, prev, p.PaystubDate)
			}
			last[p.Employment] = p.PaystubDate
			k := key{p.Employment, p.PaystubDate.Year}
			s := acc[k]
			if s == nil {
				s = &sums{named: map[string]value.Money{}, namedHours: map[string]value.Hours{}}
				acc[k] = s
			}
			s.gross += p.GrossPay
			s.net += p.NetPay
			s.taxes += p.Taxes
			s.deds += p.Deductions
			s.hours += p.Hours
			if p.GrossPayYTD != s.gross || p.NetPayYTD != s.net || p.TaxesYTD != s.taxes ||
				p.DeductionsYTD != s.deds || p.HoursYTD != s.hours {
				t.Errorf("%s: YTD %s/%s/%s/%s/%s, want %s/%s/%s/%s/%s", p.PaystubDate,
					p.GrossPayYTD, p.NetPayYTD, p.TaxesYTD, p.DeductionsYTD, p.HoursYTD,
					s.gross, s.net, s.taxes, s.deds, s.hours)
			}
			for _, x := range p.TaxList {
				s.named["tax "+x.Name] += x.Amount
				if x.AmountYTD != s.named["tax "+x.Name] {
					t.Errorf("%s: %s YTD %s, want %s", p.PaystubDate, x.Name, x.AmountYTD, s.named["tax "+x.Name])
				}
			}
			for _, x := range p.DeductionList {
				s.named["ded "+x.Name] += x.Amount
				if x.AmountYTD != s.named["ded "+x.Name] {
					t.Errorf("%s: %s YTD %s, want %s", p.PaystubDate, x.Name, x.AmountYTD, s.named["ded "+x.Name])
				}
			}
			for _, l := range p.GrossPayList {
				s.named["gross "+l.Name] += l.Amount
				s.namedHours[l.Name] += l.Hours
				if l.AmountYTD != s.named["gross "+l.Name] || l.HoursYTD != s.namedHours[l.Name] {
					t.Errorf("%s: %s YTD %s/%s", p.PaystubDate, l.Name, l.AmountYTD, l.HoursYTD)
				}
			}
		}
		// The first paystub of each January starts afresh.
		for _, p := range d.Paystubs {
			if p.PaystubDate.Month == time.January && p.PaystubDate.Day <= 7 && p.GrossPayYTD != p.GrossPay {
				t.Errorf("%s: YTD %s did not reset", p.PaystubDate, p.GrossPayYTD)
			}
		}
	})
}

// TestCoverage checks 24 months of paystubs per pay cycle, ending at the
// latest pay date on or before the as-of date, and none after a termination.
func TestCoverage(t *testing.T) {
	forEachData(t, someItems, func(t *testing.T, login, item string, asOf value.Date, d datasource.Data) {
		from := asOf.AddDate(0, -24, 0)
		for _, e := range d.Employments {
			var dates []value.Date
			for _, p := range d.Paystubs {
				if p.Employment == e.ID {
					dates = append(dates, p.PaystubDate)
					if p.Employer != e.Employer {
						t.Errorf("paystub employer %q, employment %q", p.Employer, e.Employer)
					}
				}
			}
			if len(dates) == 0 {
				t.Fatalf("no paystubs for %s", e.ID)
			}
			gap := map[string]int{datasource.PayWeekly: 7, datasource.PayBiweekly: 14, datasource.PaySemimonthly: 18}[e.PayCycle]
			first, lastDate := dates[0], dates[len(dates)-1]
			if !first.After(from) || first.After(from.AddDate(0, 0, gap)) {
				t.Errorf("%s: first paystub %s, window starts after %s", e.PayCycle, first, from)
			}
			end := asOf
			if !e.TerminationDate.IsZero() {
				end = e.TerminationDate
				if lastDate != e.TerminationDate {
					t.Errorf("last paystub %s, terminated %s", lastDate, e.TerminationDate)
				}
			}
			if lastDate.After(end) || !lastDate.After(end.AddDate(0, 0, -gap)) {
				t.Errorf("%s: last paystub %s, end %s", e.PayCycle, lastDate, end)
			}
			for i := 1; i < len(dates); i++ {
				if g := dates[i].Time().Sub(dates[i-1].Time()).Hours() / 24; g < 10 && e.PayCycle != datasource.PayWeekly || g > float64(gap) {
					t.Errorf("%s: gap of %v days before %s", e.PayCycle, g, dates[i])
				}
			}
			if e.Status == datasource.EmploymentActive {
				want := map[string][2]int{datasource.PayWeekly: {104, 105}, datasource.PayBiweekly: {52, 53},
					datasource.PaySemimonthly: {48, 48}}[e.PayCycle]
				if len(dates) < want[0] || len(dates) > want[1] {
					t.Errorf("%s: %d paystubs in 24 months", e.PayCycle, len(dates))
				}
			}
		}
	})
}

// TestW2 checks W-2 boxes against the sums of the year's paystubs and that
// a W-2 exists exactly for the fully covered, already available past years.
func TestW2(t *testing.T) {
	forEachData(t, someItems, func(t *testing.T, login, item string, asOf value.Date, d datasource.Data) {
		from := asOf.AddDate(0, -24, 0)
		type key struct {
			emp  string
			year int
		}
		type box struct {
			wages, fed, fica, ss, med, k401, state, local value.Money
		}
		sums := map[key]*box{}
		for _, p := range d.Paystubs {
			k := key{p.Employment, p.PaystubDate.Year}
			b := sums[k]
			if b == nil {
				b = &box{}
				sums[k] = b
			}
			b.wages += p.GrossPay
			b.fica += p.GrossPay
			for _, x := range p.DeductionList {
				if x.TaxClassification == datasource.PreTax {
					b.wages -= x.Amount
					if x.Name == ded401K {
						b.k401 += x.Amount
					} else {
						b.fica -= x.Amount
					}
				}
			}
			for _, x := range p.TaxList {
				switch {
				case x.Type == datasource.TaxFederal:
					b.fed += x.Amount
				case x.Type == datasource.TaxState:
					b.state += x.Amount
				case x.Type == datasource.TaxLocal:
					b.local += x.Amount
				case x.Name == taxSS:
					b.ss += x.Amount
				case x.Name == taxMedicare:
					b.med += x.Amount
				}
			}
		}
		got := map[key]bool{}
		for _, doc := range d.Documents {
			k := key{doc.Employment, doc.Year}
			if got[k] {
				t.Errorf("two W-2s for %v", k)
			}
			got[k] = true
			b := sums[k]
			w := doc.W2
			if b == nil || w == nil || doc.DocumentType != "W-2" {
				t.Fatalf("W-2 %+v without paystubs or form", doc)
			}
			if w.Wages != b.wages || w.FederalIncomeTax != b.fed || w.SocialSecurityWages != b.fica ||
				w.SocialSecurityTax != b.ss || w.MedicareWages != b.fica || w.MedicareTax != b.med ||
				w.Plan401k != b.k401 || w.StateWages != b.wages || w.StateIncomeTax != b.state ||
				w.LocalIncomeTax != b.local {
				t.Errorf("W-2 %d boxes %+v, paystub sums %+v", doc.Year, *w, *b)
			}
			if w.Wages <= 0 || w.Employer.Name == "" || w.EmployeeSSN != d.Identity.SSN || doc.AvailableDate.After(asOf) {
				t.Errorf("W-2 %+v", doc)
			}
		}
		for k := range sums {
			available := weekdayOnOrBefore(value.NewDate(k.year+1, 1, 31))
			want := k.year < asOf.Year && from.Before(value.NewDate(k.year, 1, 1)) && !available.After(asOf)
			if got[k] != want {
				t.Errorf("W-2 for %d: got %v, want %v", k.year, got[k], want)
			}
		}
		if asOf == value.NewDate(2025, 11, 25) && len(d.Documents) != len(d.Employments) {
			t.Errorf("%d W-2s for %d employments in 2024", len(d.Documents), len(d.Employments))
		}
	})
}

func TestIdentities(t *testing.T) {
	want := map[string]string{"test_1": "Bob", "test_2": "Sarah", "test_3": "Joe"}
	for login, first := range want {
		d, err := Payroll(login, "item_000000001", value.NewDate(2025, 11, 25))
		if err != nil {
			t.Fatal(err)
		}
		id := d.Identity
		if id.FirstName != first || id.LastName == "" || id.BirthDate.IsZero() || id.Address.Line1 == "" ||
			len(id.PhoneNumber) != 12 || id.SSN[:7] != "XXX-XX-" || len(id.SSN) != 11 {
			t.Errorf("%s: identity %+v", login, id)
		}
		if id.Email != "test"+login[len(login)-1:]+"@argyle.com" {
			t.Errorf("%s: email %q", login, id.Email)
		}
	}
}

// TestHistoryStable checks that content does not depend on the as-of date:
// a paystub of a given date is the same a week later, apart from the
// year-to-date amounts of the oldest, partly covered year.
func TestHistoryStable(t *testing.T) {
	for _, u := range []string{"test_1", "test_2", "test_3"} {
		a, _ := Payroll(u, "item_000000007", value.NewDate(2025, 9, 10))
		b, _ := Payroll(u, "item_000000007", value.NewDate(2025, 9, 17))
		byID := map[string]datasource.Paystub{}
		for _, p := range b.Paystubs {
			byID[p.ID] = p
		}
		matched := 0
		for _, p := range a.Paystubs {
			q, ok := byID[p.ID]
			if !ok || p.PaystubDate.Year < 2024 {
				continue
			}
			matched++
			if !reflect.DeepEqual(p, q) {
				t.Errorf("%s: paystub %s changed with the as-of date", u, p.PaystubDate)
			}
		}
		if matched < 40 {
			t.Errorf("%s: only %d paystubs compared", u, matched)
		}
		if !reflect.DeepEqual(a.Identity, b.Identity) || a.Employments[0].HireDate != b.Employments[0].HireDate {
			t.Errorf("%s: identity or hire date changed with the as-of date", u)
		}
	}
}
