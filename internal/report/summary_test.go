package report_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/pdftest"
	"verigate/internal/report"
	"verigate/internal/store"
	"verigate/internal/value"
)

// synthetic aggregates hand-made payroll data as the worker would.
func synthetic(t *testing.T, d datasource.Data) report.PayrollSource {
	t.Helper()
	a := store.Account{ID: "01970000-0000-7000-8000-0000000000aa", PartnerID: "01970000-0000-7000-8000-00000000e001",
		Environment: store.Sandbox, UserID: "01970000-0000-7000-8000-00000000f001", DataSource: "payroll", Item: item,
		Aggregation: store.AggregationDone, ScannedAt: &scanned, CreatedAt: scanned, UpdatedAt: scanned}
	recs, err := aggregate.Records(a, d, scanned)
	if err != nil {
		t.Fatal(err)
	}
	return report.NewPayrollSource(a, recs)
}

// monthlyJob is a salaried job paid on the last day of each month from
// first through last, with extra pay of one type in the months extra names.
func monthlyJob(hired, first, last value.Date, extraType string, extra map[string]value.Money) datasource.Data {
	d := datasource.Data{Identity: datasource.Identity{FirstName: "Ada", LastName: "Lane", FullName: "Ada Lane", SSN: "XXX-XX-1234"},
		Employments: []datasource.Employment{{ID: "e1", Employer: "Acme", Status: datasource.EmploymentActive, HireDate: hired,
			PayCycle: datasource.PayMonthly, BasePay: datasource.BasePay{Amount: 6000000, Period: datasource.PeriodAnnual, Currency: "USD"}}}}
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		pay := value.NewDate(m.Year, m.Month, 1).AddDate(0, 1, -1)
		lines := []datasource.GrossPayLine{{Name: "Regular", Type: datasource.GrossBase, Amount: 500000}}
		if x := extra[pay.String()[:7]]; x != 0 {
			lines = append(lines, datasource.GrossPayLine{Name: words(extraType), Type: extraType, Amount: x})
		}
		var gross value.Money
		for _, l := range lines {
			gross += l.Amount
		}
		d.Paystubs = append(d.Paystubs, datasource.Paystub{ID: "p" + pay.String(), Employment: "e1", PaystubDate: pay,
			Period: value.Period{StartDate: value.NewDate(pay.Year, pay.Month, 1), EndDate: pay}, GrossPay: gross, NetPay: gross,
			GrossPayList: lines})
	}
	return d
}

