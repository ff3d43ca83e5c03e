package api_test

// Connected bank data (bank accounts, transactions) and banking reports,
// with the bank sandbox's data aggregated as the worker stores it.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/pdftest"
	"verigate/internal/store"
	"verigate/internal/value"
)

// catalogPath is the catalog contract, whose OpenBankingBankAccount the
// bank-accounts endpoints follow.
const catalogPath = "../../../shared/reference/catalog-v2-openapi.yaml"

var (
	catalogOnce sync.Once
	catalogDoc  *openapi3.T
	catalogErr  error
)

// verigateAdditionError validates the responses of verigate's bank data
// routes, which the partners contract does not have: bank accounts
// against the catalog contract's OpenBankingBankAccount; transactions
// (which no contract describes) are checked by the tests themselves.
// handled is false for every other route.
func verigateAdditionError(hr *http.Request, r resp) (handled bool, err error) {
	p := hr.URL.Path
	switch {
	case strings.HasPrefix(p, "/partners/v2/bank-transactions"):
		return true, nil
	case !strings.HasPrefix(p, "/partners/v2/bank-accounts"):
		return false, nil
	}
	catalogOnce.Do(func() {
		if _, err := os.Stat(catalogPath); err != nil {
			return
		}
		catalogDoc, catalogErr = openapi3.NewLoader().LoadFromFile(catalogPath)
	})
	if catalogErr != nil || catalogDoc == nil {
		return true, catalogErr
	}
	schema := catalogDoc.Components.Schemas["OpenBankingBankAccount"].Value
	opts := append(validationOptions.SchemaValidationOptions, openapi3.VisitAsResponse())
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return true, err
	}
	objects := []any{body}
	if p == "/partners/v2/bank-accounts" {
		objects, _ = body["results"].([]any)
		for _, f := range []string{"next", "previous"} {
			if v, ok := body[f]; !ok || (v != nil && !strings.HasPrefix(fmt.Sprint(v), "http")) {
				return true, fmt.Errorf("%s is %v", f, v)
			}
		}
	}
	for _, o := range objects {
		if err := schema.VisitJSON(o, opts...); err != nil {
			return true, err
		}
	}
	return true, nil
}

// bankAsOf is the date the bank sandbox data of these tests is generated as of.
var bankAsOf = value.NewDate(2025, time.May, 30)

// bankAccount stores a banking account of user connected to a bank sandbox
// login at an institution, sharing the given accounts (all when none),
// with its data aggregated as the worker does.
func (e *env) bankAccount(t testing.TB, k key, user, login, inst, verificationID string, shared ...string) (store.Account, datasource.Data) {
	t.Helper()
	ctx := context.Background()
	data, err := banksandbox.DataFor(login, inst, shared, bankAsOf)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().UTC().Truncate(time.Millisecond)
	if verificationID == "" {
		verificationID = store.NewID()
	}
	a := store.Account{
		ID: store.NewID(), PartnerID: k.Partner, Environment: k.Env, UserID: user, VerificationID: verificationID,
		DataSource: "banking", Item: inst, Source: banksandbox.Source, Employers: []string{}, ConnectionStatus: "connected",
		Aggregation: store.AggregationRunning, LeaseUntil: now.Add(time.Minute), CreatedAt: now, UpdatedAt: now,
	}
	if err := e.app.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Version = 1
	e.clock.Advance(3 * time.Second)
	now = e.clock.Now().UTC().Truncate(time.Millisecond)
	recs, err := aggregate.Records(a, data, now)
	if err != nil {
		t.Fatal(err)
	}
	a.Aggregation, a.ScannedAt, a.UpdatedAt, a.LeaseUntil = store.AggregationDone, &now, now, now
	if err := e.app.Store.FinishAggregation(ctx, a, recs); err != nil {
		t.Fatal(err)
	}
	a.Version++
	e.clock.Advance(time.Second)
	return a, data
}

// bankFixture is partner A's user with Bob's two accounts at one bank and
// Joe's savings account at another, A's second user with Sarah's account,
// and B's user with Bob's accounts.
type bankFixture struct {
	e                *env
	u1, u2, ub       string
	bob, joe, sarah  store.Account
	bobData, joeData datasource.Data
	bAccount         store.Account
}

