package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// userV2Tests cover what the /v2 users API needs beyond userTests: listing
// and deleting a user with everything stored for it.
var userV2Tests = []storeTest{
	{"ListUsers", testListUsers},
	{"DeleteUser", testDeleteUser},
	{"DeleteUserScope", testDeleteUserScope},
}

func testListUsers(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	var ids []string
	for i := range 5 {
		u := newUser(t, s, a, store.Sandbox)
		if i%2 == 0 {
			u.ExternalID = ptr("group-1")
			must(t, "UpdateUser", s.UpdateUser(ctx(t), u))
		}
		ids = append(ids, u.ID)
	}
	newUser(t, s, a, store.Production)
	newUser(t, s, newTenant(t, s, "Other"), store.Sandbox)

	page, err := s.ListUsers(ctx(t), sc, store.UserFilter{}, store.Page{Limit: 3})
	must(t, "ListUsers", err)
	sameIDs(t, "first page", []string{ids[4], ids[3], ids[2]}, userIDs(page))
	page, err = s.ListUsers(ctx(t), sc, store.UserFilter{}, store.Page{Limit: 3, After: ids[2]})
	must(t, "ListUsers after", err)
	sameIDs(t, "second page", []string{ids[1], ids[0]}, userIDs(page))
	page, err = s.ListUsers(ctx(t), sc, store.UserFilter{}, store.Page{Limit: 2, Before: ids[1]})
	must(t, "ListUsers before", err)
	sameIDs(t, "previous page", []string{ids[3], ids[2]}, userIDs(page))
	page, err = s.ListUsers(ctx(t), sc, store.UserFilter{ExternalID: "group-1"}, store.Page{Limit: 10})
	must(t, "ListUsers by external id", err)
	sameIDs(t, "by external id", []string{ids[4], ids[2], ids[0]}, userIDs(page))
	if len(page) > 0 && (page[0].ExternalID == nil || *page[0].ExternalID != "group-1" || page[0].Version != 2) {
		t.Errorf("listed user = %+v", page[0])
	}
	page, err = s.ListUsers(ctx(t), sc, store.UserFilter{ExternalID: "group"}, store.Page{Limit: 10})
	must(t, "ListUsers by a prefix", err)
	sameIDs(t, "by a prefix of an external id (exact matches only)", nil, userIDs(page))
}

