package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/income"
	"verigate/internal/pdftest"
	"verigate/internal/report"
	"verigate/internal/store"
	"verigate/internal/value"
)

// institution is the sandbox bank of the banking reports.
const institution = "ins_000000001"

var bankTypes = []string{"voa", "voi", "voai", "voe-transactions"}

// bankSource aggregates a bank sandbox user (all accounts shared, plus
// extra transactions) as the worker would and returns the account's
// records and the connector's data.
func bankSource(t testing.TB, login string, extra ...datasource.Transaction) (report.BankSource, datasource.Data) {
	t.Helper()
	data, err := banksandbox.DataFor(login, institution, nil, asOf)
	if err != nil {
		t.Fatal(err)
	}
	data.Transactions = append(data.Transactions, extra...)
	at := scanned
	a := store.Account{ID: "01970000-0000-7000-8000-0000000b00" + fmt.Sprintf("%02d", len(login)+int(login[len(login)-1]-'0')),
		PartnerID: "01970000-0000-7000-8000-00000000e001", Environment: store.Sandbox, UserID: "01970000-0000-7000-8000-00000000f001",
		DataSource: "banking", Item: institution, Source: banksandbox.Source, ConnectionStatus: "connected",
		Aggregation: store.AggregationDone, ScannedAt: &at, CreatedAt: at, UpdatedAt: at}
	recs, err := aggregate.Records(a, data, at)
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := banksandbox.Institutions().Get(institution)
	src := report.BankSource{Account: a, InstitutionName: inst.Name}
	for _, r := range recs {
		switch r.Kind {
		case store.RecordIdentity:
			src.Identity = append(src.Identity, r)
		case store.RecordBankAccount:
			src.BankAccounts = append(src.BankAccounts, r)
		case store.RecordTransaction:
			src.Transactions = append(src.Transactions, r)
		}
	}
	return src, data
}

func bankVerification(reportType string, cfg map[string]any) store.Verification {
	v := testVerification(reportType)
	v.DataSource = "banking"
	if cfg != nil {
		b, _ := json.Marshal(cfg)
		v.ReportConfiguration = b
	}
	return v
}

func buildBank(t testing.TB, login, reportType string, cfg map[string]any, extra ...datasource.Transaction) (*report.Report, report.BankSource, datasource.Data) {
	t.Helper()
	src, data := bankSource(t, login, extra...)
	r, err := report.BuildBanking(reportID, genAt, bankVerification(reportType, cfg), []report.BankSource{src})
	if err != nil {
		t.Fatal(err)
	}
	return r, src, data
}

var goldenConfig = map[string]any{"report_custom_fields": []any{
	map[string]any{"label": "Branch", "value": "Harbor 7", "shown": true},
	map[string]any{"label": "Internal ref", "value": "Q-88", "shown": false},
}}

func TestBankingGoldenReports(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		for _, typ := range bankTypes {
			t.Run(login+"_"+typ, func(t *testing.T) {
				r, _, _ := buildBank(t, login, typ, goldenConfig)
				b, err := report.JSON(r)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, typ+"_"+login+".json", b)
				again, _, _ := buildBank(t, login, typ, goldenConfig)
				if b2, _ := report.JSON(again); !bytes.Equal(b, b2) {
					t.Error("two builds of the same input differ")
				}
				var generic map[string]any
				json.Unmarshal(b, &generic)
				banking, _ := generic["banking"].(map[string]any)
				want := map[string][]string{"voa": {"assets"}, "voi": {"income"}, "voai": {"assets", "income"}, "voe-transactions": {"employment"}}[typ]
				for _, part := range []string{"assets", "income", "employment"} {
					if _, has := banking[part]; has != slices.Contains(want, part) {
						t.Errorf("%s report: has %s = %v", typ, part, has)
					}
				}
				if cf, _ := generic["custom_fields"].([]any); len(cf) != 2 {
					t.Errorf("custom_fields = %v, want both fields", generic["custom_fields"])
				}
			})
		}
	}
}

// recordIDs maps the connector's transaction ids to their record ids.
func recordIDs(src report.BankSource) map[string]datasource.Transaction {
	out := map[string]datasource.Transaction{}
	for _, r := range src.Transactions {
		var t datasource.Transaction
		json.Unmarshal(r.Data, &t)
		t.ID, t.AccountID = r.ID, r.Employment
		out[r.ID] = t
	}
	return out
}

