package income

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/value"
)

func day(s string) value.Date {
	d, err := value.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// txs builds crafted transaction sets.
type txs struct{ list []datasource.Transaction }

func (b *txs) add(account string, d value.Date, amount value.Money, desc, counterparty, category string) *datasource.Transaction {
	b.list = append(b.list, datasource.Transaction{
		ID: fmt.Sprintf("t%04d", len(b.list)), AccountID: account, PostedDate: d, Amount: amount,
		Currency: "USD", Description: desc, Counterparty: counterparty, Category: category,
	})
	return &b.list[len(b.list)-1]
}

// every adds a credit every step days from first to last.
func (b *txs) every(first, last value.Date, step int, amount func(i int) value.Money, desc, cp, cat string) {
	for i, d := 0, first; !d.After(last); i, d = i+1, d.AddDate(0, 0, step) {
		b.add("chk", d, amount(i), desc, cp, cat)
	}
}

// fridayOnOrBefore moves a weekend day to the Friday before.
func fridayOnOrBefore(d value.Date) value.Date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, -1)
	case time.Sunday:
		return d.AddDate(0, 0, -2)
	}
	return d
}

func flat(m value.Money) func(int) value.Money { return func(int) value.Money { return m } }

// wobble varies an amount a little from deposit to deposit.
func wobble(m value.Money) func(int) value.Money {
	return func(i int) value.Money { return m + value.Money(i%4*1250) }
}

func biweekly(b *txs) {
	b.every(day("2025-01-03"), day("2025-12-19"), 14, wobble(200000), "ACME CORP PAYROLL PPD ID: 4455", "Acme Corp", datasource.TxPayroll)
}

func semimonthly(b *txs, from, to value.Date) {
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		mid := fridayOnOrBefore(value.NewDate(m.Year, m.Month, 15))
		last := fridayOnOrBefore(value.NewDate(m.Year, m.Month+1, 0))
		b.add("chk", mid, 310000, "GLOBEX PAYROLL PPD ID: 998877", "", "")
		b.add("chk", last, 310000+value.Money(m.Month)*1713, "GLOBEX DIR DEP 998877", "", "")
	}
}

func monthlyRent(b *txs) {
	for i, m := 0, day("2025-01-01"); m.Before(day("2026-01-01")); i, m = i+1, m.AddDate(0, 1, 0) {
		b.add("chk", m.AddDate(0, 0, i%4), 165000, "ZELLE FROM PRIYA RAMAN RENT", "Priya Raman", datasource.TxIncomeOther)
	}
}

func gig(b *txs) {
	gaps := []int{3, 9, 5, 12, 4, 8, 11, 6, 3, 10, 2, 13, 7, 5, 9}
	amounts := []value.Money{2800, 15400, 9100, 31000, 4500, 22300, 7800, 18800, 3600, 26900, 12200}
	d := day("2025-03-02")
	for i := 0; !d.After(day("2025-12-28")); i++ {
		b.add("chk", d, amounts[i%len(amounts)], "DASHCRATE INSTANT PAY", "DashCrate Delivery", datasource.TxIncomeOther)
		d = d.AddDate(0, 0, gaps[i%len(gaps)])
	}
}

func find(t *testing.T, streams []Stream, payer string) Stream {
	t.Helper()
	for _, s := range streams {
		if s.Payer == payer {
			return s
		}
	}
	t.Fatalf("no stream for %q in %v", payer, summary(streams))
	return Stream{}
}

func summary(streams []Stream) []string {
	var out []string
	for _, s := range streams {
		out = append(out, fmt.Sprintf("%s/%s/%d/%s/active=%v/conf=%d", s.Payer, s.Frequency, s.Deposits, s.AverageAmount, s.Active, s.Confidence))
	}
	return out
}

