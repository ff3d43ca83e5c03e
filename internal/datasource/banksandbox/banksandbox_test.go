package banksandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

var now = time.Date(2025, time.November, 25, 15, 4, 5, 0, time.UTC)

func newTest() *Connector {
	c := New()
	c.Now = func() time.Time { return now }
	c.SlowDelay = 50 * time.Millisecond
	return c
}

// asOfDates include month ends, weekends, a leap day and early January.
var asOfDates = []value.Date{
	value.NewDate(2025, 11, 25), value.NewDate(2026, 1, 3), value.NewDate(2028, 2, 29),
	value.NewDate(2027, 6, 30), value.NewDate(2025, 3, 1),
}

var someInstitutions = []string{"ins_000000001", "ins_000000005", "ins_000000010", "ins_000000023"}

func forEachData(t *testing.T, f func(t *testing.T, login, inst string, asOf value.Date, d datasource.Data)) {
	for _, u := range sandboxdata.SampleUsers() {
		for _, inst := range someInstitutions {
			for _, asOf := range asOfDates {
				d, err := DataFor(u.Username, inst, nil, asOf)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(fmt.Sprintf("%s/%s/%s", u.Username, inst, asOf), func(t *testing.T) { f(t, u.Username, inst, asOf, d) })
			}
		}
	}
}

func TestCatalog(t *testing.T) {
	c := New()
	all := c.Catalog().Search("", 0, nil)
	if len(all) < 20 || c.Institutions().Len() != len(all) {
		t.Fatalf("catalog has %d items, %d institutions; want at least 20", len(all), c.Institutions().Len())
	}
	seen := map[string]bool{}
	for i, it := range all {
		if want := fmt.Sprintf("ins_%09d", i+1); it.ID != want {
			t.Errorf("item %d has id %q, want %q", i, it.ID, want)
		}
		if seen[it.ID] || seen[it.Name] {
			t.Errorf("duplicate id or name %q %q", it.ID, it.Name)
		}
		seen[it.ID], seen[it.Name] = true, true
		if it.Kind != datasource.KindBank || it.MappingStatus != datasource.MappingVerified {
			t.Errorf("%s: kind %q mapping %q", it.ID, it.Kind, it.MappingStatus)
		}
		in, ok := c.Institutions().Get(it.ID)
		if !ok || in.Name != it.Name || in.InstitutionDetails == nil || in.Status == "" || in.Address.City == "" || !in.VOA {
			t.Errorf("Get(%q) = %+v, %v", it.ID, in, ok)
		}
		wantStatus := map[string]string{datasource.InstitutionOnline: datasource.StatusHealthy,
			datasource.InstitutionDegraded: datasource.StatusIssues, datasource.InstitutionOffline: datasource.StatusUnavailable}[in.Status]
		if it.Status != wantStatus {
			t.Errorf("%s: item status %q for institution status %q", it.ID, it.Status, in.Status)
		}
	}
	off, _ := c.Catalog().Get("ins_000000024")
	if off.Status != datasource.StatusUnavailable || off.StatusDetails == "" {
		t.Errorf("offline institution item = %+v", off)
	}
}

