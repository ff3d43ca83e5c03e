package storetest

import (
	"encoding/json"
	"testing"

	"verigate/internal/store"
)

// reportTests cover reports, uploads and payroll refreshes.
var reportTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"ReportRoundTrip", testReportRoundTrip},
	{"UploadRoundTrip", testUploadRoundTrip},
	{"QueueRefresh", testQueueRefresh},
	{"VerificationsInStatus", testVerificationsInStatus},
}

func newReportAccount(t *testing.T, s store.Store, u store.User, ds string) store.Account {
	t.Helper()
	scanned := stored(at(30))
	a := store.Account{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, DataSource: ds,
		Item: "item_1", Source: "test", Employers: []string{}, ConnectionStatus: "connected", Aggregation: store.AggregationDone,
		ScannedAt: &scanned, CreatedAt: stored(at(30)), UpdatedAt: stored(at(30))}
	must(t, "CreateAccount", s.CreateAccount(ctx(t), a))
	a.Version = 1
	return a
}

func testReportRoundTrip(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	r := store.Report{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, VerificationID: v.ID, UserID: u.ID,
		Type: "voie", Schema: "verigate.report/v1", PDFName: "x.pdf", PDFSHA256: "ab", PDFSize: 1 << 40,
		JSONName: "x.json", JSONSHA256: "cd", JSONSize: 7, CreatedAt: stored(at(40))}
	must(t, "CreateReport", s.CreateReport(ctx(t), r))
	got, err := s.Report(ctx(t), a.scope(store.Sandbox), r.ID)
	must(t, "Report", err)
	mustEqual(t, "Report", r, got)
	got, err = s.ReportOfVerification(ctx(t), v.ID)
	must(t, "ReportOfVerification", err)
	mustEqual(t, "ReportOfVerification", r, got)
	_, err = s.Report(ctx(t), a.scope(store.Production), r.ID)
	mustErr(t, "Report in another environment", err, store.ErrNotFound)
	b := newTenant(t, s, "Other")
	_, err = s.Report(ctx(t), b.scope(store.Sandbox), r.ID)
	mustErr(t, "Report of another partner", err, store.ErrNotFound)
	second := r
	second.ID = store.NewID()
	mustErr(t, "a second report for the verification", s.CreateReport(ctx(t), second), store.ErrDuplicate)
}

func testUploadRoundTrip(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	acct := newReportAccount(t, s, u, "documents")
	var ups []store.Upload
	for i := 0; i < 2; i++ {
		up := store.Upload{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, AccountID: acct.ID,
			DocumentType: "W-2", FileName: "Zoë's w2.pdf", ContentType: "application/pdf", Size: 123, SHA256: "ff",
			StoredName: "x.pdf", Stated: json.RawMessage(`{"tax_year":2024}`), CreatedAt: stored(at(50 + i))}
		must(t, "CreateUpload", s.CreateUpload(ctx(t), up))
		ups = append(ups, up)
	}
	got, err := s.Upload(ctx(t), a.scope(store.Sandbox), ups[0].ID)
	must(t, "Upload", err)
	mustEqual(t, "Upload", ups[0], got)
	all, err := s.UploadsOfUser(ctx(t), u.ID)
	must(t, "UploadsOfUser", err)
	mustEqual(t, "UploadsOfUser", ups, all)
	_, err = s.Upload(ctx(t), newTenant(t, s, "Other").scope(store.Sandbox), ups[0].ID)
	mustErr(t, "Upload of another partner", err, store.ErrNotFound)
	accts, err := s.AccountsOfUser(ctx(t), u.ID, "documents")
	must(t, "AccountsOfUser", err)
	if len(accts) != 1 || accts[0].ID != acct.ID {
		t.Errorf("AccountsOfUser = %+v", accts)
	}
}

func testQueueRefresh(t *testing.T, s store.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	first := newVerification(t, s, u)
	acct := newReportAccount(t, s, u, "payroll")
	var ids []string
	for i := 0; i < 2; i++ {
		v := store.Verification{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, ClientID: u.ClientID, UserID: u.ID,
			Channel: "api", DataSource: "payroll", ReportType: "voe", State: "PENDING", Code: "pending", Errors: json.RawMessage(`[]`),
			Employments: json.RawMessage(`[]`), Loan: json.RawMessage(`{}`), Billing: json.RawMessage(`{}`), CreatedAt: at(60 + i), UpdatedAt: at(60 + i)}
		c := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: v.State, Code: v.Code, Errors: json.RawMessage(`[]`),
			Reason: "refreshed", CreatedAt: v.CreatedAt}
		must(t, "QueueRefresh", s.QueueRefresh(ctx(t), v, c, acct.ID))
		ids = append(ids, v.ID)
	}
	got, err := s.Account(ctx(t), acct.ID)
	must(t, "Account", err)
	if got.Aggregation != store.AggregationPending || got.AggregationAttempts != 0 || got.VerificationID != acct.VerificationID || got.Version != 3 {
		t.Errorf("account after two refreshes: %+v", got)
	}
	waiting, err := s.AccountRefreshes(ctx(t), acct.ID)
	must(t, "AccountRefreshes", err)
	sameIDs(t, "AccountRefreshes", ids, waiting)
	must(t, "DeleteAccountRefresh", s.DeleteAccountRefresh(ctx(t), ids[0]))
	waiting, _ = s.AccountRefreshes(ctx(t), acct.ID)
	sameIDs(t, "AccountRefreshes after a delete", ids[1:], waiting)
	// Another user's account cannot be queued: nothing is written.
	other := newUser(t, s, a, store.Sandbox)
	v := first
	v.ID, v.UserID = store.NewID(), other.ID
	c := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "PENDING", Code: "pending", Errors: json.RawMessage(`[]`), Reason: "refreshed", CreatedAt: at(70)}
	mustErr(t, "QueueRefresh of another user's account", s.QueueRefresh(ctx(t), v, c, acct.ID), store.ErrConflict)
	_, err = s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	mustErr(t, "the refused refresh's verification", err, store.ErrNotFound)
}

func testVerificationsInStatus(t *testing.T, s store.Store) {
	a, b := newTenant(t, s, "A"), newTenant(t, s, "B")
	var want []string
	for i, tn := range []tenant{a, b, a} {
		u := newUser(t, s, tn, store.Sandbox)
		v := newVerification(t, s, u, func(v *store.Verification) {
			v.DataSource, v.State, v.Code, v.UpdatedAt = "documents", "PROCESSING", "documents_processing", at(100-i)
		})
		want = append([]string{v.ID}, want...) // least recently updated first
	}
	newVerification(t, s, newUser(t, s, a, store.Sandbox), func(v *store.Verification) { v.DataSource = "documents" })
	got, err := s.VerificationsInStatus(ctx(t), "documents", "PROCESSING", "documents_processing", 10)
	must(t, "VerificationsInStatus", err)
	mustEqual(t, "VerificationsInStatus", want, ids(got))
	got, _ = s.VerificationsInStatus(ctx(t), "documents", "PROCESSING", "documents_processing", 2)
	mustEqual(t, "VerificationsInStatus limit 2", want[:2], ids(got))
}
