package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// sandboxTests cover the sandbox tenants' controls.
var sandboxTests = []storeTest{
	{"SettingsRoundTrip", testSandboxSettings},
	{"RequeueAggregation", testRequeueAggregation},
}

func testRequeueAggregation(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "A"), newTenant(t, s, "B")
	u := newUser(t, s, a, store.Sandbox)
	acct := newAccount(t, s, u, func(x *store.Account) { x.AggregationAttempts = 3 })
	// Another tenant's or environment's key reaches nothing.
	mustErr(t, "another partner", s.RequeueAggregation(ctx(t), b.scope(store.Sandbox), acct.ID, at(40)), store.ErrNotFound)
	mustErr(t, "another environment", s.RequeueAggregation(ctx(t), a.scope(store.Production), acct.ID, at(40)), store.ErrNotFound)
	must(t, "RequeueAggregation", s.RequeueAggregation(ctx(t), a.scope(store.Sandbox), acct.ID, at(40)))
	got, err := s.Account(ctx(t), acct.ID)
	must(t, "Account", err)
	if got.Aggregation != store.AggregationPending || got.AggregationAttempts != 0 || !got.UpdatedAt.Equal(stored(at(40))) || got.Version != acct.Version+1 {
		t.Errorf("requeued account: aggregation %s, attempts %d, updated %v, version %d", got.Aggregation, got.AggregationAttempts, got.UpdatedAt, got.Version)
	}
	// A pending account is not queued twice.
	mustErr(t, "pending", s.RequeueAggregation(ctx(t), a.scope(store.Sandbox), acct.ID, at(41)), store.ErrConflict)
}

func testSandboxSettings(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "A"), newTenant(t, s, "B")
	got, err := s.SandboxSettings(ctx(t), a.Partner.ID)
	must(t, "SandboxSettings", err)
	mustEqual(t, "settings never saved", store.SandboxSettings{PartnerID: a.Partner.ID}, got)
	want := store.SandboxSettings{PartnerID: a.Partner.ID, LinkLifetime: 90 * time.Second, TokenLifetime: 30 * time.Second,
		ClockOffset: 40 * 24 * time.Hour, UpdatedAt: stored(at(5))}
	must(t, "SaveSandboxSettings", s.SaveSandboxSettings(ctx(t), want))
	got, err = s.SandboxSettings(ctx(t), a.Partner.ID)
	must(t, "SandboxSettings", err)
	mustEqual(t, "saved settings", want, got)
	// Saving again replaces them; another partner's are untouched.
	want.LinkLifetime, want.ClockOffset, want.UpdatedAt = 0, time.Hour, stored(at(6))
	must(t, "SaveSandboxSettings", s.SaveSandboxSettings(ctx(t), want))
	got, _ = s.SandboxSettings(ctx(t), a.Partner.ID)
	mustEqual(t, "replaced settings", want, got)
	other, _ := s.SandboxSettings(ctx(t), b.Partner.ID)
	mustEqual(t, "another partner's settings", store.SandboxSettings{PartnerID: b.Partner.ID}, other)
	// In a transaction that rolls back, nothing is saved.
	errRollback := errors.New("roll back")
	err = s.InTx(ctx(t), func(c context.Context) error {
		if err := s.SaveSandboxSettings(c, store.SandboxSettings{PartnerID: b.Partner.ID, ClockOffset: time.Hour, UpdatedAt: at(7)}); err != nil {
			return err
		}
		return errRollback
	})
	mustErr(t, "rolled back", err, errRollback)
	other, _ = s.SandboxSettings(ctx(t), b.Partner.ID)
	mustEqual(t, "settings of a rolled back transaction", store.SandboxSettings{PartnerID: b.Partner.ID}, other)
}