func TestCatalogSearch(t *testing.T) {
	cat := Institutions()
	names := func(ins []datasource.Institution) string {
		s := make([]string, len(ins))
		for i, in := range ins {
			s[i] = in.Name
			if in.InstitutionDetails != nil {
				t.Errorf("search result %s has details", in.Name)
			}
		}
		return strings.Join(s, "|")
	}
	for _, tc := range []struct{ q, typ, want string }{
		{"rio", "", "Banco Río Azul"},
		{"BANCO RÍO", "", "Banco Río Azul"},
		{"emilie", "", "Caisse Populaire Sainte-Émilie"},
		{"cooperative", "", "Coöperative Farmers Credit Union"},
		{"credit", "", "Crédit Acadien Bank|Coöperative Farmers Credit Union|Front Range Federal Credit Union|" +
			"Granite Peak Credit Union|Mesa Verde Credit Union|Northstar Teachers Credit Union|Redwood Federal Credit Union"},
		{"savings", "", "Crescent City Savings Bank|Lakeshore Federal Savings|Old Mill Savings & Loan"},
		{"savings", datasource.ReportVOI, "Crescent City Savings Bank|Old Mill Savings & Loan"},
		{"savings", datasource.ReportVOA, "Crescent City Savings Bank|Lakeshore Federal Savings|Old Mill Savings & Loan"},
		{"savings", "bogus", ""},
		{"trust", "", "Ironwood Trust Company|Magnolia Trust Bank|Prairie State Bank & Trust"},
		{"ank", "", ""},
	} {
		if got := names(cat.Search(tc.q, 0, nil, tc.typ)); got != tc.want {
			t.Errorf("Search(%q, %q) = %q, want %q", tc.q, tc.typ, got, tc.want)
		}
	}
	if got := names(cat.Search("", 3, nil, "")); got != "Harborview National Bank|Prairie State Bank & Trust|Redwood Federal Credit Union" {
		t.Errorf("empty search = %q", got)
	}
	if got := names(cat.Search("", 0, []string{"ins_000000012", "ins_000000001"}, datasource.ReportVOI)); got != "Harborview National Bank" {
		t.Errorf("only+type search = %q", got)
	}
	if got := len(cat.Search("", 0, nil, datasource.ReportVOI)); got != cat.Len()-2 {
		t.Errorf("voi institutions = %d, want %d", got, cat.Len()-2)
	}
	// Items search like payroll items.
	res := New().Catalog().Search("harborview national bank", 0, nil)
	if len(res) != 1 || res[0].MatchingScore != "1.00" {
		t.Errorf("item search = %+v", res)
	}
}

func TestInstitutionJSON(t *testing.T) {
	in, _ := Institutions().Get("ins_000000001")
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "rssd", "name", "trans_agg", "ach", "state_agg", "voi", "voa", "aha", "avail_balance",
		"account_owner", "student_loan_data", "loan_payment_details", "child_institutions", "account_type_description",
		"phone", "url_home_app", "url_logon_app", "oauth_enabled", "url_forgot_password", "url_online_registration",
		"special_text", "time_zone", "special_instructions", "special_instutions_title", "address", "currency", "email",
		"status", "new_institution", "branding", "oauth_institution", "class"} {
		if _, ok := m[k]; !ok {
			t.Errorf("institution JSON lacks %q: %s", k, b)
		}
	}
	list := Institutions().Search("harborview", 1, nil, "")
	b, _ = json.Marshal(list[0])
	if strings.Contains(string(b), "branding") || !strings.Contains(string(b), `"child_institutions":[]`) {
		t.Errorf("list JSON = %s", b)
	}
}

func TestDeterminism(t *testing.T) {
	for _, u := range sandboxdata.SampleUsers() {
		for _, asOf := range asOfDates {
			a, err := DataFor(u.Username, "ins_000000003", nil, asOf)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := DataFor(strings.ToUpper(u.Email), "ins_000000003", nil, asOf)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s %s: data differs between calls", u.Username, asOf)
			}
			other, _ := DataFor(u.Username, "ins_000000004", nil, asOf)
			if reflect.DeepEqual(a.Transactions, other.Transactions) || a.BankAccounts[0].ID == other.BankAccounts[0].ID {
				t.Errorf("%s: two institutions gave the same data", u.Username)
			}
			if !reflect.DeepEqual(payrollDeposits(a), payrollDeposits(other)) {
				t.Errorf("%s: payroll deposits differ between institutions", u.Username)
			}
		}
	}
}

func payrollDeposits(d datasource.Data) []string {
	var out []string
	for _, t := range d.Transactions {
		if t.Category == datasource.TxPayroll {
			out = append(out, fmt.Sprintf("%s %s %s", t.PostedDate, t.Amount, t.Counterparty))
		}
	}
	return out
}

