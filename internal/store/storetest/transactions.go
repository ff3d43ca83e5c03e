package storetest

import (
	"context"
	"errors"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// transactionTests cover InTx: all or nothing, joined by nested calls.
var transactionTests = []storeTest{
	{"CommitsEverything", testInTxCommits},
	{"RollsBackEverything", testInTxRollsBack},
	{"NestedJoins", testInTxNested},
	{"SeesOwnWrites", testInTxSeesOwnWrites},
}

func testInTxCommits(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	next := v
	next.State, next.UpdatedAt = "processing", at(100)
	change := store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "processing", Reason: "r", CreatedAt: at(100)}
	err := s.InTx(ctx(t), func(c context.Context) error {
		if !store.InTransaction(c) {
			t.Error("InTx's context carries no transaction")
		}
		if err := s.UpdateVerification(c, next); err != nil {
			return err
		}
		return s.AddStatusChange(c, change)
	})
	must(t, "InTx", err)
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	if got.State != "processing" || got.Version != 2 {
		t.Errorf("after commit: state %q version %d", got.State, got.Version)
	}
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 2 {
		t.Errorf("history has %d entries after commit, want 2", len(h))
	}
}

func testInTxRollsBack(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	boom := errors.New("boom")
	next := v
	next.State, next.UpdatedAt = "processing", at(100)
	err := s.InTx(ctx(t), func(c context.Context) error {
		if err := s.UpdateVerification(c, next); err != nil {
			return err
		}
		if err := s.AddStatusChange(c, store.StatusChange{ID: store.NewID(), VerificationID: v.ID, State: "processing", Reason: "r", CreatedAt: at(100)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification after rollback", v, got)
	h, err := s.StatusHistory(ctx(t), v.ID)
	must(t, "StatusHistory", err)
	if len(h) != 1 {
		t.Errorf("history has %d entries after rollback, want 1", len(h))
	}
	// A store error inside rolls back what came before it too.
	err = s.InTx(ctx(t), func(c context.Context) error {
		if err := s.UpdateVerification(c, next); err != nil {
			return err
		}
		return s.UpdateVerification(c, next) // stale now
	})
	mustErr(t, "InTx with a stale write", err, store.ErrConflict)
	got, err = s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification after a refused write", v, got)
}

func testInTxNested(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	next := v
	next.State, next.UpdatedAt = "processing", at(100)
	boom := errors.New("boom")
	err := s.InTx(ctx(t), func(c context.Context) error {
		// The inner call joins the outer transaction: its write goes when the outer one fails.
		if err := s.InTx(c, func(c context.Context) error { return s.UpdateVerification(c, next) }); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	got, err := s.Verification(ctx(t), a.scope(store.Sandbox), v.ID)
	must(t, "Verification", err)
	mustEqual(t, "Verification after the outer rollback", v, got)
}

func testInTxSeesOwnWrites(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	u := newUser(t, s, a, store.Sandbox)
	v := newVerification(t, s, u)
	next := v
	next.State, next.UpdatedAt = "processing", at(100)
	err := s.InTx(ctx(t), func(c context.Context) error {
		if err := s.UpdateVerification(c, next); err != nil {
			return err
		}
		got, err := s.Verification(c, a.scope(store.Sandbox), v.ID)
		if err != nil {
			return err
		}
		if got.State != "processing" || got.Version != 2 {
			t.Errorf("read inside the transaction: state %q version %d", got.State, got.Version)
		}
		locked, err := s.VerificationForUpdate(c, a.scope(store.Sandbox), v.ID)
		if err != nil {
			return err
		}
		mustEqual(t, "VerificationForUpdate inside the transaction", got, locked)
		if _, err := s.VerificationForUpdate(c, a.scope(store.Production), v.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("VerificationForUpdate in another environment: %v", err)
		}
		h, err := s.VerificationHead(c, a.scope(store.Sandbox), v.ID)
		if err != nil {
			return err
		}
		if h.State != "processing" {
			t.Errorf("head inside the transaction: %q", h.State)
		}
		return nil
	})
	must(t, "InTx", err)
}
