package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestAllowPerKey(t *testing.T) {
	l := New(5)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		if ok, _ := l.Allow("a", now); !ok {
			t.Fatalf("request %d of a burst of 5 refused", i+1)
		}
	}
	ok, wait := l.Allow("a", now)
	if ok || wait <= 0 || wait > 200*time.Millisecond {
		t.Fatalf("sixth request: %v, wait %v; want refused for about 200ms", ok, wait)
	}
	if ok, _ := l.Allow("b", now); !ok {
		t.Fatal("another key was throttled by the first one's requests")
	}
	// A refused request costs nothing: after the wait, exactly one more passes.
	later := now.Add(wait)
	if ok, _ := l.Allow("a", later); !ok {
		t.Fatal("refused after the announced wait")
	}
	if ok, _ := l.Allow("a", later); ok {
		t.Fatal("two requests passed after one token's wait")
	}
}

type fakeInstances struct{ live int }

func (f *fakeInstances) Heartbeat(context.Context, string, time.Time, time.Duration) (int, error) {
	return f.live, nil
}
func (f *fakeInstances) LeaveInstances(context.Context, string) error { return nil }

func TestShareAcrossProcesses(t *testing.T) {
	l := New(10)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	l.Allow("a", now) // a bucket made before the share is known
	l.setProcesses(2)
	passed := 0
	for range 20 {
		if ok, _ := l.Allow("b", now); ok {
			passed++
		}
	}
	if passed != 5 {
		t.Errorf("with two processes a fresh key got %d of a burst of 10, want its share of 5", passed)
	}
	passed = 0
	for range 20 {
		if ok, _ := l.Allow("a", now.Add(time.Hour)); ok {
			passed++
		}
	}
	if passed != 5 {
		t.Errorf("an existing key got %d after the share changed, want 5", passed)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &fakeInstances{live: 4}
	done := make(chan struct{})
	go func() { l.Run(ctx, in, time.Hour, nil); close(done) }()
	deadline := time.Now().Add(2 * time.Second)
	for l.processes() != 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if l.processes() != 4 {
		t.Errorf("after a heartbeat seeing 4 processes: share of %d", l.processes())
	}
}