func newBankFixture(t *testing.T) *bankFixture {
	e := newEnv(t)
	f := &bankFixture{e: e}
	f.u1, f.u2, f.ub = e.createUser(t, e.A, nil), e.createUser(t, e.A, nil), e.createUser(t, e.B, nil)
	f.bob, f.bobData = e.bankAccount(t, e.A, f.u1, "test_1", "ins_000000001", "")
	joeAll, _ := banksandbox.AccountsFor("test_3", "ins_000000004", bankAsOf)
	f.joe, f.joeData = e.bankAccount(t, e.A, f.u1, "test_3", "ins_000000004", "", joeAll[2].ID)
	f.sarah, _ = e.bankAccount(t, e.A, f.u2, "test_2", "ins_000000002", "")
	f.bAccount, _ = e.bankAccount(t, e.B, f.ub, "test_1", "ins_000000001", "")
	return f
}

func TestBankAccounts(t *testing.T) {
	f := newBankFixture(t)
	e, k := f.e, f.e.A
	list := e.walkData(t, k, "/partners/v2/bank-accounts?user="+f.u1+"&limit=1")
	recs := e.records(t, store.RecordBankAccount, f.bob, f.joe)
	if len(list) != 3 || len(recs) != 3 {
		t.Fatalf("u1 lists %d bank accounts, %d stored; want Bob's two and Joe's savings", len(list), len(recs))
	}
	sameList(t, "bank accounts of u1, newest first", inOrder(recs), idsOf(list))
	byID := map[string]datasource.BankAccount{}
	for _, ba := range append(slices.Clone(f.bobData.BankAccounts), f.joeData.BankAccounts...) {
		for _, a := range []store.Account{f.bob, f.joe} {
			byID[aggregate.RecordID(a, store.RecordBankAccount, ba.ID)] = ba
		}
	}
	for _, got := range list {
		ba, ok := byID[got["id"].(string)]
		if !ok {
			t.Fatalf("unknown bank account %v", got["id"])
		}
		if got["user"] != f.u1 || got["name"] != ba.Name || got["type"] != ba.Type || got["account_number_display"] != ba.Last4 ||
			got["institution"] != ba.InstitutionID || got["balance"] != mustFloat(ba.Balances.Current) ||
			got["available_balance"] != mustFloat(ba.Balances.Available) || got["balance_date"] != "2025-05-30T00:00:00.000Z" ||
			got["aggregation_status_code"] != float64(0) || got["status"] != "active" || got["error_code"] != nil {
			t.Errorf("bank account %v, aggregated %+v", got, ba)
		}
		one := e.ok(t, k, "GET", "/partners/v2/bank-accounts/"+got["id"].(string), nil)
		if d := diff("", got, one); len(d) > 0 {
			t.Errorf("retrieve differs from list: %v", d)
		}
	}
	// The catalog example's fields are all there, but institution_login.
	for _, field := range catalogExampleKeys(t) {
		if _, ok := list[0][field]; !ok && field != "institution_login" {
			t.Errorf("bank account lacks the catalog's %s", field)
		}
	}
	// Filter by account.
	only := e.walkData(t, k, "/partners/v2/bank-accounts?user="+f.u1+"&account="+f.joe.ID)
	sameList(t, "Joe's shared account", inOrder(e.records(t, store.RecordBankAccount, f.joe)), idsOf(only))
	if len(only) != 1 || only[0]["name"] != "Savings" {
		t.Errorf("Joe shared his savings only: %v", only)
	}
	if got := e.walkData(t, k, "/partners/v2/bank-accounts?user="+f.u2+"&account="+f.bob.ID); len(got) != 0 {
		t.Errorf("u2 with Bob's account lists %d", len(got))
	}
}

// mustFloat is a money amount as a decoded JSON number.
func mustFloat(m value.Money) float64 {
	var f float64
	json.Unmarshal([]byte(m.String()), &f)
	return f
}

