package storetest

import (
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// reportTests cover reports.
var reportTests = []storeTest{
	{"ReportRoundTrip", testReportRoundTrip},
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