func TestDetect(t *testing.T) {
	asOf := day("2025-12-31")
	for _, tc := range []struct {
		name   string
		build  func(b *txs)
		payer  string
		freq   string
		n      int
		minC   int
		maxC   int
		active bool
		pay    bool
	}{
		{"biweekly", biweekly, "Acme Corp", Biweekly, 26, 90, 100, true, true},
		{"semimonthly 15th and last day, weekend shifts", func(b *txs) {
			semimonthly(b, day("2025-01-01"), day("2025-12-01"))
		}, "GLOBEX PAYROLL PPD ID: 998877", Semimonthly, 24, 90, 100, true, true},
		{"semimonthly 1st and 15th", func(b *txs) {
			for m := day("2025-01-01"); m.Before(day("2026-01-01")); m = m.AddDate(0, 1, 0) {
				b.add("chk", fridayOnOrBefore(m), 150000, "STATE OF CO SALARY", "State of Colorado", "")
				b.add("chk", fridayOnOrBefore(m.AddDate(0, 0, 14)), 150000, "STATE OF CO SALARY", "State of Colorado", "")
			}
		}, "State of Colorado", Semimonthly, 24, 90, 100, true, true},
		{"short biweekly stays biweekly", func(b *txs) {
			b.every(day("2025-11-07"), day("2025-12-31"), 14, flat(90000), "INITECH PAYROLL", "Initech", datasource.TxPayroll)
		}, "Initech", Biweekly, 4, 60, 95, true, true},
		{"weekly", func(b *txs) {
			b.every(day("2025-06-06"), day("2025-12-26"), 7, wobble(70000), "INITECH PAYROLL", "Initech", datasource.TxPayroll)
		}, "Initech", Weekly, 30, 90, 100, true, true},
		{"monthly rent", monthlyRent, "Priya Raman", Monthly, 12, 80, 90, true, false},
		{"irregular gig", gig, "DashCrate Delivery", Irregular, 0, 30, 59, true, false},
		{"two deposits", func(b *txs) {
			b.add("chk", day("2025-10-01"), 50000, "CONSULTING FEE", "Hooli", datasource.TxIncomeOther)
			b.add("chk", day("2025-11-01"), 50000, "CONSULTING FEE", "Hooli", datasource.TxIncomeOther)
		}, "Hooli", Monthly, 2, 20, 35, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b txs
			tc.build(&b)
			streams := Detect(b.list, Options{AsOf: asOf})
			if len(streams) != 1 {
				t.Fatalf("streams %v", summary(streams))
			}
			s := find(t, streams, tc.payer)
			var total value.Money
			for _, tx := range b.list {
				total += tx.Amount
			}
			if tc.n == 0 {
				tc.n = len(b.list)
			}
			if s.Frequency != tc.freq || s.Deposits != tc.n || s.Active != tc.active || s.Payroll != tc.pay ||
				s.Confidence < tc.minC || s.Confidence > tc.maxC || s.Total != total || len(s.TransactionIDs) != len(b.list) {
				t.Fatalf("stream %+v", summary(streams))
			}
			if want := roundDiv(int64(total), int64(tc.n)); s.AverageAmount != want {
				t.Errorf("average %s, want %s", s.AverageAmount, want)
			}
			if n := PeriodsPerYear(tc.freq); n > 0 && s.ProjectedAnnual != s.AverageAmount*value.Money(n) {
				t.Errorf("projected %s for average %s × %d", s.ProjectedAnnual, s.AverageAmount, n)
			}
			if tc.freq == Irregular {
				span := int64(asOf.Time().Sub(s.FirstDate.Time()).Hours()/24) + 1
				if want := roundDiv(int64(total)*365, span); s.ProjectedAnnual != want {
					t.Errorf("irregular projection %s, want %s", s.ProjectedAnnual, want)
				}
			}
			if s.FirstDate != b.list[0].PostedDate || s.LastDate != b.list[len(b.list)-1].PostedDate {
				t.Errorf("dates %s..%s", s.FirstDate, s.LastDate)
			}
			if !strings.HasPrefix(s.ID, "inc_") || len(s.ID) != 20 || !slices.Equal(s.AccountIDs, []string{"chk"}) {
				t.Errorf("id %q accounts %v", s.ID, s.AccountIDs)
			}
		})
	}
}