func words(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func component(q *report.QualifyingIncome, typ string) *report.IncomeComponent {
	for i := range q.Components {
		if q.Components[i].Type == typ {
			return &q.Components[i]
		}
	}
	return nil
}

// TestQualifyingIncomeRule checks each branch of the rule on hand-made
// histories whose figures are known.
func TestQualifyingIncomeRule(t *testing.T) {
	d := func(y int, m time.Month) value.Date { return value.NewDate(y, m, 1) }
	twoYears := func(prior, recent value.Money) map[string]value.Money {
		// a bonus each March: 2024 falls in the prior 12 months, 2025 in the last 12 months (to 2025-05-31)
		return map[string]value.Money{"2024-03": prior, "2025-03": recent}
	}
	for _, c := range []struct {
		name           string
		hired, first   value.Date
		extra          map[string]value.Money
		method         string
		annual, recent value.Money
	}{
		{"rising", d(2019, 1), d(2023, 6), twoYears(100000, 150000), report.MethodAverage24, 125000, 150000},
		{"stable", d(2019, 1), d(2023, 6), twoYears(100000, 100000), report.MethodAverage24, 100000, 100000},
		{"declining", d(2019, 1), d(2023, 6), twoYears(150000, 90000), report.MethodRecent12, 90000, 90000},
		{"stopped", d(2019, 1), d(2023, 6), twoYears(150000, 0), report.MethodExcluded, 0, 0},
		{"new this year", d(2019, 1), d(2023, 6), twoYears(0, 90000), report.MethodExcluded, 0, 90000},
		// 18 months of paystubs: the history's total over its 18 months, annualized
		{"18 months", d(2023, 12), d(2023, 12), map[string]value.Money{"2024-03": 60000, "2025-03": 30000}, report.MethodAverageMonths, 60000, 30000},
		{"under 12 months", d(2024, 9), d(2024, 9), map[string]value.Money{"2025-03": 90000}, report.MethodExcluded, 0, 90000},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := monthlyJob(c.hired, c.first, value.NewDate(2025, time.May, 1), datasource.GrossBonus, c.extra)
			r, err := report.BuildPayroll(reportID, genAt, testVerification("voie"), []report.PayrollSource{synthetic(t, data)})
			if err != nil {
				t.Fatal(err)
			}
			q := r.Summary.QualifyingIncome
			base := component(q, datasource.GrossBase)
			if base == nil || base.Method != report.MethodAnnualRate || base.Annual != 6000000 || base.Monthly != 500000 {
				t.Fatalf("base %+v, want the annual salary 60000.00", base)
			}
			b := component(q, datasource.GrossBonus)
			if b == nil {
				t.Fatal("no bonus component")
			}
			if b.Method != c.method || b.Annual != c.annual || *b.Last12Months != c.recent {
				t.Errorf("bonus %s annual %s last 12 months %s, want %s %s %s", b.Method, b.Annual, b.Last12Months, c.method, c.annual, c.recent)
			}
			if q.Annual != base.Annual+b.Annual || q.Rule != report.QualifyingRule {
				t.Errorf("qualifying %s by %q, want base + bonus = %s", q.Annual, q.Rule, base.Annual+b.Annual)
			}
			if want := value.Money((int64(q.Annual) + 6) / 12); q.Monthly != want {
				t.Errorf("monthly %s, want %s", q.Monthly, want)
			}
		})
	}
}

// TestQualifyingIncomeSandbox recomputes the sandbox users' overtime, bonus
// and commission windows from the connector's paystubs.
func TestQualifyingIncomeSandbox(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		t.Run(login, func(t *testing.T) {
			r, data := build(t, login, "voie")
			q := r.Summary.QualifyingIncome
			var current datasource.Employment
			for _, e := range data.Employments {
				if e.Status == datasource.EmploymentActive {
					current = e
				}
			}
			var last value.Date
			for _, p := range data.Paystubs {
				if p.Employment == current.ID && p.PaystubDate.After(last) {
					last = p.PaystubDate
				}
			}
			recent, prior := map[string]value.Money{}, map[string]value.Money{}
			for _, p := range data.Paystubs {
				if p.Employment != current.ID {
					continue
				}
				for _, l := range p.GrossPayList {
					switch {
					case p.PaystubDate.After(last.AddDate(-1, 0, 0)):
						recent[l.Type] += l.Amount
					case p.PaystubDate.After(last.AddDate(-2, 0, 0)):
						prior[l.Type] += l.Amount
					}
				}
			}
			var sum value.Money
			for _, c := range q.Components {
				sum += c.Annual
				if c.Employer != current.Employer {
					t.Errorf("component of %s, which is not the current job", c.Employer)
				}
				if c.Type == datasource.GrossBase {
					if current.BasePay.Period == datasource.PeriodAnnual && c.Annual != current.BasePay.Amount {
						t.Errorf("base %s, salary %s", c.Annual, current.BasePay.Amount)
					}
					continue
				}
				if *c.Last12Months != recent[c.Type] || *c.Prior12Months != prior[c.Type] {
					t.Errorf("%s: windows %s / %s, paystubs say %s / %s", c.Type, c.Last12Months, c.Prior12Months, recent[c.Type], prior[c.Type])
				}
				want := recent[c.Type] // declining
				if recent[c.Type] >= prior[c.Type] {
					want = (recent[c.Type] + prior[c.Type] + 1) / 2
				}
				if c.HistoryMonths != 24 || c.Annual != want {
					t.Errorf("%s: %s over %d months, want %s over 24", c.Type, c.Annual, c.HistoryMonths, want)
				}
			}
			for _, typ := range []string{datasource.GrossOvertime, datasource.GrossBonus, datasource.GrossCommission} {
				if (recent[typ]+prior[typ] != 0) != (component(q, typ) != nil) {
					t.Errorf("%s: received %s, component %v", typ, recent[typ]+prior[typ], component(q, typ))
				}
			}
			if sum != q.Annual {
				t.Errorf("qualifying %s, components sum to %s", q.Annual, sum)
			}
		})
	}
}

