package storetest

import (
	"testing"
	"time"

	"verigate/internal/store/sqlstore"
)

// instanceTests cover the processes' heartbeats.
var instanceTests = []storeTest{
	{"Heartbeats", testHeartbeats},
}

func testHeartbeats(t *testing.T, s *sqlstore.Store) {
	const stale = 3 * time.Second
	n, err := s.Heartbeat(ctx(t), "one", at(0), stale)
	must(t, "Heartbeat", err)
	if n != 1 {
		t.Fatalf("alone: %d processes", n)
	}
	if n, _ = s.Heartbeat(ctx(t), "two", at(0).Add(time.Second), stale); n != 2 {
		t.Fatalf("two processes: %d", n)
	}
	// "one" beats again: still two, not three.
	if n, _ = s.Heartbeat(ctx(t), "one", at(0).Add(2*time.Second), stale); n != 2 {
		t.Fatalf("a second beat counted twice: %d", n)
	}
	// "two" went quiet: after stale it no longer counts.
	if n, _ = s.Heartbeat(ctx(t), "one", at(0).Add(5*time.Second), stale); n != 1 {
		t.Fatalf("a quiet process still counts: %d", n)
	}
	must(t, "LeaveInstances", s.LeaveInstances(ctx(t), "one"))
	if n, _ = s.Heartbeat(ctx(t), "three", at(0).Add(5*time.Second), stale); n != 1 {
		t.Fatalf("after one left: %d", n)
	}
}
