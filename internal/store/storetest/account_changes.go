package storetest

// Conformance tests of the changes a partner makes to a connected account:
// disabling its ongoing refresh and deleting it with its data.

import (
	"encoding/json"
	"slices"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

func testDisableOngoingRefresh(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	acct, other := newAccount(t, s, u), newAccount(t, s, u)
	docs := newAccount(t, s, u, func(x *store.Account) { x.DataSource = "documents" })

	for name, wrong := range map[string]store.Scope{
		"other partner":     newTenant(t, s, "Other").scope(store.Sandbox),
		"other environment": a.scope(store.Production),
	} {
		_, err := s.DisableOngoingRefresh(ctx(t), wrong, acct.ID, at(40))
		mustErr(t, "DisableOngoingRefresh from "+name, err, store.ErrNotFound)
	}
	_, err := s.DisableOngoingRefresh(ctx(t), sc, store.NewID(), at(40))
	mustErr(t, "DisableOngoingRefresh of an unknown account", err, store.ErrNotFound)

	got, err := s.DisableOngoingRefresh(ctx(t), sc, acct.ID, at(40))
	must(t, "DisableOngoingRefresh", err)
	when := stored(at(40))
	want := acct
	want.RefreshDisabledAt, want.UpdatedAt = &when, when
	mustEqual(t, "disabled account", want, got)
	if store.OngoingRefresh(got) != store.OngoingRefreshDisabled {
		t.Errorf("OngoingRefresh = %q, want disabled", store.OngoingRefresh(got))
	}
	// The version stays: an aggregation in flight still saves its outcome.
	running := got
	running.Aggregation = store.AggregationDone
	must(t, "FinishAggregation after disabling", s.FinishAggregation(ctx(t), running, nil))

	again, err := s.DisableOngoingRefresh(ctx(t), sc, acct.ID, at(45))
	must(t, "DisableOngoingRefresh again", err)
	if again.RefreshDisabledAt == nil || !again.RefreshDisabledAt.Equal(when) {
		t.Errorf("disabling again moved the time to %v, want %v", again.RefreshDisabledAt, when)
	}
	read, err := s.AccountInScope(ctx(t), sc, acct.ID)
	must(t, "AccountInScope", err)
	if read.RefreshDisabledAt == nil || !read.RefreshDisabledAt.Equal(when) {
		t.Errorf("read back RefreshDisabledAt = %v", read.RefreshDisabledAt)
	}

	list := func(status string) []string {
		t.Helper()
		rows, err := s.ListAccounts(ctx(t), sc, store.AccountFilter{OngoingRefreshStatus: status}, store.Page{Limit: 10})
		must(t, "ListAccounts", err)
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return ids
	}
	sameIDs(t, "disabled accounts", []string{acct.ID}, list(store.OngoingRefreshDisabled))
	sameIDs(t, "enabled accounts", []string{other.ID}, list(store.OngoingRefreshEnabled))
	sameIDs(t, "idle accounts", []string{docs.ID}, list(store.OngoingRefreshIdle))
}

func testDeleteAccount(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	gone, kept := newAccount(t, s, u), newAccount(t, s, u)
	shapes := []rec{{store.RecordIdentity, "", ""}, {store.RecordPaystub, "2025-01-10", ""}, {store.RecordDepositDestination, "", ""}}
	goneRecs, keptRecs := addRecords(t, s, &gone, shapes), addRecords(t, s, &kept, shapes)
	up := store.Upload{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, AccountID: gone.ID,
		DocumentType: "W-2", FileName: "w2.pdf", ContentType: "application/pdf", Size: 1, SHA256: "ff", StoredName: "x.pdf",
		Stated: json.RawMessage(`{}`), CreatedAt: stored(at(50))}
	must(t, "CreateUpload", s.CreateUpload(ctx(t), up))
	v := newVerification(t, s, u)
	must(t, "QueueAccountRefresh", s.QueueAccountRefresh(ctx(t), v.ID, u.ID, gone.ID, at(55)))

	for name, wrong := range map[string]store.Scope{
		"other partner":     newTenant(t, s, "Other").scope(store.Sandbox),
		"other environment": a.scope(store.Production),
	} {
		_, err := s.DeleteAccount(ctx(t), wrong, gone.ID)
		mustErr(t, "DeleteAccount from "+name, err, store.ErrNotFound)
	}
	if _, err := s.AccountInScope(ctx(t), sc, gone.ID); err != nil {
		t.Fatalf("a refused deletion deleted the account: %v", err)
	}

	got, err := s.DeleteAccount(ctx(t), sc, gone.ID)
	must(t, "DeleteAccount", err)
	if got.ID != gone.ID || got.UserID != u.ID || !slices.Equal(got.UploadFiles, []string{"x.pdf"}) {
		t.Errorf("DeleteAccount returned %+v", got)
	}
	_, err = s.AccountInScope(ctx(t), sc, gone.ID)
	mustErr(t, "AccountInScope after deletion", err, store.ErrNotFound)
	for _, r := range goneRecs {
		_, err := s.RecordInScope(ctx(t), sc, r.Kind, r.ID)
		mustErr(t, "record "+r.Kind+" after deletion", err, store.ErrNotFound)
	}
	for _, r := range keptRecs {
		_, err := s.RecordInScope(ctx(t), sc, r.Kind, r.ID)
		must(t, "record of the other account", err)
	}
	_, err = s.Upload(ctx(t), sc, up.ID)
	mustErr(t, "upload after deletion", err, store.ErrNotFound)
	waiting, err := s.AccountRefreshes(ctx(t), gone.ID)
	must(t, "AccountRefreshes", err)
	if len(waiting) != 0 {
		t.Errorf("refreshes of a deleted account: %v", waiting)
	}
	_, err = s.DeleteAccount(ctx(t), sc, gone.ID)
	mustErr(t, "DeleteAccount twice", err, store.ErrNotFound)
}
