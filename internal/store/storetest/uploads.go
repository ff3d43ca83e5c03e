package storetest

import (
	"encoding/json"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// uploadTests cover uploaded documents.
var uploadTests = []storeTest{
	{"UploadRoundTrip", testUploadRoundTrip},
}

func testUploadRoundTrip(t *testing.T, s *sqlstore.Store) {
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
