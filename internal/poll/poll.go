// Package poll runs the loop shared by verigate's background workers: do
// units of work until none is left, then wait for a wake-up or a tick.
package poll

import (
	"context"
	"log/slog"
	"time"
)

// Loop calls step until it reports no work, then sleeps until wake fires or
// every elapses, and repeats until ctx ends. Step errors are logged as what.
func Loop(ctx context.Context, every time.Duration, wake <-chan struct{}, step func(context.Context) (bool, error), log *slog.Logger, what string) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			did, err := step(ctx)
			if err != nil && ctx.Err() == nil {
				log.Error(what, "err", err)
			}
			if !did || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}