// TestVOAIStreamsRecomputed recomputes every income stream figure of voai
// reports from the transactions the stream lists, looked up in the
// aggregated data (not in the report).
func TestVOAIStreamsRecomputed(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		t.Run(login, func(t *testing.T) {
			r, src, _ := buildBank(t, login, "voai", nil)
			txs := recordIDs(src)
			in := r.Banking.Income
			if in == nil || len(in.Streams) < 2 {
				t.Fatalf("voai income = %+v; every sandbox user has at least two streams", in)
			}
			var projected value.Money
			for _, s := range in.Streams {
				var total value.Money
				days := map[value.Date]bool{}
				accounts := map[string]bool{}
				for i, st := range s.Transactions {
					tx, ok := txs[st.ID]
					if !ok {
						t.Fatalf("%s: transaction %s is not among the aggregated ones", s.Payer, st.ID)
					}
					if tx.Amount <= 0 || tx.Pending || tx.Amount != st.Amount || tx.PostedDate != st.PostedDate || tx.AccountID != st.BankAccount {
						t.Errorf("%s: listed %+v, aggregated %+v", s.Payer, st, tx)
					}
					if i > 0 && st.PostedDate.Before(s.Transactions[i-1].PostedDate) {
						t.Errorf("%s: transactions not oldest first", s.Payer)
					}
					total += tx.Amount
					days[tx.PostedDate] = true
					accounts[tx.AccountID] = true
				}
				if total != s.Total || len(days) != s.Deposits {
					t.Errorf("%s: deposits sum to %s on %d days; report says %s on %d", s.Payer, total, len(days), s.Total, s.Deposits)
				}
				avg := value.Money((int64(total) + int64(len(days))/2) / int64(len(days)))
				if avg != s.AverageAmount {
					t.Errorf("%s: average %s, deposits average %s", s.Payer, s.AverageAmount, avg)
				}
				if n := income.PeriodsPerYear(s.Frequency); s.Active && n > 0 && s.ProjectedAnnual != avg*value.Money(n) {
					t.Errorf("%s: projected %s, want %s × %d", s.Payer, s.ProjectedAnnual, avg, n)
				}
				if !s.Active && s.ProjectedAnnual != 0 {
					t.Errorf("%s: inactive stream projects %s", s.Payer, s.ProjectedAnnual)
				}
				if s.FirstDate != s.Transactions[0].PostedDate || s.LastDate != s.Transactions[len(s.Transactions)-1].PostedDate {
					t.Errorf("%s: first/last %s/%s do not match its transactions", s.Payer, s.FirstDate, s.LastDate)
				}
				if len(accounts) != len(s.BankAccounts) {
					t.Errorf("%s: bank accounts %v, transactions in %v", s.Payer, s.BankAccounts, accounts)
				}
				if s.Confidence < 0 || s.Confidence > 100 {
					t.Errorf("%s: confidence %d", s.Payer, s.Confidence)
				}
				projected += s.ProjectedAnnual
			}
			if projected != in.ProjectedAnnualAmount {
				t.Errorf("projected annual total %s, streams sum to %s", in.ProjectedAnnualAmount, projected)
			}
		})
	}
}

// TestAssetsRecomputed checks the balances and averages of voa reports
// against the aggregated accounts.
func TestAssetsRecomputed(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		t.Run(login, func(t *testing.T) {
			r, _, data := buildBank(t, login, "voa", nil)
			as := r.Banking.Assets
			if len(as.Accounts) != len(data.BankAccounts) || len(r.Banking.BankAccounts) != len(data.BankAccounts) {
				t.Fatalf("%d accounts in the report, %d aggregated", len(as.Accounts), len(data.BankAccounts))
			}
			var current, available, average value.Money
			for i, ba := range data.BankAccounts {
				aa := as.Accounts[i]
				var sum int64
				low := ba.BalanceHistory[0].Current
				for _, d := range ba.BalanceHistory {
					sum += int64(d.Current)
					low = min(low, d.Current)
				}
				avg := value.Money((sum + int64(len(ba.BalanceHistory))/2) / int64(len(ba.BalanceHistory)))
				if aa.CurrentBalance != ba.Balances.Current || aa.AvailableBalance != ba.Balances.Available || aa.AverageBalance != avg ||
					aa.MinimumBalance != low || aa.Days != len(ba.BalanceHistory) || aa.From != ba.BalanceHistory[0].Date {
					t.Errorf("account %s: %+v; want balances %+v, average %s, minimum %s over %d days", ba.Name, aa, ba.Balances, avg, low, len(ba.BalanceHistory))
				}
				if r.Banking.BankAccounts[i].Name != ba.Name || r.Banking.BankAccounts[i].Owners[0] != ba.Owners[0] {
					t.Errorf("bank account %d: %+v", i, r.Banking.BankAccounts[i])
				}
				current += ba.Balances.Current
				available += ba.Balances.Available
				average += avg
			}
			if as.CurrentBalance != current || as.AvailableBalance != available || as.AverageBalance != average {
				t.Errorf("totals %s/%s/%s, accounts sum to %s/%s/%s", as.CurrentBalance, as.AvailableBalance, as.AverageBalance, current, available, average)
			}
			nsf := 0
			for _, tx := range data.Transactions {
				if tx.Category == datasource.TxNSF {
					nsf++
				}
			}
			if len(as.NSFEvents) != nsf || (login == "test_3" && nsf != 2) {
				t.Errorf("%d NSF events, %d NSF fees aggregated", len(as.NSFEvents), nsf)
			}
		})
	}
}