// TestSummaryEmployments: Joe (test_3) has a current job and one that ended.
func TestSummaryEmployments(t *testing.T) {
	r, data := build(t, "test_3", "voie")
	s := r.Summary
	if len(s.CurrentEmployments) != 1 || len(s.EndedEmployments) != 1 {
		t.Fatalf("%d current and %d ended employments", len(s.CurrentEmployments), len(s.EndedEmployments))
	}
	for _, e := range data.Employments {
		list := s.CurrentEmployments
		if e.Status != datasource.EmploymentActive {
			list = s.EndedEmployments
		}
		got := list[0]
		if got.Employer != e.Employer || got.StartDate != e.HireDate || got.EndDate != e.TerminationDate ||
			got.PayFrequency != e.PayCycle || got.BasePay != e.BasePay {
			t.Errorf("summary %+v, employment %+v", got, e)
		}
	}
	if s.EndedEmployments[0].EndDate.IsZero() {
		t.Error("the ended employment has no end date")
	}
	b, _ := report.JSON(r)
	var doc struct {
		Summary struct {
			Current []map[string]any `json:"current_employments"`
			Gross   []map[string]any `json:"gross"`
		} `json:"summary"`
		Employments []map[string]any `json:"employments"`
	}
	json.Unmarshal(b, &doc)
	if doc.Summary.Current[0]["end_date"] != nil || doc.Employments[0]["current"] != true || doc.Employments[1]["current"] != false {
		t.Errorf("JSON: current %v, employments current %v %v", doc.Summary.Current[0], doc.Employments[0]["current"], doc.Employments[1]["current"])
	}
	if len(doc.Summary.Gross) != 3 || doc.Summary.Gross[2]["partial"] != true || doc.Summary.Gross[2]["from"] != r.Income[2].From.String() {
		t.Errorf("JSON gross %v", doc.Summary.Gross)
	}
	// The voe has the employments but no income.
	voe, _ := build(t, "test_3", "voe")
	if len(voe.Summary.EndedEmployments) != 1 || voe.Summary.Gross != nil || voe.Summary.QualifyingIncome != nil {
		t.Errorf("voe summary %+v", voe.Summary)
	}
}

// TestNullHours: bonus and commission lines carry no hours; regular lines do.
func TestNullHours(t *testing.T) {
	seen := map[string]bool{}
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		r, _ := build(t, login, "voie")
		b, _ := report.JSON(r)
		var doc struct {
			Employments []struct {
				RecentPaystubs []struct {
					Earnings []map[string]any `json:"earnings"`
				} `json:"recent_paystubs"`
			} `json:"employments"`
		}
		json.Unmarshal(b, &doc)
		for _, e := range doc.Employments {
			for _, p := range e.RecentPaystubs {
				for _, l := range p.Earnings {
					h, present := l["hours"]
					if !present {
						t.Fatalf("%s: earnings line without hours: %v", login, l)
					}
					typ := l["type"].(string)
					seen[typ] = true
					switch typ {
					case datasource.GrossBonus, datasource.GrossCommission:
						if h != nil {
							t.Errorf("%s: %s line hours %v, want null", login, typ, h)
						}
					case datasource.GrossBase:
						if s, ok := h.(string); !ok || s == "0.00" {
							t.Errorf("%s: regular line hours %v", login, h)
						}
					}
				}
			}
		}
	}
	if !seen[datasource.GrossCommission] {
		t.Error("no commission line among the recent paystubs: the test checks nothing for it")
	}
}