func userIDs(us []store.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

// userData is everything the store holds for one user.
type userData struct {
	user    store.User
	verif   store.Verification
	account store.Account
	session string
	// userSession is a Link session opened with the user's token.
	userSession string
	// userReport is a /v2 report generated for the user.
	userReport store.UserReport
	upload     store.Upload
	report     store.Report
	invite     store.Invite
}

// fillUser stores a user with one of each thing a user can have.
func fillUser(t *testing.T, s *sqlstore.Store, tn tenant) userData {
	t.Helper()
	var d userData
	d.user = newUser(t, s, tn, store.Sandbox)
	d.verif = newVerification(t, s, d.user)
	d.account = newAccount(t, s, d.user, func(a *store.Account) { a.VerificationID = d.verif.ID })
	addRecords(t, s, &d.account, []rec{{kind: store.RecordIdentity}, {kind: store.RecordPaystub, date: "2024-01-05"}})
	d.session = store.NewID()
	must(t, "CreateConnectSession", s.CreateConnectSession(ctx(t), store.ConnectSession{ID: d.session, VerificationID: d.verif.ID, Stage: "search",
		CreatedAt: at(1), UpdatedAt: at(1)}))
	d.userSession = store.NewID()
	must(t, "CreateConnectSession", s.CreateConnectSession(ctx(t), store.ConnectSession{ID: d.userSession, UserID: d.user.ID, Stage: "search",
		CreatedAt: at(1), UpdatedAt: at(1)}))
	refreshed := newVerification(t, s, d.user)
	must(t, "QueueAccountRefresh", s.QueueAccountRefresh(ctx(t), refreshed.ID, d.user.ID, d.account.ID, at(5)))
	docs := newReportAccount(t, s, d.user, "documents")
	d.upload = store.Upload{ID: store.NewID(), PartnerID: d.user.PartnerID, Environment: d.user.Environment, UserID: d.user.ID, AccountID: docs.ID,
		DocumentType: "W-2", FileName: "w2.pdf", ContentType: "application/pdf", Size: 1, SHA256: "ff",
		StoredName: "upload-" + d.user.ID + ".pdf", Stated: json.RawMessage(`{}`), CreatedAt: stored(at(50))}
	must(t, "CreateUpload", s.CreateUpload(ctx(t), d.upload))
	d.report = store.Report{ID: store.NewID(), PartnerID: d.user.PartnerID, Environment: d.user.Environment, VerificationID: d.verif.ID, UserID: d.user.ID,
		Type: "voie", Schema: "verigate.report/v1", PDFName: "report-" + d.user.ID + ".pdf", JSONName: "report-" + d.user.ID + ".json", CreatedAt: stored(at(40))}
	must(t, "CreateReport", s.CreateReport(ctx(t), d.report))
	d.invite = newInvite(t, s, d.user)
	d.userReport = store.UserReport{ID: store.NewID(), PartnerID: d.user.PartnerID, Environment: d.user.Environment, UserID: d.user.ID,
		Type: "voie", Schema: "verigate.report/v1", Metadata: json.RawMessage(`{}`), Accounts: json.RawMessage(`[]`),
		PDFName: "user-report-" + d.user.ID + ".pdf", JSONName: "user-report-" + d.user.ID + ".json", CreatedAt: stored(at(45))}
	must(t, "CreateUserReport", s.CreateUserReport(ctx(t), d.userReport))
	return d
}

// present reports which of d's records the store still has.
func present(t *testing.T, s *sqlstore.Store, d userData) map[string]bool {
	t.Helper()
	sc := store.Scope{PartnerID: d.user.PartnerID, Environment: d.user.Environment}
	out := map[string]bool{}
	found := func(what string, err error) {
		switch {
		case err == nil:
			out[what] = true
		case !isNotFound(err):
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := s.User(ctx(t), sc, d.user.ID)
	found("user", err)
	_, err = s.Verification(ctx(t), sc, d.verif.ID)
	found("verification", err)
	h, err := s.StatusHistory(ctx(t), d.verif.ID)
	must(t, "StatusHistory", err)
	out["status history"] = len(h) > 0
	_, err = s.Account(ctx(t), d.account.ID)
	found("account", err)
	for _, kind := range []string{store.RecordIdentity, store.RecordPaystub} {
		recs, err := s.AccountRecords(ctx(t), d.account.ID, kind)
		must(t, "AccountRecords", err)
		out["records "+kind] = len(recs) > 0
	}
	_, err = s.ConnectSession(ctx(t), d.session)
	found("connect session", err)
	_, err = s.ConnectSession(ctx(t), d.userSession)
	found("user-token connect session", err)
	refreshes, err := s.AccountRefreshes(ctx(t), d.account.ID)
	must(t, "AccountRefreshes", err)
	out["account refreshes"] = len(refreshes) > 0
	_, err = s.Upload(ctx(t), sc, d.upload.ID)
	found("upload", err)
	accts, err := s.AccountsOfUser(ctx(t), d.user.ID, "documents")
	must(t, "AccountsOfUser", err)
	out["documents account"] = len(accts) > 0
	_, err = s.Report(ctx(t), sc, d.report.ID)
	found("report", err)
	_, err = s.Invite(ctx(t), sc, d.invite.ID)
	found("invite", err)
	_, err = s.UserReport(ctx(t), sc, d.userReport.ID)
	found("user report", err)
	return out
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

var errRollback = errors.New("roll back")

func testDeleteUser(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	gone, kept := fillUser(t, s, a), fillUser(t, s, a)
	before := present(t, s, gone)
	for what, ok := range before {
		if !ok {
			t.Fatalf("fixture: %s missing before the delete", what)
		}
	}
	deleted, err := s.DeleteUser(ctx(t), a.scope(store.Sandbox), gone.user.ID)
	must(t, "DeleteUser", err)
	mustEqual(t, "uploaded files", []string{gone.upload.StoredName}, deleted.UploadFiles)
	mustEqual(t, "report files", []string{gone.report.PDFName, gone.report.JSONName, gone.userReport.PDFName, gone.userReport.JSONName}, deleted.ReportFiles)
	for what, ok := range present(t, s, gone) {
		if ok {
			t.Errorf("the deleted user's %s is still stored", what)
		}
	}
	for what, ok := range present(t, s, kept) {
		if !ok {
			t.Errorf("the other user's %s was removed", what)
		}
	}
	_, err = s.DeleteUser(ctx(t), a.scope(store.Sandbox), gone.user.ID)
	mustErr(t, "DeleteUser again", err, store.ErrNotFound)

	// A delete that fails inside a caller's transaction removes nothing.
	err = s.InTx(ctx(t), func(c context.Context) error {
		if _, err := s.DeleteUser(c, a.scope(store.Sandbox), kept.user.ID); err != nil {
			return err
		}
		return errRollback
	})
	mustErr(t, "rolled back delete", err, errRollback)
	for what, ok := range present(t, s, kept) {
		if !ok {
			t.Errorf("after a rolled-back delete, the user's %s is gone", what)
		}
	}
}

func testDeleteUserScope(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Other")
	d := fillUser(t, s, a)
	for _, sc := range []store.Scope{b.scope(store.Sandbox), a.scope(store.Production)} {
		_, err := s.DeleteUser(ctx(t), sc, d.user.ID)
		mustErr(t, "DeleteUser out of scope", err, store.ErrNotFound)
	}
	_, err := s.DeleteUser(ctx(t), a.scope(store.Sandbox), store.NewID())
	mustErr(t, "DeleteUser unknown", err, store.ErrNotFound)
	for what, ok := range present(t, s, d) {
		if !ok {
			t.Errorf("a refused delete removed the user's %s", what)
		}
	}
}

// newInvite stores an invite for u and returns it as the store gives it back.
func newInvite(t *testing.T, s *sqlstore.Store, u store.User, mods ...func(*store.Invite)) store.Invite {
	t.Helper()
	in := store.Invite{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, Token: "tok-" + store.NewID(),
		FirstName: "Zoë", LastName: "O'Brien", Email: "zoe@example.com", Status: "sent",
		FlowItems: []string{}, ReplyTo: []string{}, Deliveries: json.RawMessage(`[]`),
		InvitedAt: at(70), CreatedAt: at(70), UpdatedAt: at(70)}
	for _, m := range mods {
		m(&in)
	}
	must(t, "CreateInvite", s.CreateInvite(ctx(t), in))
	in.InvitedAt, in.CreatedAt, in.UpdatedAt, in.Version = stored(in.InvitedAt), stored(in.CreatedAt), stored(in.UpdatedAt), 1
	if in.RevokedAt != nil {
		r := stored(*in.RevokedAt)
		in.RevokedAt = &r
	}
	return in
}