func catalogExampleKeys(t testing.TB) []string {
	t.Helper()
	if catalogDoc == nil {
		return nil
	}
	return keysOf(toJSON(t, catalogDoc.Components.Schemas["OpenBankingBankAccount"].Value.Example).(map[string]any))
}

func TestBankTransactions(t *testing.T) {
	f := newBankFixture(t)
	e, k := f.e, f.e.A
	all := e.walkData(t, k, "/partners/v2/bank-transactions?user="+f.u1+"&limit=200")
	recs := e.records(t, store.RecordTransaction, f.bob, f.joe)
	if len(all) != len(f.bobData.Transactions)+len(f.joeData.Transactions) || len(all) < 500 {
		t.Fatalf("u1 lists %d transactions; %d aggregated", len(all), len(f.bobData.Transactions)+len(f.joeData.Transactions))
	}
	sameList(t, "transactions of u1, newest first", inOrder(recs), idsOf(all))
	sources := map[string]datasource.Transaction{}
	for _, a := range []struct {
		acct store.Account
		data datasource.Data
	}{{f.bob, f.bobData}, {f.joe, f.joeData}} {
		for _, tx := range a.data.Transactions {
			tx.AccountID = aggregate.RecordID(a.acct, store.RecordBankAccount, tx.AccountID)
			sources[aggregate.RecordID(a.acct, store.RecordTransaction, tx.ID)] = tx
		}
	}
	wantKeys := []string{"account", "amount", "bank_account", "category", "counterparty", "created_at", "currency", "description",
		"id", "pending", "posted_date", "updated_at", "user"}
	for i, got := range all {
		tx := sources[got["id"].(string)]
		if got["bank_account"] != tx.AccountID || got["amount"] != mustFloat(tx.Amount) || got["posted_date"] != tx.PostedDate.String()+"T00:00:00.000Z" ||
			got["description"] != tx.Description || got["pending"] != tx.Pending || got["user"] != f.u1 {
			t.Fatalf("transaction %v, aggregated %+v", got, tx)
		}
		if i == 0 {
			if d := diff("", toJSON(t, wantKeys), toJSON(t, keysOf(got))); len(d) > 0 {
				t.Errorf("transaction fields: %v", d)
			}
			one := e.ok(t, k, "GET", "/partners/v2/bank-transactions/"+got["id"].(string), nil)
			if d := diff("", got, one); len(d) > 0 {
				t.Errorf("retrieve differs from list: %v", d)
			}
		}
	}
	// bank_account, account and date filters.
	checking := aggregate.RecordID(f.bob, store.RecordBankAccount, f.bobData.BankAccounts[0].ID)
	n := 0
	for _, tx := range f.bobData.Transactions {
		if tx.AccountID == f.bobData.BankAccounts[0].ID {
			n++
		}
	}
	byAcct := e.walkData(t, k, "/partners/v2/bank-transactions?bank_account="+checking+"&limit=200")
	if len(byAcct) != n {
		t.Errorf("bank_account filter lists %d, Bob's checking has %d", len(byAcct), n)
	}
	for _, x := range byAcct {
		if x["bank_account"] != checking {
			t.Fatalf("bank_account filter lists %v", x)
		}
	}
	if got := e.walkData(t, k, "/partners/v2/bank-transactions?account="+f.joe.ID+"&limit=200"); len(got) != len(f.joeData.Transactions) {
		t.Errorf("account filter lists %d, Joe's account has %d", len(got), len(f.joeData.Transactions))
	}
	from, to := "2025-03-01", "2025-03-31"
	ranged := e.walkData(t, k, "/partners/v2/bank-transactions?user="+f.u1+"&from_date="+from+"&to_date="+url.QueryEscape(to+"T23:59:59Z")+"&limit=50")
	want := 0
	for _, tx := range sources {
		if d := tx.PostedDate.String(); d >= from && d <= to {
			want++
		}
	}
	if len(ranged) != want || want == 0 {
		t.Errorf("March lists %d transactions, want %d", len(ranged), want)
	}
	for _, x := range ranged {
		if d := x["posted_date"].(string)[:10]; d < from || d > to {
			t.Errorf("March lists a transaction of %s", d)
		}
	}
	// An instant after midnight starts from the next day.
	later := e.walkData(t, k, "/partners/v2/bank-transactions?bank_account="+checking+"&from_date=2025-05-29T00:00:01Z")
	for _, x := range later {
		if x["posted_date"].(string)[:10] < "2025-05-30" {
			t.Errorf("from 2025-05-29T00:00:01Z lists %v", x["posted_date"])
		}
	}
}

