package report

import (
	"fmt"
	"strings"
)

// banking prints the body of a banking report.
func (d *doc) banking(r *Report) {
	b := r.Banking
	d.borrower(r)
	institution := map[string]string{} // account → institution name
	for _, ba := range b.BankAccounts {
		institution[ba.Account] = orDash(ba.InstitutionName)
	}
	if len(r.Accounts) > 0 {
		d.section("Bank connections")
		rows := make([][]string, 0, len(r.Accounts))
		for _, a := range r.Accounts {
			name := institution[a.ID]
			if name == "" {
				name = "-"
			}
			rows = append(rows, []string{name + "\n" + a.Item, a.ID, a.Source, a.DataAsOf})
		}
		d.table([]column{{"Institution", 28, "L"}, {"Account", 30, "L"}, {"Source", 12, "L"}, {"Data as of", 20, "L"}}, rows)
	}
	d.section("Bank accounts")
	if len(b.BankAccounts) == 0 {
		d.para("No bank account is covered: none of the user's bank accounts matches the report configuration.")
	} else {
		var balances map[string]AccountAssets
		if b.Assets != nil {
			balances = map[string]AccountAssets{}
			for _, aa := range b.Assets.Accounts {
				balances[aa.BankAccount] = aa
			}
		}
		rows := make([][]string, 0, len(b.BankAccounts))
		for _, ba := range b.BankAccounts {
			row := []string{orDash(ba.InstitutionName), fmt.Sprintf("%s (%s) …%s\n%s", ba.Name, words(ba.Type), ba.AccountNumberDisplay, ba.ID),
				orDash(strings.Join(ba.Owners, ", "))}
			if balances != nil {
				aa := balances[ba.ID]
				row = append(row, money(aa.CurrentBalance), money(aa.AvailableBalance), date(aa.BalanceDate))
			}
			rows = append(rows, row)
		}
		cols := []column{{"Institution", 18, "L"}, {"Account", 42, "L"}, {"Owners", 18, "L"}}
		if balances != nil {
			cols = append(cols, column{"Current", 13, "R"}, column{"Available", 13, "R"}, column{"As of", 12, "L"})
		}
		d.table(cols, rows)
	}
	if b.Assets != nil {
		d.assets(b)
	}
	if b.Income != nil {
		d.bankIncome(b.Income)
	}
	if b.Employment != nil {
		d.bankEmployment(b.Employment)
	}
}

func (d *doc) assets(b *Banking) {
	a := b.Assets
	d.section("Assets")
	d.kv([][2]string{
		{"Period", date(a.From) + " to " + date(a.Through)},
		{"Current balance, total", money(a.CurrentBalance)},
		{"Available balance, total", money(a.AvailableBalance)},
		{"Average balance, total", money(a.AverageBalance)},
		{"Average monthly income", money(a.AverageMonthlyIncome)},
		{"Large deposit threshold", money(a.LargeDepositThreshold)},
		{"NSF events", fmt.Sprint(len(a.NSFEvents))},
	})
	names := map[string]string{}
	for _, ba := range b.BankAccounts {
		names[ba.ID] = fmt.Sprintf("%s …%s", ba.Name, ba.AccountNumberDisplay)
	}
	rows := make([][]string, 0, len(a.Accounts))
	for _, aa := range a.Accounts {
		rows = append(rows, []string{names[aa.BankAccount], date(aa.From) + " to " + date(aa.Through), money(aa.AverageBalance),
			money(aa.MinimumBalance), money(aa.TotalCredits), money(aa.TotalDebits), fmt.Sprint(aa.NSFEvents)})
	}
	d.subsection("Balances and activity by account")
	d.table([]column{{"Account", 24, "L"}, {"Days counted", 22, "L"}, {"Average", 13, "R"}, {"Minimum", 13, "R"},
		{"Credits", 14, "R"}, {"Debits", 14, "R"}, {"NSF", 6, "R"}}, rows)
	d.para("The average balance is the mean end-of-day ledger balance of every day counted; the total adds the accounts' averages. " +
		"A large deposit is a posted credit, other than a transfer between the user's own accounts, above the threshold: " +
		"half the average monthly income (the deposits of every income stream detected in the period, per average month), " +
		"and at least " + money(LargeDepositFloor) + ".")

	d.subsection("Large deposits")
	if len(a.LargeDeposits) == 0 {
		d.para("None in the period.")
	} else {
		rows = rows[:0]
		for _, ld := range a.LargeDeposits {
			stream := "-"
			if ld.IncomeStream != nil {
				stream = "income stream"
			}
			rows = append(rows, []string{date(ld.PostedDate), names[ld.BankAccount], ld.Description, words(ld.Category) + "\n" + stream, money(ld.Amount)})
		}
		d.table([]column{{"Date", 12, "L"}, {"Account", 20, "L"}, {"Description", 38, "L"}, {"Category", 16, "L"}, {"Amount", 14, "R"}}, rows)
	}
	d.subsection("NSF events")
	if len(a.NSFEvents) == 0 {
		d.para("None in the period.")
	} else {
		rows = rows[:0]
		for _, e := range a.NSFEvents {
			rows = append(rows, []string{date(e.PostedDate), names[e.BankAccount], e.Description, money(e.Amount)})
		}
		d.table([]column{{"Date", 12, "L"}, {"Account", 22, "L"}, {"Description", 50, "L"}, {"Fee", 14, "R"}}, rows)
	}
}