func TestGigHasLowerConfidence(t *testing.T) {
	var b txs
	biweekly(&b)
	monthlyRent(&b)
	gig(&b)
	streams := Detect(b.list, Options{AsOf: day("2025-12-31")})
	if got := summary(streams); len(got) != 3 {
		t.Fatalf("streams %v", got)
	}
	g := find(t, streams, "DashCrate Delivery")
	for _, s := range streams {
		if s.Payer != g.Payer && s.Confidence <= g.Confidence {
			t.Errorf("%s confidence %d not above gig's %d", s.Payer, s.Confidence, g.Confidence)
		}
	}
	// Sorted by projected annual amount, all being active.
	if streams[0].Payer != "Acme Corp" || streams[1].Payer != "Priya Raman" {
		t.Errorf("order %v", summary(streams))
	}
	// income_stream_confidence_minimum.
	filtered := Detect(b.list, Options{AsOf: day("2025-12-31"), MinConfidence: 60})
	if len(filtered) != 2 || filtered[0].Payer != "Acme Corp" || filtered[1].Payer != "Priya Raman" {
		t.Errorf("filtered %v", summary(filtered))
	}
}

func TestJobChange(t *testing.T) {
	var b txs
	b.every(day("2025-01-10"), day("2025-05-30"), 14, wobble(180000), "ACME CORP PAYROLL", "Acme Corp", datasource.TxPayroll)
	b.every(day("2025-06-20"), day("2025-12-26"), 7, wobble(95000), "INITECH PAYROLL", "Initech", datasource.TxPayroll)
	streams := Detect(b.list, Options{AsOf: day("2025-12-31")})
	if len(streams) != 2 || streams[0].Payer != "Initech" || streams[1].Payer != "Acme Corp" {
		t.Fatalf("streams %v", summary(streams))
	}
	old, cur := streams[1], streams[0]
	if old.Active || old.ProjectedAnnual != 0 || old.Frequency != Biweekly || old.Deposits != 11 || old.LastDate != day("2025-05-30") {
		t.Errorf("old job %+v", old)
	}
	if !cur.Active || cur.Frequency != Weekly || cur.ProjectedAnnual != cur.AverageAmount*52 {
		t.Errorf("new job %+v", cur)
	}
	emps := Employers(streams)
	want := []Employer{
		{Name: "Initech", StreamID: cur.ID, FirstDeposit: day("2025-06-20"), LastDeposit: day("2025-12-26"), Deposits: 28,
			Frequency: Weekly, AverageAmount: cur.AverageAmount, Active: true},
		{Name: "Acme Corp", StreamID: old.ID, FirstDeposit: day("2025-01-10"), LastDeposit: day("2025-05-30"), Deposits: 11,
			Frequency: Biweekly, AverageAmount: old.AverageAmount},
	}
	if !slices.Equal(emps, want) {
		t.Errorf("employers\n got %+v\nwant %+v", emps, want)
	}
	// Within the new job only (income_from_date), the old stream is gone.
	streams = Detect(b.list, Options{AsOf: day("2025-12-31"), From: day("2025-06-01")})
	if len(streams) != 1 || streams[0].Payer != "Initech" || streams[0].Deposits != 28 {
		t.Errorf("from 2025-06-01: %v", summary(streams))
	}
	// As of an earlier date, later deposits do not count and the old job is active.
	streams = Detect(b.list, Options{AsOf: day("2025-06-10")})
	if len(streams) != 1 || !streams[0].Active || streams[0].Deposits != 11 {
		t.Errorf("as of 2025-06-10: %v", summary(streams))
	}
	if len(Employers(nil)) != 0 {
		t.Error("employers of nothing")
	}
}