func TestBankDataIsolationAndBadParams(t *testing.T) {
	f := newBankFixture(t)
	e := f.e
	ba := e.records(t, store.RecordBankAccount, f.bob)[0]
	tx := e.records(t, store.RecordTransaction, f.bob)[0]
	paths := []string{"/partners/v2/bank-accounts/" + ba.ID, "/partners/v2/bank-transactions/" + tx.ID}
	for _, p := range paths {
		e.ok(t, e.A, "GET", p, nil)
		for _, k := range []key{e.B, e.AProd} {
			detailOf(t, e.call(t, k, "GET", p, nil), http.StatusNotFound)
		}
		if r := e.send(t, req{method: "GET", path: p}); r.Status != http.StatusUnauthorized {
			t.Errorf("GET %s without a key: %s", p, r)
		}
		r := e.call(t, e.A, "POST", p, nil)
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET" {
			t.Errorf("POST %s: %s", p, r)
		}
	}
	for _, p := range []string{
		"/partners/v2/bank-accounts/" + tx.ID, "/partners/v2/bank-transactions/" + ba.ID, "/partners/v2/bank-accounts/" + unknownID,
		"/partners/v2/bank-transactions/nope", "/partners/v2/bank-accounts/" + f.bob.ID,
	} {
		detailOf(t, e.call(t, e.A, "GET", p, nil), http.StatusNotFound)
	}
	for _, k := range []key{e.B, e.AProd} {
		for _, p := range []string{
			"/partners/v2/bank-accounts?user=" + f.u1,
			"/partners/v2/bank-transactions?user=" + f.u1,
			"/partners/v2/bank-transactions?bank_account=" + ba.ID,
			"/partners/v2/bank-transactions?account=" + f.bob.ID,
		} {
			if got := e.walkData(t, k, p); len(got) != 0 {
				t.Errorf("%s lists %d of A's objects", p, len(got))
			}
		}
	}
	// B sees its own only.
	sameList(t, "B's bank accounts", inOrder(e.records(t, store.RecordBankAccount, f.bAccount)), idsOf(e.walkData(t, e.B, "/partners/v2/bank-accounts?user="+f.ub)))
	if got := e.walkData(t, e.B, "/partners/v2/bank-transactions?limit=200"); len(got) != len(e.records(t, store.RecordTransaction, f.bAccount)) {
		t.Errorf("B lists %d transactions", len(got))
	}
	txCursor := func() string {
		next := e.ok(t, e.A, "GET", "/partners/v2/bank-transactions?limit=1", nil)["next"].(string)
		p, _ := url.Parse(next)
		return p.Query().Get("cursor")
	}()
	for _, tc := range []struct {
		path   string
		fields []string
	}{
		{"/partners/v2/bank-accounts", []string{"user"}},
		{"/partners/v2/bank-accounts?user=nope&account=x", []string{"user", "account"}},
		{"/partners/v2/bank-accounts?user=" + f.u1 + "&limit=201", []string{"limit"}},
		{"/partners/v2/bank-accounts?user=" + f.u1 + "&cursor=garbage", []string{"cursor"}},
		{"/partners/v2/bank-transactions?bank_account=nope&user=x&account=y", []string{"bank_account", "user", "account"}},
		{"/partners/v2/bank-transactions?from_date=2024-02-30&to_date=yesterday", []string{"from_date", "to_date"}},
		{"/partners/v2/bank-transactions?limit=0", []string{"limit"}},
	} {
		r := e.call(t, e.A, "GET", tc.path, nil)
		for _, field := range tc.fields {
			fieldError(t, r, field)
		}
		if m := r.obj(t); len(m) != len(tc.fields) {
			t.Errorf("%s: errors for %v, want exactly %v", tc.path, keysOf(m), tc.fields)
		}
	}
	// A transactions cursor pages bank accounts too (both are record keys).
	e.ok(t, e.A, "GET", "/partners/v2/bank-transactions?cursor="+txCursor, nil)
}

