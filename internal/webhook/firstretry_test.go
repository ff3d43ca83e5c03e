package webhook_test

import (
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/webhook"
)

// Dispatcher.FirstRetry (the VERIGATE_WEBHOOK_FIRST_RETRY testing knob)
// replaces the first wait and keeps the doubling.
func TestFirstRetryKnob(t *testing.T) {
	if webhook.Backoff(1) != webhook.FirstRetry || webhook.FirstRetry != 10*time.Second || webhook.Backoff(20) != time.Hour {
		t.Fatalf("default schedule: %v … %v", webhook.Backoff(1), webhook.Backoff(20))
	}
	e := newEnv(t)
	e.app.Dispatcher.FirstRetry = 300 * time.Millisecond
	rc := newReceiver(t, 503, 503, 200)
	e.subscribe(t, e.p, rc.srv.URL, "", false, store.EventVerificationsUpdated)
	e.order(t, "voie")
	e.drain(t)
	for _, step := range []struct {
		wait time.Duration
		want int
	}{
		{299 * time.Millisecond, 1}, {time.Millisecond, 2}, // first wait: 300 ms
		{599 * time.Millisecond, 2}, {time.Millisecond, 3}, // then doubled: 600 ms
	} {
		e.now = e.now.Add(step.wait)
		e.drain(t)
		if n := len(rc.all()); n != step.want {
			t.Fatalf("after +%v: %d attempts, want %d", step.wait, n, step.want)
		}
	}
}