func TestLargeDeposits(t *testing.T) {
	base, _ := banksandbox.DataFor("test_1", institution, nil, asOf)
	checking := base.BankAccounts[0].ID
	extra := []datasource.Transaction{
		{ID: "extra-gift", AccountID: checking, PostedDate: asOf.AddDate(0, 0, -20), Amount: 900000, Currency: "USD",
			Description: "WIRE IN FROM A RELATIVE"},
		{ID: "extra-transfer", AccountID: checking, PostedDate: asOf.AddDate(0, 0, -15), Amount: 900000, Currency: "USD",
			Description: "ONLINE TRANSFER FROM BROKERAGE", Category: datasource.TxTransfer},
		{ID: "extra-old", AccountID: checking, PostedDate: asOf.AddDate(-1, 0, 0), Amount: 800000, Currency: "USD",
			Description: "CASH DEPOSIT", Category: datasource.TxIncomeOther},
	}
	r, src, _ := buildBank(t, "test_1", "voa", nil, extra...)
	as := r.Banking.Assets
	if want := max(report.LargeDepositFloor, (as.AverageMonthlyIncome+1)/2); as.LargeDepositThreshold != want {
		t.Errorf("threshold %s, want half of %s", as.LargeDepositThreshold, as.AverageMonthlyIncome)
	}
	// Recompute the average monthly income from the streams of the period.
	var all []datasource.Transaction
	for _, tx := range recordIDs(src) {
		all = append(all, tx)
	}
	var total value.Money
	for _, s := range income.Detect(all, income.Options{From: as.From, AsOf: as.Through}) {
		total += s.Total
	}
	days := int64(as.Through.Time().Sub(as.From.Time()).Hours()/24) + 1
	if want := value.Money((int64(total)*1461 + days*24) / (days * 48)); as.AverageMonthlyIncome != want {
		t.Errorf("average monthly income %s, want %s", as.AverageMonthlyIncome, want)
	}
	descs := map[string]bool{}
	for _, ld := range as.LargeDeposits {
		descs[ld.Description] = true
		if ld.Amount <= as.LargeDepositThreshold {
			t.Errorf("large deposit %+v is not above the threshold %s", ld, as.LargeDepositThreshold)
		}
	}
	if !descs["WIRE IN FROM A RELATIVE"] || !descs["CASH DEPOSIT"] || descs["ONLINE TRANSFER FROM BROKERAGE"] {
		t.Errorf("large deposits %v: want the wire and the cash deposit, not the transfer", descs)
	}
	// from_date leaves the old one out.
	r, _, _ = buildBank(t, "test_1", "voa", map[string]any{"from_date": asOf.AddDate(0, -6, 0).String() + "T00:00:00Z"}, extra...)
	for _, ld := range r.Banking.Assets.LargeDeposits {
		if ld.Description == "CASH DEPOSIT" {
			t.Error("a deposit before from_date is listed")
		}
	}
}

