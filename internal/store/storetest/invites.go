package storetest

import (
	"encoding/json"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// inviteTests cover invites.
var inviteTests = []storeTest{
	{"InviteRoundTrip", testInviteRoundTrip},
	{"ListInvites", testListInvites},
	{"AdvanceInvites", testAdvanceInvites},
}

func testAdvanceInvites(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u, other := newUser(t, s, a, store.Sandbox), newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	sent := newInvite(t, s, u)
	initiated := newInvite(t, s, u, func(in *store.Invite) { in.Status = "initiated" })
	revoked := newInvite(t, s, u, func(in *store.Invite) { in.Status = "revoked"; r := at(71); in.RevokedAt = &r })
	elsewhere := newInvite(t, s, other)
	must(t, "AdvanceInvites", s.AdvanceInvites(ctx(t), u.ID, []string{"initiated"}, "attempted", at(90)))
	status := func(in store.Invite) (string, int64) {
		t.Helper()
		got, err := s.Invite(ctx(t), sc, in.ID)
		must(t, "Invite", err)
		return got.Status, got.Version
	}
	for _, c := range []struct {
		in      store.Invite
		status  string
		version int64
	}{{sent, "sent", 1}, {initiated, "attempted", 2}, {revoked, "revoked", 1}, {elsewhere, "sent", 1}} {
		if st, v := status(c.in); st != c.status || v != c.version {
			t.Errorf("invite %s: status %q version %d, want %q %d", c.in.Status, st, v, c.status, c.version)
		}
	}
	must(t, "AdvanceInvites", s.AdvanceInvites(ctx(t), u.ID, []string{"sent", "initiated", "attempted"}, "completed", at(91)))
	for _, in := range []store.Invite{sent, initiated} {
		if st, _ := status(in); st != "completed" {
			t.Errorf("invite %s: status %q after completion", in.ID, st)
		}
	}
	if st, _ := status(revoked); st != "revoked" {
		t.Errorf("a revoked invite became %q", st)
	}
}

func testInviteRoundTrip(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	in := newInvite(t, s, u, func(in *store.Invite) {
		in.PhoneNumber, in.FlowID, in.FlowItems, in.ReplyTo = "+12125555555", ptr("ACME"), []string{"item_000000001"}, []string{"lo@example.com"}
		in.Deliveries = json.RawMessage(`[{"id":"x","method":"email","status":"undelivered"}]`)
	})
	got, err := s.Invite(ctx(t), a.scope(store.Sandbox), in.ID)
	must(t, "Invite", err)
	mustEqual(t, "Invite", in, got)
	_, err = s.Invite(ctx(t), a.scope(store.Production), in.ID)
	mustErr(t, "Invite in another environment", err, store.ErrNotFound)
	_, err = s.Invite(ctx(t), newTenant(t, s, "Other").scope(store.Sandbox), in.ID)
	mustErr(t, "Invite of another partner", err, store.ErrNotFound)

	revoked := at(80)
	got.Status, got.RevokedAt, got.UpdatedAt, got.InvitedAt = "revoked", &revoked, at(80), at(79)
	got.Deliveries = json.RawMessage(`[]`)
	must(t, "UpdateInvite", s.UpdateInvite(ctx(t), got))
	mustErr(t, "UpdateInvite stale", s.UpdateInvite(ctx(t), got), store.ErrConflict)
	again, err := s.Invite(ctx(t), a.scope(store.Sandbox), in.ID)
	must(t, "Invite after update", err)
	want := got
	r := stored(revoked)
	want.RevokedAt, want.UpdatedAt, want.InvitedAt, want.Version = &r, stored(got.UpdatedAt), stored(got.InvitedAt), 2
	mustEqual(t, "Invite after update", want, again)

	dup := in
	dup.ID = store.NewID()
	mustErr(t, "an invite with the same token", s.CreateInvite(ctx(t), dup), store.ErrDuplicate)
}

func testListInvites(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	sc := a.scope(store.Sandbox)
	i0 := newInvite(t, s, u, func(in *store.Invite) { in.ReplyTo = []string{"a_b@example.com", "c@example.com"} })
	i1 := newInvite(t, s, u, func(in *store.Invite) { in.Status = "revoked"; in.ReplyTo = []string{"axb@example.com"} })
	i2 := newInvite(t, s, u, func(in *store.Invite) { in.Status = "completed" })
	newInvite(t, s, newUser(t, s, a, store.Production))
	ids := func(f store.InviteFilter, p store.Page) []string {
		t.Helper()
		list, err := s.ListInvites(ctx(t), sc, f, p)
		must(t, "ListInvites", err)
		var out []string
		for _, in := range list {
			out = append(out, in.ID)
		}
		return out
	}
	sameIDs(t, "all", []string{i2.ID, i1.ID, i0.ID}, ids(store.InviteFilter{}, store.Page{Limit: 10}))
	sameIDs(t, "page 2", []string{i0.ID}, ids(store.InviteFilter{}, store.Page{Limit: 2, After: i1.ID}))
	sameIDs(t, "previous", []string{i2.ID}, ids(store.InviteFilter{}, store.Page{Limit: 2, Before: i1.ID}))
	sameIDs(t, "by statuses", []string{i2.ID, i0.ID}, ids(store.InviteFilter{Statuses: []string{"sent", "completed"}}, store.Page{Limit: 10}))
	sameIDs(t, "by reply_to", []string{i0.ID}, ids(store.InviteFilter{ReplyTo: "a_b@example.com"}, store.Page{Limit: 10}))
	sameIDs(t, "by reply_to, wildcards are literal", nil, ids(store.InviteFilter{ReplyTo: "a%"}, store.Page{Limit: 10}))
	sameIDs(t, "by a part of an address", nil, ids(store.InviteFilter{ReplyTo: "c@example"}, store.Page{Limit: 10}))
}