func (d *doc) bankIncome(in *BankIncome) {
	d.section("Income streams (net deposits)")
	d.para("Amounts are net: the deposits as they reached the bank accounts, after the payer's taxes and deductions. " +
		"They are not gross pay and are not comparable with the gross figures of a payroll report.")
	d.kv([][2]string{
		{"Period", date(in.From) + " to " + date(in.Through)},
		{"Confidence minimum", fmt.Sprint(in.ConfidenceMinimum)},
		{"Projected annual income (net)", money(in.ProjectedAnnualAmount)},
	})
	if len(in.Streams) == 0 {
		d.para("No income stream was detected at or above the confidence minimum.")
		return
	}
	rows := make([][]string, 0, len(in.Streams))
	for _, s := range in.Streams {
		kind := "other income"
		if s.Payroll {
			kind = "payroll"
		}
		status := "inactive"
		if s.Active {
			status = "active"
		}
		rows = append(rows, []string{s.Payer + "\n" + kind + ", " + status, words(s.Frequency), fmt.Sprint(s.Deposits),
			date(s.FirstDate) + "\n" + date(s.LastDate), money(s.AverageAmount), money(s.Total), money(s.ProjectedAnnual), fmt.Sprint(s.Confidence)})
	}
	d.table([]column{{"Payer", 24, "L"}, {"Frequency", 12, "L"}, {"Deposits", 11, "R"}, {"First / last", 13, "L"},
		{"Average net deposit", 12, "R"}, {"Total net", 13, "R"}, {"Projected annual net", 14, "R"}, {"Confidence", 13, "R"}}, rows)
	d.para("Streams group the posted credits of each payer; credits on the same day count as one deposit, and the average is the " +
		"total divided by the deposits. A regular stream projects its average times its deposits a year; an irregular one annualises " +
		"its total; an inactive stream projects nothing. The JSON report lists every deposit of every stream.")
}

func (d *doc) bankEmployment(e *BankEmployment) {
	d.section("Employers from payroll deposits")
	d.kv([][2]string{{"Period", date(e.From) + " to " + date(e.Through)}})
	if len(e.Employers) == 0 {
		d.para("No payroll deposits were found.")
		return
	}
	rows := make([][]string, 0, len(e.Employers))
	for _, x := range e.Employers {
		status := "no recent deposit"
		if x.Active {
			status = "paying"
		}
		rows = append(rows, []string{x.Name, words(x.Frequency), fmt.Sprint(x.Deposits), date(x.FirstDeposit), date(x.LastDeposit), status})
	}
	d.table([]column{{"Employer", 30, "L"}, {"Frequency", 14, "L"}, {"Deposits", 10, "R"}, {"First deposit", 14, "L"},
		{"Last deposit", 14, "L"}, {"Status", 16, "L"}}, rows)
}