func TestAccounts(t *testing.T) {
	want := map[string][]string{
		"test_1": {"checking", "savings"},
		"test_2": {"checking"},
		"test_3": {"checking", "checking", "savings"},
	}
	forEachData(t, func(t *testing.T, login, inst string, asOf value.Date, d datasource.Data) {
		var types []string
		ids, last4 := map[string]bool{}, map[string]bool{}
		for i, a := range d.BankAccounts {
			types = append(types, a.Type)
			if ids[a.ID] || last4[a.Last4] || len(a.ID) != 10 || len(a.Last4) != 4 {
				t.Errorf("account %d id %q last4 %q", i, a.ID, a.Last4)
			}
			ids[a.ID], last4[a.Last4] = true, true
			if a.DisplayPosition != i+1 || a.InstitutionID != inst || a.Currency != "USD" || a.Name == "" ||
				!strings.HasSuffix(a.OfficialName, a.Name) || len(a.Owners) == 0 || a.Owners[0] != d.Identity.FullName ||
				a.BalanceDate != asOf || a.MarketSegment != "personal" {
				t.Errorf("account %+v", a)
			}
		}
		if !slices.Equal(types, want[login]) {
			t.Errorf("account types %v, want %v", types, want[login])
		}
		if login == "test_2" && !slices.Equal(d.BankAccounts[0].Owners, []string{"Sarah Longfield", "Daniel Longfield"}) {
			t.Errorf("Sarah's owners = %v", d.BankAccounts[0].Owners)
		}
	})
}

func TestTransactionsAndBalances(t *testing.T) {
	forEachData(t, func(t *testing.T, login, inst string, asOf value.Date, d datasource.Data) {
		start := asOf.AddDate(0, -Months, 0)
		accounts := map[string]*datasource.BankAccount{}
		for i := range d.BankAccounts {
			accounts[d.BankAccounts[i].ID] = &d.BankAccounts[i]
		}
		ids := map[string]bool{}
		posted := map[string]map[value.Date]value.Money{}
		pendingDebits := map[string]value.Money{}
		var prev value.Date
		for _, tx := range d.Transactions {
			if ids[tx.ID] || tx.ID == "" {
				t.Fatalf("duplicate transaction id %q", tx.ID)
			}
			ids[tx.ID] = true
			a := accounts[tx.AccountID]
			if a == nil {
				t.Fatalf("transaction %s in unknown account %s", tx.ID, tx.AccountID)
			}
			if !tx.PostedDate.After(start) || tx.PostedDate.After(asOf) || tx.PostedDate.Before(prev) {
				t.Fatalf("transaction %s dated %s: out of window (%s, %s] or order", tx.ID, tx.PostedDate, start, asOf)
			}
			prev = tx.PostedDate
			if tx.Amount == 0 || tx.Description == "" || tx.Currency != "USD" {
				t.Errorf("incomplete transaction %+v", tx)
			}
			switch tx.Category {
			case datasource.TxPayroll, datasource.TxIncomeOther, datasource.TxInterest, datasource.TxRefund:
				if tx.Amount < 0 {
					t.Errorf("%s transaction with negative amount %+v", tx.Category, tx)
				}
			case datasource.TxSpending, datasource.TxFee, datasource.TxNSF:
				if tx.Amount > 0 {
					t.Errorf("%s transaction with positive amount %+v", tx.Category, tx)
				}
			case datasource.TxTransfer:
			default:
				t.Errorf("unknown category %+v", tx)
			}
			if tx.Pending {
				if tx.Amount > 0 || tx.PostedDate.Before(asOf.AddDate(0, 0, -1)) || tx.Category != datasource.TxSpending {
					t.Errorf("unexpected pending transaction %+v", tx)
				}
				pendingDebits[tx.AccountID] += tx.Amount
				continue
			}
			if posted[tx.AccountID] == nil {
				posted[tx.AccountID] = map[value.Date]value.Money{}
			}
			posted[tx.AccountID][tx.PostedDate] += tx.Amount
		}
		for _, a := range d.BankAccounts {
			h := a.BalanceHistory
			if len(h) != int(asOf.Time().Sub(start.Time()).Hours()/24) || h[0].Date != start.AddDate(0, 0, 1) || h[len(h)-1].Date != asOf {
				t.Fatalf("%s: history of %d days from %s to %s", a.Name, len(h), h[0].Date, h[len(h)-1].Date)
			}
			for k := 1; k < len(h); k++ {
				if h[k].Date != h[k-1].Date.AddDate(0, 0, 1) {
					t.Fatalf("%s: history skips from %s to %s", a.Name, h[k-1].Date, h[k].Date)
				}
				if got := h[k].Current - h[k-1].Current; got != posted[a.ID][h[k].Date] {
					t.Fatalf("%s on %s: balance moved %s, posted transactions sum to %s", a.Name, h[k].Date, got, posted[a.ID][h[k].Date])
				}
			}
			last := h[len(h)-1]
			if a.Balances.Current != last.Current || a.Balances.Available != last.Available {
				t.Errorf("%s: balances %+v, last history %+v", a.Name, a.Balances, last)
			}
			if a.Balances.Available != a.Balances.Current+pendingDebits[a.ID] {
				t.Errorf("%s: available %s, current %s, pending debits %s", a.Name, a.Balances.Available, a.Balances.Current, pendingDebits[a.ID])
			}
			if a.OldestTransactionDate.IsZero() || a.LastTransactionDate.Before(a.OldestTransactionDate) {
				t.Errorf("%s: transaction dates %s..%s", a.Name, a.OldestTransactionDate, a.LastTransactionDate)
			}
			if login != "test_3" && last.Current <= 0 {
				t.Errorf("%s: current balance %s", a.Name, last.Current)
			}
		}
	})
}

