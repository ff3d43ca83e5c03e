package storetest

// Growing a store to a given size for plan tests and benchmarks.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"verigate/internal/store"
	"verigate/internal/store/scaletest"
	"verigate/internal/store/sqlstore"
)

// Grown describes a store grown by Grow: its one tenant, how many rows of
// each kind it holds, and their ids.
type Grown struct {
	Scope store.Scope
	// Client is the tenant's client.
	Client string
	// Users, Verifications, Accounts, Paystubs, Deliveries are how many rows were loaded.
	Users, Verifications, Accounts, Paystubs, Deliveries int
	// Subscription receives every delivery.
	Subscription string
}

// UserID, VerificationID, AccountID and PaystubID name the n-th loaded row (1-based).
func (g Grown) UserID(n int) string         { return grownID("a0000001", n) }
func (g Grown) VerificationID(n int) string { return grownID("a0000002", n) }
func (g Grown) AccountID(n int) string      { return grownID("a0000003", n) }
func (g Grown) PaystubID(n int) string      { return grownID("a0000004", n) }

func grownID(group string, n int) string {
	return fmt.Sprintf("%s-0000-7000-8000-%d", group, 100000000000+n)
}

// Grow loads one tenant of a fresh store s with verifications verifications
// (ten per user), as many paystubs and webhook deliveries (half of them
// pending and due, two per verification), a fifth as many accounts,
// uploads and user reports, through db, the same database's pool, in one
// statement per table. The template rows are written through s.
func Grow(ctx context.Context, s *sqlstore.Store, db *sql.DB, postgres bool, verifications int) (Grown, error) {
	users, accounts := max(verifications/10, 1), max(verifications/5, 1)
	now := time.Now().UTC().Truncate(time.Millisecond)
	p := store.Partner{ID: store.NewID(), Name: "Scale", CreatedAt: now}
	c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "Scale client", CreatedAt: now}
	k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "key", Environment: store.Sandbox, SecretHash: []byte{1}, CreatedAt: now}
	g := Grown{Scope: store.Scope{PartnerID: p.ID, Environment: store.Sandbox}, Users: users, Verifications: verifications,
		Accounts: accounts, Paystubs: verifications, Deliveries: verifications}
	u := store.User{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, ClientID: c.ID,
		Profile: json.RawMessage(`{"first_name":"Zoë","last_name":"O'Brien"}`), ItemsConnected: []string{"item_000000001"},
		EmployersConnected: []string{"Acme"}, CreatedAt: now, UpdatedAt: now}
	v := store.Verification{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, ClientID: c.ID, UserID: u.ID,
		Channel: "api", DataSource: "payroll", ReportType: "voie", State: "pending", Code: "awaiting_connection",
		Errors: json.RawMessage(`[]`), Employments: json.RawMessage(`[{"employer":"Acme"}]`), Loan: json.RawMessage(`{"number":"L-1"}`),
		Billing: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
	a := store.Account{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, UserID: u.ID, VerificationID: v.ID,
		DataSource: "payroll", Item: "item_000000001", Source: "sandbox", Employers: []string{"Acme"}, ConnectionStatus: "connected",
		Connection: "sealed", Aggregation: store.AggregationDone, CreatedAt: now, UpdatedAt: now}
	rec := store.AccountRecord{ID: uuid.NewString(), Kind: store.RecordPaystub, AccountID: a.ID, UserID: u.ID, PartnerID: p.ID,
		Environment: store.Sandbox, SourceID: "stub", Employment: "emp-1", Date: "2025-01-03",
		Data: json.RawMessage(`{"gross_pay":"1234.56","net_pay":"987.65"}`), CreatedAt: now, UpdatedAt: now}
	up := store.Upload{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, UserID: u.ID, AccountID: a.ID,
		DocumentType: "W-2", FileName: "w2.pdf", ContentType: "application/pdf", Size: 123, SHA256: "ff", StoredName: "x.pdf",
		Stated: json.RawMessage(`{"tax_year":2024}`), CreatedAt: now}
	rep := store.UserReport{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, UserID: u.ID, Type: "voe",
		Schema: "verigate.report/v1", Metadata: json.RawMessage(`{}`), Accounts: json.RawMessage(`[]`),
		PDFName: "x.pdf", PDFSHA256: "ab", JSONName: "x.json", JSONSHA256: "cd", CreatedAt: now}
	sub := store.Subscription{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, Name: "hook", URL: "https://hooks.example/x",
		Events: []string{store.EventVerificationsUpdated}, CreatedAt: now}
	g.Subscription, g.Client = sub.ID, c.ID
	ev := store.Event{ID: store.NewID(), PartnerID: p.ID, Environment: store.Sandbox, Event: store.EventVerificationsUpdated,
		VerificationID: v.ID, Data: json.RawMessage(`{"id":"x"}`), CreatedAt: now}
	for _, step := range []func() error{
		func() error { return s.CreatePartner(ctx, p, c, k) },
		func() error { return s.CreateUser(ctx, u) },
		func() error { return s.CreateVerification(ctx, v) },
		func() error { return s.CreateAccount(ctx, a) },
		func() error { a.Version = 1; return s.FinishAggregation(ctx, a, []store.AccountRecord{rec}) },
		func() error { return s.CreateUpload(ctx, up) },
		func() error { return s.CreateUserReport(ctx, rep) },
		func() error { return s.CreateSubscription(ctx, sub) },
		func() error { return s.CreateEvent(ctx, ev) },
		func() error { return s.QueueDeliveries(ctx, ev, []string{sub.ID}) },
	} {
		if err := step(); err != nil {
			return g, err
		}
	}
	var delivery string
	if err := db.QueryRowContext(ctx, `SELECT id FROM webhook_deliveries WHERE event_id = $1`, ev.ID).Scan(&delivery); err != nil {
		return g, err
	}
	id := scaletest.UUID
	userOf := func(n string) string { return id("a0000001", fmt.Sprintf("(%s) %% %d + 1", n, users)) }
	// An account's records are consecutive rows, as an aggregation writes
	// them in one go; its records' ids are consecutive too, as the ids of
	// records of accounts created since migration 0020 begin with the
	// account's. A user's verifications and accounts are spread over the
	// table, as they are created at different times.
	accountOf := fmt.Sprintf("(i - 1) / %d + 1", verifications/accounts)
	for _, t := range []struct {
		table, from string
		n           int
		set         map[string]string
	}{
		{"users", u.ID, users, map[string]string{"id": id("a0000001", "i")}},
		{"verifications", v.ID, verifications, map[string]string{"id": id("a0000002", "i"), "user_id": userOf("i")}},
		{"accounts", a.ID, accounts, map[string]string{"id": id("a0000003", "i"), "user_id": userOf("i")}},
		{"account_records", rec.ID, verifications, map[string]string{"id": id("a0000004", "i"), "account_id": id("a0000003", accountOf),
			"user_id": userOf(accountOf), "source_id": "'stub-' || CAST(i AS TEXT)"}},
		{"user_uploads", up.ID, accounts, map[string]string{"id": id("a0000005", "i"), "account_id": id("a0000003", "i"), "user_id": userOf("i")}},
		{"user_reports", rep.ID, accounts, map[string]string{"id": id("a0000006", "i"), "user_id": userOf("i")}},
		{"webhook_events", ev.ID, verifications, map[string]string{"id": id("a0000007", "i"), "verification_id": id("a0000002", "i / 2 + 1")}},
		{"webhook_deliveries", delivery, verifications, map[string]string{"id": id("a0000008", "i"), "event_id": id("a0000007", "i"),
			"verification_id": id("a0000002", "i / 2 + 1"), "order_key": id("a0000002", "i / 2 + 1"),
			"state": "CASE WHEN i % 2 = 0 THEN 'delivered' ELSE 'pending' END", "next_attempt_at": "t.next_attempt_at - i"}},
	} {
		if err := scaletest.Copy(ctx, db, postgres, t.table, t.from, t.n, t.set); err != nil {
			return g, fmt.Errorf("grow %s: %w", t.table, err)
		}
	}
	return g, nil
}
