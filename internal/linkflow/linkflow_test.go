package linkflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/datasource/gigsandbox"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/linkflow"
	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/verification"
)

// env is a wired verigate on a fresh SQLite file, driven through its services.
type env struct {
	t   *testing.T
	app *server.App
	p   partner.Principal
	now time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "verigate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, now: time.Now().UTC()}
	clock := func() time.Time { return e.now }
	bank := banksandbox.New()
	bank.Now = clock
	payroll := payrollsandbox.New()
	payroll.Now = clock
	gig := gigsandbox.New()
	gig.Now = clock
	e.app, err = server.New(ctx, st, server.Options{PublicURL: "http://verigate.test", Now: clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Connectors: datasource.Registry{Sandbox: map[string]datasource.Connector{verification.Payroll: payroll, verification.Banking: bank,
			verification.Gig: gig}}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := e.app.Keys.CreatePartner(ctx, "Partner", "test", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if e.p, err = e.app.Keys.Authenticate(ctx, key.ID, key.Secret); err != nil {
		t.Fatal(err)
	}
	return e
}

// decode fills an input struct from JSON, as the API does.
func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// session orders a verification of a report type and returns a session's claims.
func (e *env) session(reportType, cfg string) session.Claims {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.app.Users.Create(ctx, e.p, decode[partner.UserInput](e.t, `{"client": "`+e.p.ClientID+`", "first_name": "Bob", "last_name": "Jones"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	v, err := e.app.Verifs.Order(ctx, e.p, decode[verification.OrderInput](e.t, `{"user": "`+u.ID+`", "report": {"type": "`+reportType+`"}}`))
	if err != nil {
		e.t.Fatal(err)
	}
	in := `{"verification": "` + v.ID + `"`
	if cfg != "" {
		in += `, "configuration": ` + cfg
	}
	s, err := e.app.Sessions.Create(ctx, e.p, decode[session.CreateInput](e.t, in+"}"))
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := e.app.Sessions.Open(s.Link[strings.LastIndex(s.Link, "/")+1:])
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) status(c session.Claims) string {
	e.t.Helper()
	v, err := e.app.Store.Verification(context.Background(), c.Scope(), c.VerificationID)
	if err != nil {
		e.t.Fatal(err)
	}
	return v.State + "/" + v.Code
}

func (e *env) row(c session.Claims) store.ConnectSession {
	e.t.Helper()
	cs, err := e.app.Store.ConnectSession(context.Background(), c.SessionID)
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

func (e *env) accounts(c session.Claims) []store.Account {
	e.t.Helper()
	v, err := e.app.Store.Verification(context.Background(), c.Scope(), c.VerificationID)
	if err != nil {
		e.t.Fatal(err)
	}
	list, err := e.app.Store.ListAccounts(context.Background(), c.Scope(), store.AccountFilter{UserID: v.UserID}, store.Page{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// must returns a function that fails the test on an error and returns the state.
func must(t *testing.T) func(linkflow.State, error) linkflow.State {
	return func(st linkflow.State, err error) linkflow.State {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
}

// toAccounts signs a banking session in to Harborview National Bank as test_1 and stops at the account choice.
func (e *env) toAccounts(c session.Claims) linkflow.State {
	e.t.Helper()
	ctx := context.Background()
	f := e.app.Flow
	must(e.t)(f.Open(ctx, c))
	must(e.t)(f.Select(ctx, c, "ins_000000001"))
	st := must(e.t)(f.SignIn(ctx, c, datasource.Credentials{Username: "test_1", Password: "passgood"}))
	if st.Session.Stage != linkflow.StageMFA {
		e.t.Fatalf("after sign-in: stage %s (%s)", st.Session.Stage, st.Session.ErrorCode)
	}
	st = must(e.t)(f.Verify(ctx, c, "8081"))
	if st.Session.Stage != linkflow.StageAccounts {
		e.t.Fatalf("after the code: stage %s (%s), want accounts", st.Session.Stage, st.Session.ErrorCode)
	}
	return st
}

func TestBankStagesToAccountChoice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voai", `{"redirect_url": "https://partner.test/return"}`)
	f := e.app.Flow
	st := must(t)(f.Open(ctx, c))
	if st.Session.Stage != linkflow.StageSearch || e.status(c) != "PROCESSING/user_session_started" {
		t.Fatalf("opened: stage %s, verification %s", st.Session.Stage, e.status(c))
	}
	items, err := f.Items(ctx, c, "harbor", 60)
	if err != nil || len(items) != 1 || items[0].ID != "ins_000000001" || items[0].Kind != datasource.KindBank {
		t.Fatalf("search harbor: %v %+v", err, items)
	}
	// The offline institution is listed but cannot be picked.
	if _, err := f.Select(ctx, c, "ins_000000024"); !errors.Is(err, linkflow.ErrItemUnavailable) {
		t.Errorf("select offline institution: %v, want ErrItemUnavailable", err)
	}
	if _, err := f.Select(ctx, c, "item_000000001"); !errors.Is(err, linkflow.ErrUnknownItem) {
		t.Errorf("select a payroll item in a banking session: %v, want ErrUnknownItem", err)
	}
	st = must(t)(f.Select(ctx, c, "ins_000000001"))
	if st.Session.Stage != linkflow.StageSignIn || st.Item == nil || st.Item.Name != "Harborview National Bank" {
		t.Fatalf("selected: %+v", st)
	}
	st = must(t)(f.SignIn(ctx, c, datasource.Credentials{Username: "test_1", Password: "nope"}))
	if st.Session.Stage != linkflow.StageSignIn || st.Session.ErrorCode != "invalid_credentials" || st.AttemptsLeft != 4 {
		t.Fatalf("wrong password: %s %s %d", st.Session.Stage, st.Session.ErrorCode, st.AttemptsLeft)
	}
	st = must(t)(f.SignIn(ctx, c, datasource.Credentials{Username: " test_1 ", Password: "passgood"}))
	if st.Session.Stage != linkflow.StageMFA || st.Challenge == nil || st.Challenge.Destination != "***-***-0181" {
		t.Fatalf("sign-in: %+v", st)
	}
	st = must(t)(f.Verify(ctx, c, "8081"))
	if st.Session.Stage != linkflow.StageAccounts {
		t.Fatalf("code: stage %s", st.Session.Stage)
	}
	var names []string
	for _, a := range st.Accounts {
		names = append(names, a.Name+" "+a.Type)
		if a.ID == "" || !strings.HasPrefix(a.Mask, "…") {
			t.Errorf("account choice %+v", a)
		}
	}
	if !slices.Equal(names, []string{"Everyday Checking checking", "High-Yield Savings savings"}) {
		t.Errorf("accounts offered: %v", names)
	}
	// Nothing is connected yet: the connection waits, sealed, in the session row.
	row := e.row(c)
	if row.Connection == "" || strings.Contains(row.Connection, "banksandbox") || strings.Contains(row.Connection, st.Accounts[0].ID) {
		t.Errorf("session row connection %q is not sealed", row.Connection)
	}
	if got := e.status(c); got != "PROCESSING/user_session_started" {
		t.Errorf("verification %s before the choice", got)
	}
	if n := len(e.accounts(c)); n != 0 {
		t.Errorf("%d accounts before the choice", n)
	}
	// A reload shows the same choice.
	if again := must(t)(f.Open(ctx, c)); again.Session.Stage != linkflow.StageAccounts || len(again.Accounts) != 2 {
		t.Errorf("reopened: %s %d accounts", again.Session.Stage, len(again.Accounts))
	}
}

func TestAccountChoiceIsValidated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voa", "")
	f := e.app.Flow
	offered := e.toAccounts(c).Accounts
	for _, tc := range []struct {
		ids  []string
		code string
	}{
		{nil, linkflow.CodeAccountsRequired},
		{[]string{"", "  "}, linkflow.CodeAccountsRequired},
		{[]string{"0000000000"}, linkflow.CodeUnknownAccount},
		{[]string{offered[0].ID, "0000000000"}, linkflow.CodeUnknownAccount},
	} {
		st := must(t)(f.Share(ctx, c, tc.ids))
		if st.Session.Stage != linkflow.StageAccounts || st.Session.ErrorCode != tc.code || len(st.Accounts) != 2 {
			t.Errorf("share %q: stage %s code %q, want accounts %q", tc.ids, st.Session.Stage, st.Session.ErrorCode, tc.code)
		}
		if st.AttemptsLeft != linkflow.MaxFailures {
			t.Errorf("share %q counted as a failure: %d attempts left", tc.ids, st.AttemptsLeft)
		}
	}
	// The second account, named twice: shared once.
	st := must(t)(f.Share(ctx, c, []string{offered[1].ID, offered[1].ID}))
	if st.Session.Stage != linkflow.StageConnecting || st.Session.ErrorCode != "" {
		t.Fatalf("share: stage %s code %q", st.Session.Stage, st.Session.ErrorCode)
	}
	if got := e.status(c); got != "PROCESSING/authenticated" {
		t.Errorf("verification %s after the choice, want PROCESSING/authenticated", got)
	}
	accts := e.accounts(c)
	if len(accts) != 1 || accts[0].DataSource != "banking" || accts[0].Item != "ins_000000001" || accts[0].Aggregation != store.AggregationPending {
		t.Fatalf("accounts: %+v", accts)
	}
	var conn datasource.Connection
	if err := e.app.Flow.Secrets.Open(accts[0].Connection, &conn); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(conn.Shared, []string{offered[1].ID}) {
		t.Errorf("stored connection shares %v, want [%s]", conn.Shared, offered[1].ID)
	}
	if row := e.row(c); row.Connection != "" || row.AccountID != accts[0].ID || row.UsedAt != nil {
		t.Errorf("session row after the choice: connection %q account %q used %v", row.Connection, row.AccountID, row.UsedAt)
	}
	// Posting the choice again connects nothing more.
	if _, err := f.Share(ctx, c, []string{offered[0].ID}); !errors.Is(err, linkflow.ErrWrongStage) {
		t.Errorf("second share: %v, want ErrWrongStage", err)
	}
	if n := len(e.accounts(c)); n != 1 {
		t.Errorf("%d accounts after a replayed choice", n)
	}
	// Aggregation retrieves only the shared account.
	if did, err := e.app.Aggregator.RunOnce(ctx); err != nil || !did {
		t.Fatalf("aggregate: %v %v", did, err)
	}
	if st := must(t)(f.Open(ctx, c)); st.Session.Stage != linkflow.StageDone {
		t.Errorf("after aggregation: stage %s", st.Session.Stage)
	}
}

func TestConcurrentAccountChoicesConnectOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voa", "")
	offered := e.toAccounts(c).Accounts
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() { e.app.Flow.Share(ctx, c, []string{offered[i%2].ID}) })
	}
	wg.Wait()
	if n := len(e.accounts(c)); n != 1 {
		t.Errorf("%d accounts after concurrent choices, want 1", n)
	}
}

func TestBankSignInWithoutCodeAndBack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voa", "")
	f := e.app.Flow
	must(t)(f.Open(ctx, c))
	must(t)(f.Select(ctx, c, "ins_000000003"))
	st := must(t)(f.SignIn(ctx, c, datasource.Credentials{Username: "test3@argyle.com", Password: "passnomfa"}))
	if st.Session.Stage != linkflow.StageAccounts || len(st.Accounts) != 3 {
		t.Fatalf("no-code sign-in: stage %s, %d accounts", st.Session.Stage, len(st.Accounts))
	}
	st = must(t)(f.Back(ctx, c))
	if st.Session.Stage != linkflow.StageSearch || st.Item != nil || e.row(c).Connection != "" {
		t.Errorf("back from the choice: stage %s item %v connection %q", st.Session.Stage, st.Item, e.row(c).Connection)
	}
	if n := len(e.accounts(c)); n != 0 {
		t.Errorf("%d accounts after going back", n)
	}
}

func TestBankFailuresAndLock(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voa", "")
	f := e.app.Flow
	must(t)(f.Open(ctx, c))
	must(t)(f.Select(ctx, c, "ins_000000002"))
	st := must(t)(f.SignIn(ctx, c, datasource.Credentials{Username: "test_1", Password: "passunavailable"}))
	if st.Session.Stage != linkflow.StageFailed || st.Session.ErrorCode != "platform_temporarily_unavailable" {
		t.Errorf("passunavailable: %s %s", st.Session.Stage, st.Session.ErrorCode)
	}
	must(t)(f.Select(ctx, c, "ins_000000002"))
	for i := range 3 {
		st = must(t)(f.SignIn(ctx, c, datasource.Credentials{Username: "test_2", Password: "wrong"}))
		if st.AttemptsLeft != 4-i {
			t.Errorf("attempt %d: %d left", i+1, st.AttemptsLeft)
		}
	}
	must(t)(f.SignIn(ctx, c, datasource.Credentials{Username: "test_2", Password: "passgood"}))
	st = must(t)(f.Verify(ctx, c, "0000"))
	if st.Session.Stage != linkflow.StageMFA || st.Session.ErrorCode != "invalid_mfa" || st.AttemptsLeft != 1 {
		t.Errorf("wrong code: %s %s %d", st.Session.Stage, st.Session.ErrorCode, st.AttemptsLeft)
	}
	st = must(t)(f.Verify(ctx, c, "0001"))
	if st.Session.Stage != linkflow.StageLocked {
		t.Errorf("fifth failure: stage %s, want locked", st.Session.Stage)
	}
	if _, err := f.Select(ctx, c, "ins_000000002"); !errors.Is(err, linkflow.ErrWrongStage) {
		t.Errorf("select after the lock: %v", err)
	}
}

func TestPayrollSkipsAccountChoice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voie", `{"items": ["item_000000001"]}`)
	f := e.app.Flow
	must(t)(f.Open(ctx, c))
	must(t)(f.SignIn(ctx, c, datasource.Credentials{Username: "test_1", Password: "passgood"}))
	st := must(t)(f.Verify(ctx, c, "8081"))
	if st.Session.Stage != linkflow.StageConnecting || len(st.Accounts) != 0 {
		t.Errorf("payroll after the code: stage %s", st.Session.Stage)
	}
	if _, err := f.Share(ctx, c, []string{"x"}); !errors.Is(err, linkflow.ErrWrongStage) {
		t.Errorf("share in a payroll session: %v", err)
	}
}

func TestSingleUseLinkIsSpentByTheConnection(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.session("voa", `{"single_use_url": true, "experience": "97F1ECCB-241D-4052-8409-FAB9E27A589B"}`)
	f := e.app.Flow
	offered := e.toAccounts(c).Accounts
	if row := e.row(c); row.Experience != "97f1eccb-241d-4052-8409-fab9e27a589b" {
		t.Errorf("experience recorded as %q", row.Experience)
	}
	if used, err := f.Used(ctx, c); err != nil || used {
		t.Fatalf("used before connecting: %v %v", used, err)
	}
	st := must(t)(f.Share(ctx, c, []string{offered[0].ID}))
	if st.Session.UsedAt == nil || !st.Session.UsedAt.Equal(e.now.Truncate(time.Millisecond)) {
		t.Errorf("state's UsedAt %v", st.Session.UsedAt)
	}
	if used, err := f.Used(ctx, c); err != nil || !used {
		t.Fatalf("used after connecting: %v %v", used, err)
	}
	for name, step := range map[string]func() error{
		"back":   func() error { _, err := f.Back(ctx, c); return err },
		"select": func() error { _, err := f.Select(ctx, c, "ins_000000001"); return err },
		"share":  func() error { _, err := f.Share(ctx, c, []string{offered[0].ID}); return err },
	} {
		if err := step(); !errors.Is(err, linkflow.ErrUsed) {
			t.Errorf("%s after the connection: %v, want ErrUsed", name, err)
		}
	}
	// The flow's own pages still read it.
	if st := must(t)(f.Open(ctx, c)); st.Session.Stage != linkflow.StageConnecting {
		t.Errorf("open: stage %s", st.Session.Stage)
	}
	// Another link of the same verification is not affected.
	other := c
	other.SessionID = "another-session"
	if used, err := f.Used(ctx, other); err != nil || used {
		t.Errorf("another link used: %v %v", used, err)
	}
	if st := must(t)(f.Open(ctx, other)); st.Session.Stage != linkflow.StageSearch {
		t.Errorf("another link opens at %s", st.Session.Stage)
	}
	// A link that is not single-use is never spent.
	plain := e.session("voa", "")
	offered = e.toAccounts(plain).Accounts
	st = must(t)(f.Share(ctx, plain, []string{offered[0].ID}))
	if used, _ := f.Used(ctx, plain); used || st.Session.UsedAt != nil || e.row(plain).Experience != "" {
		t.Errorf("plain link: used %v, UsedAt %v, experience %q", used, st.Session.UsedAt, e.row(plain).Experience)
	}
}