func TestNoise(t *testing.T) {
	var b txs
	biweekly(&b)
	for m := day("2025-01-05"); m.Before(day("2025-12-31")); m = m.AddDate(0, 1, 0) {
		// Categorised transfers from the user's savings.
		b.add("chk", m, 50000, "ONLINE TRANSFER FROM SAVINGS …4411", "", datasource.TxTransfer)
		b.add("sav", m, -50000, "ONLINE TRANSFER TO CHECKING …1234", "", datasource.TxTransfer)
		// Uncategorised transfers, by words and by mirrored debits.
		b.add("chk", m.AddDate(0, 0, 1), 20000, "TRANSFER FROM SAV 4411", "", "")
		b.add("chk", m.AddDate(0, 0, 2), 31500, "MOBILE DEPOSIT", "", "")
		b.add("sav", m.AddDate(0, 0, 4), -31500, "WITHDRAWAL", "", "")
		// Refunds, interest, a card reversal.
		b.add("chk", m.AddDate(0, 0, 3), 2599, "NORTHWIND REFUND", "Northwind Outfitters", datasource.TxRefund)
		b.add("chk", m.AddDate(0, 0, 6), 1999, "NORTHWIND OUTFITTERS RETURN", "", "")
		b.add("sav", m.AddDate(0, 0, 25), 412, "INTEREST PAYMENT", "", datasource.TxInterest)
		b.add("sav", m.AddDate(0, 0, 26), 388, "INTEREST PAID", "", "")
		b.add("chk", m.AddDate(0, 0, 7), 1500, "BLUE DOOR COFFEE", "Blue Door Coffee", datasource.TxSpending)
		// Spending.
		b.add("chk", m.AddDate(0, 0, 8), -240000, "RENT", "Landlord", datasource.TxSpending)
	}
	b.add("chk", day("2025-07-04"), 25000, "GIFT FROM GRANDMA", "", "")
	b.add("chk", day("2025-04-15"), 180000, "IRS TREAS 310 TAX REF", "IRS", "")
	b.add("chk", day("2025-12-30"), 200000, "ACME CORP PAYROLL PPD ID: 4455", "Acme Corp", datasource.TxPayroll).Pending = true
	b.add("chk", day("2026-01-02"), 200000, "ACME CORP PAYROLL PPD ID: 4455", "Acme Corp", datasource.TxPayroll)

	streams := Detect(b.list, Options{AsOf: day("2025-12-31")})
	if len(streams) != 1 || streams[0].Payer != "Acme Corp" || streams[0].Deposits != 26 || streams[0].Total != 26*200000+37*1250 {
		t.Fatalf("streams %v", summary(streams))
	}
	// An unmatched "MOBILE DEPOSIT" is income, as nothing explains it.
	var c txs
	for m := day("2025-01-03"); m.Before(day("2025-12-31")); m = m.AddDate(0, 1, 0) {
		c.add("chk", m, 31500, "MOBILE DEPOSIT", "", "")
		c.add("chk", m.AddDate(0, 0, 1), -31500, "RENT", "", "") // same account: not a transfer
	}
	if got := Detect(c.list, Options{}); len(got) != 1 || got[0].Frequency != Monthly || got[0].Key != "mobile" {
		t.Errorf("mobile deposits: %v", summary(got))
	}
}

func TestNormalizePayer(t *testing.T) {
	for in, want := range map[string]string{
		"WHOLE GOODS PAYROLL PPD ID: 9549756020": "whole goods",
		"Acme Corp.":                             "acme",
		"ACME CORP DIR DEP 0415":                 "acme",
		"Zelle from Priya Raman":                 "priya raman",
		"MÜLLER LOGISTICS PAYROLL PPD ID: 1":     "muller logistics",
		"Müller Logistics":                       "muller logistics",
		"DASHCRATE DELIVERY INSTANT PAY":         "dashcrate delivery",
		"PAYROLL":                                "payroll",
		"":                                       "",
	} {
		if got := NormalizePayer(in); got != want {
			t.Errorf("NormalizePayer(%q) = %q, want %q", in, got, want)
		}
	}
	// Differently written deposits of one payer form one stream.
	var b txs
	for i, d := 0, day("2025-01-03"); i < 10; i, d = i+1, d.AddDate(0, 0, 14) {
		desc := "ACME CORP PAYROLL PPD ID: 123"
		if i%2 == 1 {
			desc = "Acme Corp DIR DEP 0415"
		}
		b.add("chk", d, 100000, desc, "", "")
	}
	s := Detect(b.list, Options{})
	if len(s) != 1 || s[0].Deposits != 10 || !s[0].Payroll || s[0].Payer != "ACME CORP PAYROLL PPD ID: 123" || s[0].Frequency != Biweekly {
		t.Errorf("streams %v", summary(s))
	}
	if !s[0].Active { // as of the last deposit
		t.Error("inactive as of its own last deposit")
	}
}