func TestOwnTransfersMirror(t *testing.T) {
	forEachData(t, func(t *testing.T, login, inst string, asOf value.Date, d datasource.Data) {
		byLast4 := map[string]string{}
		for _, a := range d.BankAccounts {
			byLast4[a.Last4] = a.ID
		}
		type key struct {
			account string
			date    value.Date
			amount  value.Money
		}
		have := map[key]int{}
		for _, tx := range d.Transactions {
			have[key{tx.AccountID, tx.PostedDate, tx.Amount}]++
		}
		n := 0
		for _, tx := range d.Transactions {
			if tx.Category != datasource.TxTransfer {
				continue
			}
			i := strings.Index(tx.Description, "…")
			other := byLast4[tx.Description[i+len("…"):][:4]]
			if other == "" {
				continue // an account at another institution
			}
			n++
			if have[key{other, tx.PostedDate, -tx.Amount}] == 0 {
				t.Errorf("transfer %+v has no mirror in %s", tx, other)
			}
		}
		if (login == "test_2") != (n == 0) {
			t.Errorf("%d own-account transfers", n)
		}
	})
}

func TestPayrollDepositsMatchPayrollSandbox(t *testing.T) {
	forEachData(t, func(t *testing.T, login, inst string, asOf value.Date, d datasource.Data) {
		var want []string
		stubs := func(item string, from, to value.Date) {
			pd, err := sandboxdata.Payroll(login, item, asOf)
			if err != nil {
				t.Fatal(err)
			}
			for _, ps := range pd.Paystubs {
				if ps.Employment == pd.Employments[0].ID && !ps.PaystubDate.Before(from) && !ps.PaystubDate.After(to) {
					want = append(want, fmt.Sprintf("%s %s %s", ps.PaystubDate, ps.NetPay, ps.Employer))
				}
			}
		}
		if login == "test_3" {
			stubs(OldPayrollItem, asOf.AddDate(-3, 0, 0), asOf.AddDate(0, -10, 0))
			last := want[len(want)-1]
			lastOld, _ := value.ParseDate(last[:10])
			stubs(PayrollItem, lastOld.AddDate(0, 0, 14), asOf)
		} else {
			stubs(PayrollItem, asOf.AddDate(-3, 0, 0), asOf)
		}
		got := payrollDeposits(d)
		if !slices.Equal(got, want) {
			t.Fatalf("payroll deposits\n got %d: %v\nwant %d: %v", len(got), got, len(want), want)
		}
		checking := d.BankAccounts[0].ID
		for _, tx := range d.Transactions {
			if tx.Category == datasource.TxPayroll && (tx.AccountID != checking || !strings.Contains(tx.Description, "PAYROLL")) {
				t.Errorf("payroll deposit %+v", tx)
			}
		}
	})
}