func TestBankAccountsFilter(t *testing.T) {
	src, data := bankSource(t, "test_3")
	savings, checking := src.BankAccounts[0], src.BankAccounts[0]
	for _, rec := range src.BankAccounts {
		var ba datasource.BankAccount
		json.Unmarshal(rec.Data, &ba)
		switch ba.Name {
		case "Savings":
			savings = rec
		case "Free Checking":
			checking = rec
		}
	}
	if len(data.BankAccounts) != 3 {
		t.Fatalf("test_3 has %d bank accounts", len(data.BankAccounts))
	}
	for _, c := range []struct {
		name string
		ids  []string
		want []string
	}{
		{"record id", []string{savings.ID}, []string{savings.ID}},
		{"bank's id", []string{checking.SourceID}, []string{checking.ID}},
		{"two, one unknown", []string{checking.ID, savings.ID, "01970000-0000-7000-8000-0000000000ff"}, []string{checking.ID, savings.ID}},
		{"unknown only", []string{"nope"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, typ := range bankTypes {
				r, err := report.BuildBanking(reportID, genAt, bankVerification(typ, map[string]any{"bank_accounts": c.ids}), []report.BankSource{src})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, ba := range r.Banking.BankAccounts {
					got = append(got, ba.ID)
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(c.want))
				if !slices.Equal(got, want) {
					t.Fatalf("%s: bank accounts %v, want %v", typ, got, want)
				}
				if !slices.Equal(r.Banking.Configuration.BankAccounts, c.ids) {
					t.Errorf("%s: configuration echoes %v", typ, r.Banking.Configuration.BankAccounts)
				}
				if as := r.Banking.Assets; as != nil {
					for _, aa := range as.Accounts {
						if !slices.Contains(want, aa.BankAccount) {
							t.Errorf("%s: assets of %s", typ, aa.BankAccount)
						}
					}
					for _, e := range as.NSFEvents {
						if !slices.Contains(want, e.BankAccount) {
							t.Errorf("%s: NSF event of %s", typ, e.BankAccount)
						}
					}
					if c.name == "record id" && len(as.NSFEvents) != 0 {
						t.Errorf("savings has NSF events %v", as.NSFEvents)
					}
				}
				if in := r.Banking.Income; in != nil {
					for _, s := range in.Streams {
						for _, tx := range s.Transactions {
							if !slices.Contains(want, tx.BankAccount) {
								t.Errorf("%s: stream %s has a deposit in %s", typ, s.Payer, tx.BankAccount)
							}
						}
					}
					// Joe is paid into his checking account only.
					if c.name == "record id" && len(in.Streams) != 0 {
						t.Errorf("%s: savings-only report has streams %v", typ, in.Streams)
					}
					if c.name == "bank's id" && len(in.Streams) != 2 {
						t.Errorf("%s: checking-only report has %d streams, want 2", typ, len(in.Streams))
					}
				}
			}
		})
	}
}