// TestSandboxUsers runs detection on the bank sandbox's generated data.
func TestSandboxUsers(t *testing.T) {
	for _, asOf := range []value.Date{day("2025-11-25"), day("2026-01-03"), day("2028-02-29")} {
		for _, inst := range []string{"ins_000000001", "ins_000000007"} {
			netAverage := func(login, item string) (value.Money, int) {
				pd, err := payrollsandbox.DataFor(login, item, asOf)
				if err != nil {
					t.Fatal(err)
				}
				var sum value.Money
				n := 0
				for _, ps := range pd.Paystubs {
					if ps.Employment == pd.Employments[0].ID {
						sum += ps.NetPay
						n++
					}
				}
				return sum / value.Money(n), n
			}
			data := func(login string) datasource.Data {
				d, err := banksandbox.DataFor(login, inst, nil, asOf)
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			name := fmt.Sprintf("%s/%s", asOf, inst)

			bob := Detect(data("test_1").Transactions, Options{AsOf: asOf})
			wg := find(t, bob, "Whole Goods")
			avg, n := netAverage("test_1", banksandbox.PayrollItem)
			if diff := wg.AverageAmount - avg; diff < -1 || diff > 1 || wg.Deposits != n || wg.Frequency != Biweekly ||
				!wg.Payroll || !wg.Active || wg.Confidence < 90 {
				t.Errorf("%s Bob: %v; payroll net average %s over %d", name, summary(bob), avg, n)
			}
			dc := find(t, bob, "DashCrate Delivery")
			if len(bob) != 2 || dc.Frequency != Irregular || dc.Confidence >= wg.Confidence || dc.Payroll || !dc.Active {
				t.Errorf("%s Bob: %v", name, summary(bob))
			}

			sarah := Detect(data("test_2").Transactions, Options{AsOf: asOf})
			wg = find(t, sarah, "Whole Goods")
			avg, n = netAverage("test_2", banksandbox.PayrollItem)
			rent := find(t, sarah, "Priya Raman")
			if diff := wg.AverageAmount - avg; diff < -1 || diff > 1 || wg.Deposits != n || wg.Frequency != Semimonthly ||
				len(sarah) != 2 || rent.Frequency != Monthly || rent.Payroll || !rent.Active || rent.Confidence < 70 {
				t.Errorf("%s Sarah: %v", name, summary(sarah))
			}

			joe := Detect(data("test_3").Transactions, Options{AsOf: asOf})
			if len(joe) != 2 || joe[0].Payer != "Whole Goods" || joe[1].Payer != "Müller Logistics" ||
				!joe[0].Active || joe[1].Active || joe[0].Frequency != Weekly || joe[1].Frequency != Weekly {
				t.Errorf("%s Joe: %v", name, summary(joe))
			}
			emps := Employers(joe)
			if len(emps) != 2 || emps[0].Name != "Whole Goods" || emps[1].Name != "Müller Logistics" ||
				!emps[1].LastDeposit.Before(asOf.AddDate(0, -9, 0)) || emps[0].FirstDeposit.Before(emps[1].LastDeposit) {
				t.Errorf("%s Joe's employers: %+v", name, emps)
			}
		}
	}
}
