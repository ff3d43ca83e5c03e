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
	{"ListUploads", testListUploads},
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

func testListUploads(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	sc := a.scope(store.Sandbox)
	u1, u2 := newUser(t, s, a, store.Sandbox), newUser(t, s, a, store.Sandbox)
	acct1, acct2 := newReportAccount(t, s, u1, "documents"), newReportAccount(t, s, u2, "documents")
	var ids []string // oldest first
	for i, c := range []struct {
		u    store.User
		acct string
		typ  string
	}{{u1, acct1.ID, "W-2"}, {u1, acct1.ID, "paystubs"}, {u2, acct2.ID, "W-2"}, {u1, acct1.ID, "W-2"}} {
		up := store.Upload{ID: store.NewID(), PartnerID: c.u.PartnerID, Environment: c.u.Environment, UserID: c.u.ID, AccountID: c.acct,
			DocumentType: c.typ, FileName: "f.pdf", ContentType: "application/pdf", Size: 1, SHA256: "ff", StoredName: "f.pdf",
			Stated: json.RawMessage(`{}`), CreatedAt: stored(at(60 + i))}
		must(t, "CreateUpload", s.CreateUpload(ctx(t), up))
		ids = append(ids, up.ID)
	}
	list := func(f store.UploadFilter, p store.Page) []string {
		t.Helper()
		got, err := s.ListUploads(ctx(t), sc, f, p)
		must(t, "ListUploads", err)
		var out []string
		for _, u := range got {
			out = append(out, u.ID)
		}
		return out
	}
	sameIDs(t, "all", []string{ids[3], ids[2], ids[1], ids[0]}, list(store.UploadFilter{}, store.Page{Limit: 10}))
	sameIDs(t, "user", []string{ids[3], ids[1], ids[0]}, list(store.UploadFilter{UserID: u1.ID}, store.Page{Limit: 10}))
	sameIDs(t, "account", []string{ids[2]}, list(store.UploadFilter{AccountID: acct2.ID}, store.Page{Limit: 10}))
	sameIDs(t, "type", []string{ids[3], ids[0]}, list(store.UploadFilter{UserID: u1.ID, DocumentType: "W-2"}, store.Page{Limit: 10}))
	sameIDs(t, "after", []string{ids[2], ids[1]}, list(store.UploadFilter{}, store.Page{Limit: 2, After: ids[3]}))
	sameIDs(t, "before", []string{ids[2], ids[1]}, list(store.UploadFilter{}, store.Page{Limit: 2, Before: ids[0]}))
	other, err := s.ListUploads(ctx(t), newTenant(t, s, "Other").scope(store.Sandbox), store.UploadFilter{}, store.Page{Limit: 10})
	must(t, "ListUploads of another partner", err)
	if len(other) != 0 {
		t.Errorf("another partner lists %d uploads", len(other))
	}
}