// orderBanking orders a banking verification with a report configuration.
func (e *env) orderBanking(t testing.TB, k key, user, typ string, cfg map[string]any) string {
	t.Helper()
	report := map[string]any{"type": typ}
	if cfg != nil {
		report["configuration"] = cfg
	}
	return e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": report,
		"loan": map[string]any{"number": "BL-7"}})["id"].(string)
}

// TestBankingReportEndToEnd stores a banking account as the connection flow
// and the worker would, runs the aggregation hook, and checks the
// completed verification and its report, recomputing the voai income
// streams from the transactions the API serves.
func TestBankingReportEndToEnd(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	user := e.createUser(t, k, nil)
	cfg := map[string]any{"income_stream_confidence_minimum": 50, "report_custom_fields": []any{
		map[string]any{"label": "Desk", "value": "North 3", "shown": true},
		map[string]any{"label": "Hidden", "value": "H-1", "shown": false},
	}}
	id := e.orderBanking(t, k, user, "voai", cfg)
	e.advance(t, k, id, stUserSession, stAuthed)
	acct, data := e.bankAccount(t, k, user, "test_1", "ins_000000001", id)
	if err := e.app.Verifs.AccountAggregated(ctx, acct, nil); err != nil {
		t.Fatal(err)
	}
	v := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	if e.status(t, k, id) != "COMPLETED/completed" {
		t.Fatalf("verification after aggregation: %v", v["status"])
	}
	fileURL, _ := get(v, "report.file_url").(string)
	jsonURL, _ := get(v, "report.json_url").(string)
	if !strings.HasPrefix(fileURL, e.srv.URL+"/partners/v2/reports/") || !strings.HasSuffix(jsonURL, "/json") {
		t.Fatalf("report urls %q %q", fileURL, jsonURL)
	}
	// Running the hook again changes nothing.
	if err := e.app.Verifs.AccountAggregated(ctx, acct, nil); err != nil {
		t.Fatal(err)
	}
	if again := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil); get(again, "report.id") != get(v, "report.id") {
		t.Error("a repeated hook replaced the report")
	}

	status, _, body := e.download(t, &k, jsonURL)
	if status != http.StatusOK {
		t.Fatalf("json report: %d %s", status, body)
	}
	var rep struct {
		Type         string
		DataSource   string                   `json:"data_source"`
		CustomFields []struct{ Label string } `json:"custom_fields"`
		Banking      struct {
			BankAccounts []struct {
				ID              string
				InstitutionName string `json:"institution_name"`
			} `json:"bank_accounts"`
			Assets struct {
				CurrentBalance string `json:"current_balance"`
			}
			Income struct {
				Streams []struct {
					Payer        string
					Confidence   int
					Total        string `json:"total_amount"`
					Average      string `json:"average_amount"`
					Deposits     int
					Transactions []struct {
						ID     string
						Amount string
					}
				}
			}
		}
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Type != "voai" || rep.DataSource != "banking" || len(rep.CustomFields) != 2 || len(rep.Banking.BankAccounts) != 2 ||
		rep.Banking.BankAccounts[0].InstitutionName != "Harborview National Bank" {
		t.Errorf("report: %s %s %d fields %d accounts %+v", rep.Type, rep.DataSource, len(rep.CustomFields), len(rep.Banking.BankAccounts), rep.Banking.BankAccounts)
	}
	var current value.Money
	for _, ba := range data.BankAccounts {
		current += ba.Balances.Current
	}
	if rep.Banking.Assets.CurrentBalance != current.String() {
		t.Errorf("current balance %s, accounts sum to %s", rep.Banking.Assets.CurrentBalance, current)
	}
	// Confidence minimum 50 keeps the salary, not the gig payouts.
	if len(rep.Banking.Income.Streams) != 1 || rep.Banking.Income.Streams[0].Payer != "Whole Goods" {
		t.Fatalf("streams %+v", rep.Banking.Income.Streams)
	}
	for _, s := range rep.Banking.Income.Streams {
		var sum value.Money
		days := map[string]bool{}
		for _, st := range s.Transactions {
			tx := e.ok(t, k, "GET", "/partners/v2/bank-transactions/"+st.ID, nil)
			amount, _ := value.ParseMoney(fmt.Sprint(tx["amount"]))
			if amount.String() != st.Amount || amount <= 0 || tx["pending"] != false {
				t.Fatalf("stream transaction %v listed as %s", tx, st.Amount)
			}
			sum += amount
			days[tx["posted_date"].(string)] = true
		}
		avg := value.Money((int64(sum) + int64(len(days))/2) / int64(len(days)))
		if sum.String() != s.Total || len(days) != s.Deposits || avg.String() != s.Average {
			t.Errorf("%s: transactions sum to %s over %d days (average %s); report %s, %d, %s", s.Payer, sum, len(days), avg, s.Total, s.Deposits, s.Average)
		}
	}

	status, h, pdf := e.download(t, &k, fileURL)
	if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf report: %d %s", status, h.Get("Content-Type"))
	}
	doc, err := pdftest.Read(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Harborview National Bank", "Desk: North 3", "Whole Goods", "Everyday Checking", "BL-7"} {
		if !strings.Contains(doc.Text(), w) {
			t.Errorf("PDF lacks %q", w)
		}
	}
	if strings.Contains(doc.Text(), "H-1") {
		t.Error("PDF shows a hidden custom field")
	}
	// Downloads need the owner's key.
	if status, _, _ := e.download(t, nil, fileURL); status != http.StatusUnauthorized {
		t.Errorf("report without a key: %d", status)
	}
	if status, _, _ := e.download(t, &e.B, jsonURL); status != http.StatusNotFound {
		t.Errorf("report with another partner's key: %d", status)
	}
}

