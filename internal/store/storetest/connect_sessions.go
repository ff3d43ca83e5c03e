package storetest

import (
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// connectSessionTests cover connection sessions.
var connectSessionTests = []storeTest{
	{"ConnectSessionRoundTrip", testConnectSessionRoundTrip},
	{"UserConnectSession", testUserConnectSession},
}

// testUserConnectSession: a Link session opened with a user token belongs
// to a user and no verification; one that names an unknown verification is
// refused.
func testUserConnectSession(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	cs := store.ConnectSession{ID: "user-sess", UserID: u.ID, Stage: "search", CreatedAt: at(1), UpdatedAt: at(1)}
	must(t, "CreateConnectSession", s.CreateConnectSession(ctx(t), cs))
	got, err := s.ConnectSession(ctx(t), "user-sess")
	must(t, "ConnectSession", err)
	want := cs
	want.CreatedAt, want.UpdatedAt, want.Version = stored(cs.CreatedAt), stored(cs.UpdatedAt), 1
	mustEqual(t, "ConnectSession", want, got)
	bad := store.ConnectSession{ID: "bad-sess", VerificationID: store.NewID(), Stage: "search", CreatedAt: at(1), UpdatedAt: at(1)}
	if err := s.CreateConnectSession(ctx(t), bad); err == nil {
		t.Error("a session naming an unknown verification was stored")
	}
}

// testConnectSessionRoundTrip checks every field of a connection session,
// the banking ones (sealed connection, experience, used_at) included.
func testConnectSessionRoundTrip(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	v := newVerification(t, s, newUser(t, s, a, store.Sandbox), func(v *store.Verification) { v.DataSource, v.ReportType = "banking", "voa" })
	cs := store.ConnectSession{ID: "sess-1", VerificationID: v.ID, Stage: "search", Experience: "97f1eccb-241d-4052-8409-fab9e27a589b",
		CreatedAt: at(1), UpdatedAt: at(1)}
	must(t, "CreateConnectSession", s.CreateConnectSession(ctx(t), cs))
	mustErr(t, "CreateConnectSession again", s.CreateConnectSession(ctx(t), cs), store.ErrDuplicate)
	got, err := s.ConnectSession(ctx(t), "sess-1")
	must(t, "ConnectSession", err)
	want := cs
	want.CreatedAt, want.UpdatedAt, want.Version = stored(cs.CreatedAt), stored(cs.UpdatedAt), 1
	mustEqual(t, "ConnectSession", want, got)

	used := at(3)
	got.Stage, got.Item, got.Failures, got.Challenge, got.AttemptedSelection, got.ErrorCode =
		"accounts", "ins_000000001", 2, "", true, "accounts_required"
	got.Connection, got.UsedAt, got.UpdatedAt = "sealed-connection", &used, at(3)
	must(t, "UpdateConnectSession", s.UpdateConnectSession(ctx(t), got))
	mustErr(t, "UpdateConnectSession stale", s.UpdateConnectSession(ctx(t), got), store.ErrConflict)
	again, err := s.ConnectSession(ctx(t), "sess-1")
	must(t, "ConnectSession after update", err)
	want = got
	usedStored := stored(used)
	want.UsedAt, want.UpdatedAt, want.Version = &usedStored, stored(got.UpdatedAt), 2
	mustEqual(t, "ConnectSession after update", want, again)

	// Clearing the connection and the mark.
	again.Connection, again.UsedAt = "", nil
	must(t, "UpdateConnectSession clear", s.UpdateConnectSession(ctx(t), again))
	cleared, err := s.ConnectSession(ctx(t), "sess-1")
	must(t, "ConnectSession after clearing", err)
	if cleared.Connection != "" || cleared.UsedAt != nil || cleared.Experience != cs.Experience || cleared.Version != 3 {
		t.Errorf("after clearing: %+v", cleared)
	}
	_, err = s.ConnectSession(ctx(t), "no-such-session")
	mustErr(t, "ConnectSession unknown", err, store.ErrNotFound)
}