func TestIdentityCheck(t *testing.T) {
	r, _ := build(t, "test_1", "voie") // Bob Jones, XXX-XX-4821, 1985-04-12
	for _, c := range []struct {
		name    string
		ordered report.Ordered
		result  string
		fields  map[string]string
	}{
		{"same person", report.Ordered{FirstName: "bob", LastName: "JONES", SSNLast4: "4821", BirthDate: value.NewDate(1985, 4, 12)},
			report.IdentityMatch, map[string]string{"name": "match", "ssn_last4": "match", "birth_date": "match"}},
		{"someone else", report.Ordered{FirstName: "Jane", LastName: "Doe", SSNLast4: "1234", BirthDate: value.NewDate(1990, 1, 13)},
			report.IdentityMismatch, map[string]string{"name": "mismatch", "ssn_last4": "mismatch", "birth_date": "mismatch"}},
		{"name only, other", report.Ordered{FirstName: "Jane", LastName: "Doe"},
			report.IdentityMismatch, map[string]string{"name": "mismatch", "ssn_last4": "not_ordered", "birth_date": "not_ordered"}},
		{"birth date differs", report.Ordered{FirstName: "Bob", LastName: "Jones", BirthDate: value.NewDate(1985, 4, 13)},
			report.IdentityMismatch, map[string]string{"name": "match", "birth_date": "mismatch"}},
		{"nothing ordered", report.Ordered{}, report.IdentityNotCompared, map[string]string{"name": "not_ordered"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			chk := report.CheckIdentity(c.ordered, r.Identity)
			if chk.Result != c.result {
				t.Errorf("result %s, want %s", chk.Result, c.result)
			}
			for _, f := range chk.Fields {
				if want, ok := c.fields[f.Field]; ok && f.Result != want {
					t.Errorf("%s: %s, want %s", f.Field, f.Result, want)
				}
			}
			errs := chk.StatusErrors(reportID)
			if (c.result == report.IdentityMismatch) != (len(errs) == 1) {
				t.Fatalf("status errors %+v", errs)
			}
			if len(errs) == 1 {
				if errs[0].Code != report.CodeIdentityMismatch || strings.Contains(errs[0].Message, "4821") || strings.Contains(errs[0].Message, "1234") {
					t.Errorf("status error %+v", errs[0])
				}
			}
		})
	}
	// Ordered identities are read from the user's profile.
	o, err := report.OrderedFromProfile(json.RawMessage(`{"first_name":"Jane","last_name":"Doe","ssn":"000-00-1234","birth_date":{"year":1990,"month":1,"day":13}}`))
	if err != nil || o.SSNLast4 != "1234" || o.BirthDate != value.NewDate(1990, 1, 13) || o.FirstName != "Jane" {
		t.Errorf("ordered %+v, %v", o, err)
	}
	// The report flags the mismatch in JSON and on page 1 of the PDF.
	r.IdentityCheck = report.CheckIdentity(o, r.Identity)
	b, _ := report.JSON(r)
	if !strings.Contains(string(b), `"identity_check": {`+"\n"+`    "result": "mismatch"`) {
		t.Errorf("JSON lacks the mismatch: %.400s", b[strings.Index(string(b), "identity_check"):])
	}
	pdf, _ := report.PDF(r)
	doc, err := pdftest.Read(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Pages[0], "IDENTITY MISMATCH") || !strings.Contains(doc.Pages[0], "Jane Doe") {
		t.Errorf("page 1 does not flag the mismatch:\n%s", doc.Pages[0])
	}
}