// TestBankingReportConfiguration completes one verification of each
// banking type, with bank_accounts and from_date, through the hook.
func TestBankingReportConfiguration(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	user := e.createUser(t, k, nil)
	first := e.orderBanking(t, k, user, "voa", nil)
	e.advance(t, k, first, stUserSession, stAuthed)
	acct, data := e.bankAccount(t, k, user, "test_3", "ins_000000004", first)
	if err := e.app.Verifs.AccountAggregated(ctx, acct, nil); err != nil {
		t.Fatal(err)
	}
	checking := aggregate.RecordID(acct, store.RecordBankAccount, data.BankAccounts[0].ID)
	for _, typ := range []string{"voa", "voi", "voai", "voe-transactions"} {
		id := e.orderBanking(t, k, user, typ, map[string]any{"bank_accounts": []any{checking}, "from_date": "2025-01-01T00:00:00Z"})
		e.advance(t, k, id, stUserSession, stAuthed)
		// The verification's own account: the hook for it completes the verification.
		a := acct
		a.VerificationID = id
		if err := e.app.Verifs.AccountAggregated(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
		if got := e.status(t, k, id); got != "COMPLETED/completed" {
			t.Fatalf("%s: %s", typ, got)
		}
		u, _ := get(e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil), "report.json_url").(string)
		_, _, body := e.download(t, &k, u)
		var rep struct {
			Banking struct {
				BankAccounts []struct{ ID string } `json:"bank_accounts"`
				Assets       *struct{ From string }
				Income       *struct{ From string }
				Employment   *struct{ From string }
			}
		}
		json.Unmarshal(body, &rep)
		if len(rep.Banking.BankAccounts) != 1 || rep.Banking.BankAccounts[0].ID != checking {
			t.Errorf("%s: bank accounts %+v", typ, rep.Banking.BankAccounts)
		}
		for part, p := range map[string]*struct{ From string }{"assets": rep.Banking.Assets, "employment": rep.Banking.Employment} {
			if p != nil && p.From != "2025-01-01" {
				t.Errorf("%s: %s from %s", typ, part, p.From)
			}
		}
		if in := rep.Banking.Income; in != nil && typ == "voi" && in.From != "2025-01-01" {
			t.Errorf("voi income from %s", in.From)
		}
		if in := rep.Banking.Income; in != nil && typ == "voai" && in.From >= "2025-01-01" {
			t.Errorf("voai income from %s: from_date bounds its assets only", in.From)
		}
	}
}