func TestFromDates(t *testing.T) {
	from := asOf.AddDate(0, -6, 0)
	iso := from.String() + "T00:00:00Z"
	incomeFrom := asOf.AddDate(0, -3, 0)

	// voa: from_date bounds the balances' days, activity and events.
	all, _, _ := buildBank(t, "test_3", "voa", nil)
	r, _, data := buildBank(t, "test_3", "voa", map[string]any{"from_date": iso})
	as := r.Banking.Assets
	if as.From != from || as.Through != asOf {
		t.Errorf("assets period %s to %s, want %s to %s", as.From, as.Through, from, asOf)
	}
	for i, aa := range as.Accounts {
		days := daysFrom(from, asOf)
		var sum int64
		for _, d := range data.BankAccounts[i].BalanceHistory {
			if !d.Date.Before(from) {
				sum += int64(d.Current)
			}
		}
		if aa.Days != days || aa.From != from || aa.AverageBalance != value.Money((sum+int64(days)/2)/int64(days)) {
			t.Errorf("account %d: %d days from %s, average %s; want %d days", i, aa.Days, aa.From, aa.AverageBalance, days)
		}
		if aa.Transactions >= all.Banking.Assets.Accounts[i].Transactions {
			t.Errorf("account %d: %d transactions in six months, %d in all", i, aa.Transactions, all.Banking.Assets.Accounts[i].Transactions)
		}
		if aa.CurrentBalance != all.Banking.Assets.Accounts[i].CurrentBalance {
			t.Errorf("current balance changed with from_date")
		}
	}
	for _, e := range as.NSFEvents {
		if e.PostedDate.Before(from) {
			t.Errorf("NSF event of %s before from_date", e.PostedDate)
		}
	}
	if len(as.NSFEvents) >= len(all.Banking.Assets.NSFEvents) {
		t.Errorf("%d NSF events in six months, %d in all: the first one is older", len(as.NSFEvents), len(all.Banking.Assets.NSFEvents))
	}
	// An instant after midnight starts the next day.
	r, _, _ = buildBank(t, "test_3", "voa", map[string]any{"from_date": from.String() + "T08:30:00Z"})
	if got := r.Banking.Assets.From; got != from.AddDate(0, 0, 1) {
		t.Errorf("from_date at 08:30 starts the period on %s", got)
	}
	// A from_date before the history starts the period where the history does.
	r, _, _ = buildBank(t, "test_3", "voa", map[string]any{"from_date": "2001-01-01T00:00:00Z"})
	if got := r.Banking.Assets.From; got != all.Banking.Assets.From {
		t.Errorf("from_date 2001 starts the period on %s, the history on %s", got, all.Banking.Assets.From)
	}

	streamsFrom := func(in *report.BankIncome, bound value.Date) {
		t.Helper()
		if in.From != bound {
			t.Errorf("income from %s, want %s", in.From, bound)
		}
		for _, s := range in.Streams {
			if s.FirstDate.Before(bound) {
				t.Errorf("stream %s starts %s, before %s", s.Payer, s.FirstDate, bound)
			}
		}
	}
	// voi: from_date bounds the income history.
	r, _, _ = buildBank(t, "test_3", "voi", map[string]any{"from_date": iso})
	streamsFrom(r.Banking.Income, from)
	for _, s := range r.Banking.Income.Streams {
		if s.Payer == "Müller Logistics" {
			t.Errorf("voi from %s lists Joe's job that ended ten months ago", from)
		}
	}
	// voai: from_date bounds the assets only, income_from_date the income.
	r, _, _ = buildBank(t, "test_3", "voai", map[string]any{"from_date": iso})
	if r.Banking.Assets.From != from {
		t.Errorf("voai assets from %s", r.Banking.Assets.From)
	}
	if in := r.Banking.Income; in.From != data.Transactions[0].PostedDate || len(in.Streams) != 2 {
		t.Errorf("voai with from_date only: income from %s with %d streams; want the whole history", in.From, len(in.Streams))
	}
	r, _, _ = buildBank(t, "test_3", "voai", map[string]any{"from_date": iso, "income_from_date": incomeFrom.String() + "T00:00:00Z"})
	streamsFrom(r.Banking.Income, incomeFrom)
	if r.Banking.Assets.From != from {
		t.Errorf("voai assets from %s with income_from_date", r.Banking.Assets.From)
	}
	// income_from_date does not apply to voi.
	r, _, _ = buildBank(t, "test_3", "voi", map[string]any{"income_from_date": incomeFrom.String() + "T00:00:00Z"})
	if r.Banking.Income.From != data.Transactions[0].PostedDate {
		t.Errorf("voi honours income_from_date: from %s", r.Banking.Income.From)
	}
	// voe-transactions: from_date bounds the deposits considered.
	r, _, _ = buildBank(t, "test_3", "voe-transactions", nil)
	emps := r.Banking.Employment.Employers
	if len(emps) != 2 || emps[0].Name != "Whole Goods" || !emps[0].Active || emps[1].Name != "Müller Logistics" || emps[1].Active ||
		!emps[1].LastDeposit.Before(emps[0].FirstDeposit) {
		t.Errorf("Joe's employers from transactions: %+v", emps)
	}
	r, _, _ = buildBank(t, "test_3", "voe-transactions", map[string]any{"from_date": iso})
	if emps := r.Banking.Employment.Employers; len(emps) != 1 || emps[0].Name != "Whole Goods" || emps[0].FirstDeposit.Before(from) {
		t.Errorf("employers since %s: %+v", from, emps)
	}
}

func daysFrom(a, b value.Date) int { return int(b.Time().Sub(a.Time()).Hours()/24) + 1 }