func TestIncomeAndNSFScenarios(t *testing.T) {
	forEachData(t, func(t *testing.T, login, inst string, asOf value.Date, d datasource.Data) {
		other := map[string]int{}
		nsf := 0
		for _, tx := range d.Transactions {
			if tx.Category == datasource.TxIncomeOther {
				other[tx.Counterparty]++
			}
			if tx.Category == datasource.TxNSF {
				nsf++
				// The balance was too low for the returned payment.
				for _, a := range d.BankAccounts {
					for _, h := range a.BalanceHistory {
						if a.ID == tx.AccountID && h.Date == tx.PostedDate.AddDate(0, 0, -1) && h.Current >= 14267 {
							t.Errorf("NSF on %s after a balance of %s", tx.PostedDate, h.Current)
						}
					}
				}
			}
		}
		switch login {
		case "test_1":
			if other["DashCrate Delivery"] < 30 || len(other) != 1 || nsf != 0 {
				t.Errorf("Bob: other income %v, %d NSF", other, nsf)
			}
		case "test_2":
			if other["Priya Raman"] < 23 || len(other) != 1 || nsf != 0 {
				t.Errorf("Sarah: other income %v, %d NSF", other, nsf)
			}
		case "test_3":
			if len(other) != 0 || nsf != 2 {
				t.Errorf("Joe: other income %v, %d NSF", other, nsf)
			}
		}
	})
}