// TestBankingRefresh connects a real bank sandbox connection, aggregates it
// with the worker, and refreshes: the account is aggregated again and the
// refreshed verification completes with a new report.
func TestBankingRefresh(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	bank, ok := e.app.Aggregator.Connectors.Sandbox["banking"].(*banksandbox.Connector)
	if !ok {
		t.Fatal("no bank sandbox connector for banking")
	}
	bank.Now = e.clock.Now
	user := e.createUser(t, k, nil)
	first := e.orderBanking(t, k, user, "voa", nil)
	e.advance(t, k, first, stUserSession, stAuthed)
	res, err := bank.SignIn(ctx, "ins_000000001", datasource.Credentials{Username: "test_2", Password: sandboxdata.PasswordGood})
	if err != nil || res.Challenge == nil {
		t.Fatalf("sign in: %v", err)
	}
	conn, err := bank.Verify(ctx, *res.Challenge, "8082")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := e.app.Aggregator.Secrets.Seal(conn)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().UTC().Truncate(time.Millisecond)
	acct := store.Account{ID: store.NewID(), PartnerID: k.Partner, Environment: k.Env, UserID: user, VerificationID: first,
		DataSource: "banking", Item: "ins_000000001", Source: conn.Source, Employers: []string{}, ConnectionStatus: "connected",
		Connection: sealed, Aggregation: store.AggregationPending, CreatedAt: now, UpdatedAt: now}
	if err := e.app.Store.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if n := e.aggregateAll(t); n != 1 {
		t.Fatalf("aggregated %d accounts", n)
	}
	if got := e.status(t, k, first); got != "COMPLETED/completed" {
		t.Fatalf("first verification: %s", got)
	}
	firstReport := get(e.ok(t, k, "GET", "/partners/v2/verifications/"+first, nil), "report.id")
	txBefore := len(e.records(t, store.RecordTransaction, acct))

	e.clock.Advance(10 * 24 * time.Hour)
	r := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "voai"}})
	if get(r, "status.state") != "PENDING" || r["data_source"] != "banking" {
		t.Fatalf("refresh answered %v", r)
	}
	if a, _ := e.app.Store.Account(ctx, acct.ID); a.Aggregation != store.AggregationPending {
		t.Errorf("account after refresh: aggregation %s", a.Aggregation)
	}
	if n := e.aggregateAll(t); n != 1 {
		t.Errorf("aggregated %d times, want 1", n)
	}
	id := r["id"].(string)
	got := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	if e.status(t, k, id) != "COMPLETED/completed" || get(got, "report.id") == nil || get(got, "report.id") == firstReport {
		t.Fatalf("refreshed verification: %v %v", got["status"], got["report"])
	}
	if n := len(e.records(t, store.RecordTransaction, acct)); n <= txBefore {
		t.Errorf("transactions %d → %d after ten more days", txBefore, n)
	}
	_, _, body := e.download(t, &k, get(got, "report.json_url").(string))
	var rep struct {
		Banking struct {
			AsOf string `json:"as_of"`
		}
	}
	json.Unmarshal(body, &rep)
	if want := value.DateOf(e.clock.Now()).String(); rep.Banking.AsOf != want {
		t.Errorf("refreshed report as of %s, want %s", rep.Banking.AsOf, want)
	}
	if get(e.ok(t, k, "GET", "/partners/v2/verifications/"+first, nil), "report.id") != firstReport {
		t.Error("the first verification's report changed")
	}
	if n := e.countRows(t, "account_refreshes"); n != 0 {
		t.Errorf("%d refreshes still waiting", n)
	}
}