func TestConfidenceMinimum(t *testing.T) {
	none, _, _ := buildBank(t, "test_1", "voi", nil)
	if len(none.Banking.Income.Streams) != 2 || none.Banking.Income.ConfidenceMinimum != 0 {
		t.Fatalf("test_1 streams without a minimum: %+v", none.Banking.Income)
	}
	prev := -1
	for _, c := range []struct{ min, want int }{{0, 2}, {50, 1}, {100, 0}} {
		for _, typ := range []string{"voi", "voai"} {
			r, _, _ := buildBank(t, "test_1", typ, map[string]any{"income_stream_confidence_minimum": c.min})
			in := r.Banking.Income
			if len(in.Streams) != c.want || in.ConfidenceMinimum != c.min {
				t.Errorf("%s minimum %d: %d streams, want %d", typ, c.min, len(in.Streams), c.want)
			}
			for _, s := range in.Streams {
				if s.Confidence < c.min {
					t.Errorf("%s minimum %d lists %s at %d", typ, c.min, s.Payer, s.Confidence)
				}
			}
			if c.min == 50 && (len(in.Streams) != 1 || in.Streams[0].Payer != "Whole Goods") {
				t.Errorf("minimum 50 keeps %+v; want the salary, not the gig payouts", in.Streams)
			}
			if c.min == 0 {
				a, _ := report.JSON(none)
				b, _ := report.JSON(r)
				if typ == "voi" && !bytes.Equal(stripConfig(a), stripConfig(b)) {
					t.Error("minimum 0 differs from no minimum")
				}
			}
		}
		if prev >= 0 && c.want > prev {
			t.Errorf("a higher minimum keeps more streams")
		}
		prev = c.want
	}
	// The minimum does not apply to voa's threshold nor to voe-transactions.
	a, _, _ := buildBank(t, "test_1", "voa", nil)
	b, _, _ := buildBank(t, "test_1", "voa", map[string]any{"income_stream_confidence_minimum": 100})
	if a.Banking.Assets.LargeDepositThreshold != b.Banking.Assets.LargeDepositThreshold {
		t.Error("the confidence minimum changes the large-deposit threshold")
	}
}

// stripConfig drops the configuration echo from a report's JSON.
func stripConfig(b []byte) []byte {
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m["banking"].(map[string]any), "configuration")
	out, _ := json.Marshal(m)
	return out
}

func TestBankingPDF(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		for _, typ := range bankTypes {
			t.Run(login+"_"+typ, func(t *testing.T) {
				r, src, data := buildBank(t, login, typ, goldenConfig)
				b, err := report.PDF(r)
				if err != nil {
					t.Fatal(err)
				}
				doc, err := pdftest.Read(b)
				if err != nil {
					t.Fatal(err)
				}
				text := doc.Text()
				want := []string{reportID, report.Title(typ), "Branch: Harbor 7", src.InstitutionName, data.Identity.FullName}
				for _, ba := range data.BankAccounts {
					want = append(want, ba.Name, "…"+ba.Last4)
					if r.Banking.Assets != nil {
						want = append(want, report.FormatMoney(ba.Balances.Current), report.FormatMoney(ba.Balances.Available))
					}
				}
				if as := r.Banking.Assets; as != nil {
					want = append(want, report.FormatMoney(as.AverageBalance), report.FormatMoney(as.LargeDepositThreshold))
					for _, e := range as.NSFEvents {
						want = append(want, e.PostedDate.String())
					}
				}
				if in := r.Banking.Income; in != nil {
					// Deposits are net pay, and say so.
					want = append(want, "Income streams (net deposits)", "Projected annual income (net)")
					if in.Basis != report.AmountsNet {
						t.Errorf("income basis %q", in.Basis)
					}
					want = append(want, report.FormatMoney(in.ProjectedAnnualAmount))
					for _, s := range in.Streams {
						want = append(want, s.Payer, report.FormatMoney(s.AverageAmount))
					}
				}
				if e := r.Banking.Employment; e != nil {
					for _, x := range e.Employers {
						want = append(want, x.Name, x.FirstDeposit.String(), x.LastDeposit.String())
					}
				}
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("PDF text lacks %q", w)
					}
				}
				// The bank returns no SSN: the JSON says null, the PDF a dash, never "".
				js, _ := report.JSON(r)
				if r.Identity.SSN != nil || !strings.Contains(string(js), `"ssn": null`) || strings.Contains(string(js), `"ssn": ""`) {
					t.Errorf("identity ssn %v", r.Identity.SSN)
				}
				if strings.Contains(text, "Q-88") {
					t.Error("PDF shows a custom field that is not shown")
				}
				for i, p := range doc.Pages {
					if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(doc.Pages))) || !strings.Contains(p, reportID) {
						t.Errorf("page %d lacks its header or footer", i+1)
					}
				}
			})
		}
	}
}

// BenchmarkGenerateBanking builds and renders (JSON and PDF) a voai report
// for test_3: three accounts, 24 months of transactions (about a thousand)
// and daily balances.
func BenchmarkGenerateBanking(b *testing.B) {
	src, data := bankSource(b, "test_3")
	v := bankVerification("voai", nil)
	sources := []report.BankSource{src}
	b.Logf("%d accounts, %d transactions", len(data.BankAccounts), len(data.Transactions))
	benchmarkReport(b, func() (*report.Report, error) { return report.BuildBanking(reportID, genAt, v, sources) })
}