func TestSharedAccounts(t *testing.T) {
	asOf := value.DateOf(now)
	all, err := DataFor("test_3", "ins_000000002", nil, asOf)
	if err != nil {
		t.Fatal(err)
	}
	savings := all.BankAccounts[2].ID
	some, err := DataFor("test_3", "ins_000000002", []string{savings, "9999999999"}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(some.BankAccounts) != 1 || some.BankAccounts[0].ID != savings || !reflect.DeepEqual(some.BankAccounts[0], all.BankAccounts[2]) {
		t.Fatalf("shared accounts = %+v", some.BankAccounts)
	}
	n := 0
	for _, tx := range all.Transactions {
		if tx.AccountID == savings {
			n++
		}
	}
	if len(some.Transactions) != n || n == 0 {
		t.Fatalf("%d transactions, want %d", len(some.Transactions), n)
	}
	for _, tx := range some.Transactions {
		if tx.AccountID != savings {
			t.Fatalf("transaction of unshared account %+v", tx)
		}
	}
	if _, err := DataFor("test_3", "ins_000000002", []string{"9999999999"}, asOf); !errors.Is(err, datasource.ErrUnknownAccount) {
		t.Fatalf("unknown shared account: %v", err)
	}
	if _, err := DataFor("nobody", "ins_000000002", nil, asOf); !errors.Is(err, datasource.ErrInvalidCredentials) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := DataFor("test_1", "ins_999", nil, asOf); !errors.Is(err, datasource.ErrUnknownItem) {
		t.Fatalf("unknown institution: %v", err)
	}
}

func TestSignInAndAggregate(t *testing.T) {
	ctx := context.Background()
	c := newTest()
	wantTypes := map[string]string{"test_1": "checking,savings", "test_2": "checking", "test_3": "checking,checking,savings"}
	for _, u := range sandboxdata.SampleUsers() {
		res, err := c.SignIn(ctx, "ins_000000005", datasource.Credentials{Username: " " + u.Email + " ", Password: sandboxdata.PasswordGood})
		if err != nil || res.Challenge == nil || res.Connection != nil {
			t.Fatalf("%s: SignIn = %+v, %v", u.Username, res, err)
		}
		ch := *res.Challenge
		if ch.ItemID != "ins_000000005" || ch.Prompt == "" || ch.CodeLength != 4 {
			t.Errorf("challenge %+v", ch)
		}
		if _, err := c.Verify(ctx, ch, "0000"); !errors.Is(err, datasource.ErrInvalidCode) {
			t.Errorf("wrong code: %v", err)
		}
		conn, err := c.Verify(ctx, ch, " "+u.Code+" ")
		if err != nil {
			t.Fatal(err)
		}
		if conn.ItemID != "ins_000000005" || conn.Source != Source || len(conn.Shared) != 0 {
			t.Errorf("connection %+v", conn)
		}
		var types []string
		want, _ := AccountsFor(u.Username, "ins_000000005", value.DateOf(now))
		for _, a := range conn.Accounts {
			types = append(types, a.Type)
			if !strings.HasPrefix(a.Mask, "…") || len([]rune(a.Mask)) != 5 || a.Name == "" {
				t.Errorf("account choice %+v", a)
			}
		}
		if strings.Join(types, ",") != wantTypes[u.Username] || !reflect.DeepEqual(conn.Accounts, want) {
			t.Errorf("%s: accounts %+v, want %+v", u.Username, conn.Accounts, want)
		}
		// The connection survives JSON, as the web flow stores it.
		b, _ := json.Marshal(conn)
		var back datasource.Connection
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, conn) {
			t.Fatalf("connection JSON round trip: %s, %v", b, err)
		}
		d, err := c.Aggregate(ctx, back)
		if err != nil {
			t.Fatal(err)
		}
		full, _ := DataFor(u.Username, "ins_000000005", nil, value.DateOf(now))
		if !reflect.DeepEqual(d, full) {
			t.Errorf("%s: Aggregate differs from DataFor", u.Username)
		}
		for i, a := range d.BankAccounts {
			if conn.Accounts[i].CurrentBalance != a.Balances.Current || conn.Accounts[i].ID != a.ID {
				t.Errorf("choice %+v vs account %s %s", conn.Accounts[i], a.ID, a.Balances.Current)
			}
		}
		back.Shared = []string{conn.Accounts[0].ID}
		d, err = c.Aggregate(ctx, back)
		if err != nil || len(d.BankAccounts) != 1 || d.BankAccounts[0].ID != conn.Accounts[0].ID {
			t.Errorf("shared aggregate: %v, %+v", err, d.BankAccounts)
		}
		back.Shared = []string{"nope"}
		if _, err := c.Aggregate(ctx, back); !errors.Is(err, datasource.ErrUnknownAccount) {
			t.Errorf("unknown shared: %v", err)
		}
		if _, err := c.Aggregate(ctx, datasource.Connection{Ref: ch.Ref}); !errors.Is(err, datasource.ErrReauthRequired) {
			t.Errorf("challenge ref as connection: %v", err)
		}
	}
}