func TestReferenceNumber(t *testing.T) {
	ref := report.Reference(reportID)
	if ref != report.Reference(strings.ToUpper(reportID)) || !report.ValidReference(ref) || len(ref) != len("VG-XXXX-XXXX-XXXX-XXXX") {
		t.Fatalf("reference %q", ref)
	}
	// A mistyped or swapped digit fails the check symbol.
	body := []byte(ref)
	body[4], body[5] = body[5], body[4]
	if body[4] != body[5] && report.ValidReference(string(body)) {
		t.Errorf("%s with two digits swapped still validates", body)
	}
	seen := map[string]bool{}
	for range 20000 {
		r := report.Reference(store.NewID())
		if seen[r] || !report.ValidReference(r) {
			t.Fatalf("reference %s repeated or invalid", r)
		}
		seen[r] = true
	}
	r, _ := build(t, "test_1", "voe")
	b, _ := report.JSON(r)
	if !strings.Contains(string(b), `"reference_number": "`+ref+`"`) {
		t.Error("the JSON has no reference number")
	}
	pdf, _ := report.PDF(r)
	doc, _ := pdftest.Read(pdf)
	for i, p := range doc.Pages {
		if !strings.Contains(p, "Reference number: "+ref) {
			t.Errorf("page %d has no reference number", i+1)
		}
	}
}

// TestPDFLayout reads the PDF's text back: amounts and rates in the
// locale's format, headers and amounts never broken inside a word, partial
// years marked, current and ended employments apart.
func TestPDFLayout(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		t.Run(login, func(t *testing.T) {
			r, data := build(t, login, "voie")
			b, err := report.PDF(r)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := pdftest.Read(b)
			if err != nil {
				t.Fatal(err)
			}
			lines := map[string]bool{}
			for _, p := range doc.Pages {
				for _, l := range strings.Split(p, "\n") {
					lines[l] = true
				}
			}
			// Every column header and amount is one shown string: nothing wraps inside a word.
			for _, h := range []string{"Commission", "Overtime", "Deductions", "Gross YTD", "Complete", "Base", "Bonus"} {
				if !lines[h] {
					t.Errorf("header %q is not shown whole", h)
				}
			}
			for _, y := range r.Income {
				for _, m := range []value.Money{y.Gross, y.Base, y.Commission, y.Overtime} {
					if !lines[report.FormatMoney(m)] {
						t.Errorf("amount %s is not shown whole", report.FormatMoney(m))
					}
				}
			}
			for l := range lines {
				if strings.HasPrefix(l, "$") && !strings.Contains(l, " ") && !strings.Contains(l, ".") {
					t.Errorf("an amount is cut: %q", l)
				}
			}
			page1 := doc.Pages[0]
			q := r.Summary.QualifyingIncome
			for _, w := range []string{"Summary", "Current employment", report.FormatMoney(q.Monthly) + " per month (" + report.FormatMoney(q.Annual) + " per year)",
				report.QualifyingRule, "partial year: paid " + r.Income[2].From.String() + " to " + r.Income[2].Through.String()} {
				if !strings.Contains(page1, w) {
					t.Errorf("page 1 lacks %q", w)
				}
			}
			for _, e := range data.Employments {
				rate := report.FormatMoney(e.BasePay.Amount) + " per " + map[string]string{"annual": "year", "hourly": "hour"}[e.BasePay.Period]
				if !strings.Contains(page1, rate) {
					t.Errorf("page 1 lacks the base pay %q", rate)
				}
				if strings.Contains(doc.Text(), e.BasePay.Amount.String()+" USD") {
					t.Errorf("base pay printed raw: %s USD", e.BasePay.Amount)
				}
				section := "Current employment"
				if e.Status != datasource.EmploymentActive {
					section = "Ended employment"
					if !strings.Contains(doc.Text(), e.TerminationDate.String()+" ("+e.TerminationReason+")") {
						t.Errorf("the ended employment's end date is not shown")
					}
				}
				if !strings.Contains(doc.Text(), fmt.Sprintf("%s 1: %s", section, e.Employer)) {
					t.Errorf("no %q section for %s", section, e.Employer)
				}
			}
		})
	}
}
