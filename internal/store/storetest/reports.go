package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// reportTests cover reports.
var reportTests = []storeTest{
	{"ReportRoundTrip", testReportRoundTrip},
	{"UserReports", testUserReports},
	{"ReportPDFRecordedOnce", testReportPDFRecordedOnce},
}

func testReportRoundTrip(t *testing.T, s *sqlstore.Store) {
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

func testUserReports(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	u1, u2 := newUser(t, s, a, store.Sandbox), newUser(t, s, a, store.Sandbox)
	synced := stored(at(10))
	var reps []store.UserReport // oldest first
	for i, u := range []store.User{u1, u2, u1} {
		r := store.UserReport{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, Type: "voe",
			Schema: "verigate.report/v1", Metadata: json.RawMessage(`{"purpose":"Zoë"}`),
			Accounts: json.RawMessage(`[{"id":"a","item":"item_000000001","last_synced_at":"2025-01-01T00:00:00.000Z"}]`),
			PDFName:  "x.pdf", PDFSHA256: "ab", PDFSize: 1 << 40, JSONName: "x.json", JSONSHA256: "cd", JSONSize: 7,
			CreatedAt: stored(at(40 + i))}
		if i == 0 {
			r.LastSyncedAt, r.ExternalID = &synced, ptr("Zoë-1")
		}
		must(t, "CreateUserReport", s.CreateUserReport(ctx(t), r))
		reps = append(reps, r)
	}
	for _, r := range reps {
		got, err := s.UserReport(ctx(t), sc, r.ID)
		must(t, "UserReport", err)
		mustEqual(t, "UserReport", r, got)
	}
	_, err := s.UserReport(ctx(t), a.scope(store.Production), reps[0].ID)
	mustErr(t, "UserReport in another environment", err, store.ErrNotFound)
	b := newTenant(t, s, "Other")
	_, err = s.UserReport(ctx(t), b.scope(store.Sandbox), reps[0].ID)
	mustErr(t, "UserReport of another partner", err, store.ErrNotFound)
	mustErr(t, "DeleteUserReport of another partner", s.DeleteUserReport(ctx(t), b.scope(store.Sandbox), reps[0].ID), store.ErrNotFound)

	list := func(user string, p store.Page) []string {
		t.Helper()
		got, err := s.ListUserReports(ctx(t), sc, user, p)
		must(t, "ListUserReports", err)
		var out []string
		for _, r := range got {
			out = append(out, r.ID)
		}
		return out
	}
	sameIDs(t, "all", []string{reps[2].ID, reps[1].ID, reps[0].ID}, list("", store.Page{Limit: 10}))
	sameIDs(t, "user", []string{reps[2].ID, reps[0].ID}, list(u1.ID, store.Page{Limit: 10}))
	sameIDs(t, "after", []string{reps[1].ID}, list("", store.Page{Limit: 1, After: reps[2].ID}))
	sameIDs(t, "before", []string{reps[2].ID, reps[1].ID}, list("", store.Page{Limit: 2, Before: reps[0].ID}))

	n, err := s.CountUserReportsSince(ctx(t), u1.ID, stored(at(40)))
	must(t, "CountUserReportsSince", err)
	if n != 2 {
		t.Errorf("CountUserReportsSince = %d, want 2", n)
	}
	n, err = s.CountUserReportsSince(ctx(t), u1.ID, stored(at(41)).Add(time.Millisecond))
	must(t, "CountUserReportsSince", err)
	if n != 1 {
		t.Errorf("CountUserReportsSince later = %d, want 1", n)
	}

	must(t, "DeleteUserReport", s.DeleteUserReport(ctx(t), sc, reps[0].ID))
	_, err = s.UserReport(ctx(t), sc, reps[0].ID)
	mustErr(t, "UserReport after deletion", err, store.ErrNotFound)
	mustErr(t, "DeleteUserReport again", s.DeleteUserReport(ctx(t), sc, reps[0].ID), store.ErrNotFound)
	sameIDs(t, "after deletion", []string{reps[2].ID}, list(u1.ID, store.Page{Limit: 10}))
}

// testReportPDFRecordedOnce: a report stored before its PDF was rendered
// gets the PDF's checksum and size once; a second recording changes
// nothing, and neither touches another report.
func testReportPDFRecordedOnce(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	u := newUser(t, s, a, store.Sandbox)
	var reps []store.Report
	for range 2 {
		v := newVerification(t, s, u)
		r := store.Report{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, VerificationID: v.ID, UserID: u.ID,
			Type: "voie", Schema: "verigate.report/v1", PDFName: "x.pdf", JSONName: "x.json", JSONSHA256: "cd", JSONSize: 7,
			CreatedAt: stored(at(40))}
		must(t, "CreateReport", s.CreateReport(ctx(t), r))
		reps = append(reps, r)
	}
	must(t, "SetReportPDF", s.SetReportPDF(ctx(t), reps[0].ID, "ab", 1<<40))
	must(t, "SetReportPDF again", s.SetReportPDF(ctx(t), reps[0].ID, "ef", 9))
	want := reps[0]
	want.PDFSHA256, want.PDFSize = "ab", 1<<40
	got, err := s.Report(ctx(t), sc, want.ID)
	must(t, "Report", err)
	mustEqual(t, "Report with its PDF", want, got)
	got, err = s.Report(ctx(t), sc, reps[1].ID)
	must(t, "Report", err)
	mustEqual(t, "the other report", reps[1], got)

	ur := store.UserReport{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, Type: "voe",
		Schema: "verigate.report/v1", Metadata: json.RawMessage(`{}`), Accounts: json.RawMessage(`[]`),
		PDFName: "y.pdf", JSONName: "y.json", JSONSHA256: "cd", JSONSize: 7, CreatedAt: stored(at(41))}
	must(t, "CreateUserReport", s.CreateUserReport(ctx(t), ur))
	must(t, "SetUserReportPDF", s.SetUserReportPDF(ctx(t), ur.ID, "ab", 12))
	must(t, "SetUserReportPDF again", s.SetUserReportPDF(ctx(t), ur.ID, "ef", 9))
	ur.PDFSHA256, ur.PDFSize = "ab", 12
	gotU, err := s.UserReport(ctx(t), sc, ur.ID)
	must(t, "UserReport", err)
	mustEqual(t, "UserReport with its PDF", ur, gotU)
}