func TestSpecialPasswords(t *testing.T) {
	ctx := context.Background()
	c := newTest()
	signIn := func(inst, user, pw string) (datasource.SignInResult, error) {
		return c.SignIn(ctx, inst, datasource.Credentials{Username: user, Password: pw})
	}
	for pw, want := range map[string]error{
		sandboxdata.PasswordLocked:         datasource.ErrAccountLocked,
		sandboxdata.PasswordUnsupportedMFA: datasource.ErrUnsupportedMFA,
		sandboxdata.PasswordUnavailable:    datasource.ErrProviderUnavailable,
		"passbad":                          datasource.ErrInvalidCredentials,
		"PASSGOOD":                         datasource.ErrInvalidCredentials,
	} {
		if _, err := signIn("ins_000000001", "test_2", pw); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", pw, err, want)
		}
	}
	if _, err := signIn("ins_000000001", "test_9", sandboxdata.PasswordGood); !errors.Is(err, datasource.ErrInvalidCredentials) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := signIn("ins_000000024", "test_1", sandboxdata.PasswordGood); !errors.Is(err, datasource.ErrProviderUnavailable) {
		t.Errorf("offline institution: %v", err)
	}
	if _, err := signIn("ins_000000023", "test_1", sandboxdata.PasswordNoMFA); err != nil {
		t.Errorf("degraded institution: %v", err)
	}
	if _, err := signIn("item_000000001", "test_1", sandboxdata.PasswordGood); !errors.Is(err, datasource.ErrUnknownItem) {
		t.Errorf("payroll item id: %v", err)
	}

	res, err := signIn("ins_000000001", "test_1", sandboxdata.PasswordNoMFA)
	if err != nil || res.Connection == nil || len(res.Connection.Accounts) != 2 {
		t.Fatalf("no-MFA sign-in: %+v, %v", res, err)
	}

	res, err = signIn("ins_000000001", "test_3", sandboxdata.PasswordMFATimeout)
	if err != nil || res.Challenge == nil || res.Challenge.Kind != datasource.MFAAuthenticator {
		t.Fatalf("MFA timeout sign-in: %+v, %v", res, err)
	}
	if _, err := c.Verify(ctx, *res.Challenge, "8083"); !errors.Is(err, datasource.ErrMFATimeout) {
		t.Errorf("MFA timeout verify: %v", err)
	}

	res, _ = signIn("ins_000000001", "test_1", sandboxdata.PasswordGood)
	if ch := res.Challenge; ch.Kind != datasource.MFASMS || ch.Destination != "***-***-0181" {
		t.Errorf("Bob's challenge %+v", ch)
	}
	res, _ = signIn("ins_000000001", "test_2", sandboxdata.PasswordGood)
	if ch := res.Challenge; ch.Kind != datasource.MFAEmail || ch.Destination != "t***2@argyle.com" {
		t.Errorf("Sarah's challenge %+v", ch)
	}
	for _, ref := range []string{"", "sandbox:mfa:v1:test_1:item_000000001:normal", "banksandbox:mfa:v1:test_1:ins_000000001:weird",
		"banksandbox:mfa:v1:TEST_1:ins_000000001:normal", "banksandbox:mfa:v2:test_1:ins_000000001:normal"} {
		if _, err := c.Verify(ctx, datasource.Challenge{Ref: ref}, "8081"); !errors.Is(err, datasource.ErrReauthRequired) {
			t.Errorf("Verify(%q): %v", ref, err)
		}
	}

	// Slow connections wait, and honour cancellation.
	res, _ = signIn("ins_000000001", "test_2", sandboxdata.PasswordSlow)
	conn, err := c.Verify(ctx, *res.Challenge, "8082")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.Aggregate(ctx, conn); err != nil || time.Since(start) < c.SlowDelay {
		t.Errorf("slow aggregate: %v after %v", err, time.Since(start))
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	if _, err := c.Aggregate(cctx, conn); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled slow aggregate: %v", err)
	}
	if got := c.SignInHint(); !strings.Contains(got, "test_1") || !strings.Contains(got, "8081") {
		t.Errorf("hint %q", got)
	}
}

func TestDataJSON(t *testing.T) {
	d, _ := DataFor("test_2", "ins_000000001", nil, value.NewDate(2026, 1, 15))
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back datasource.Data
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, d) {
		t.Fatalf("data JSON round trip failed: %v", err)
	}
	for _, want := range []string{`"bank_accounts":[{"id":"`, `"transactions":[{"id":"`, `"balance_history":[{"date":"`,
		`"amount":"`, `"category":"payroll"`, `"real_account_number_last4":"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("data JSON lacks %s", want)
		}
	}
	payroll, _ := json.Marshal(datasource.Data{})
	if strings.Contains(string(payroll), "bank_accounts") || strings.Contains(string(payroll), "transactions") {
		t.Errorf("payroll data JSON has banking fields: %s", payroll)
	}
	conn, _ := json.Marshal(datasource.Connection{Ref: "x"})
	if strings.Contains(string(conn), "accounts") || strings.Contains(string(conn), "shared") {
		t.Errorf("payroll connection JSON has banking fields: %s", conn)
	}
}
