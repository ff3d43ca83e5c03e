// Package ratelimit limits the requests each API key makes per second,
// across every verigate process serving one database: each process limits
// its share of the rate (the rate divided by the processes alive, which
// they learn from heartbeats in the database) with a token bucket of
// golang.org/x/time/rate.
package ratelimit

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// DefaultRate is the platform's documented limit: 50 requests a second per key.
const DefaultRate = 50

// Instances is where processes announce themselves.
type Instances interface {
	// Heartbeat records this process and returns how many are alive.
	Heartbeat(ctx context.Context, id string, now time.Time, staleAfter time.Duration) (int, error)
	// LeaveInstances forgets this process.
	LeaveInstances(ctx context.Context, id string) error
}

// Limiter limits requests per key; the zero value is not usable, use New.
type Limiter struct {
	rate  float64 // per key per second, across all processes
	burst float64 // across all processes
	share atomic.Int64
	keys  sync.Map // key id → *rate.Limiter
	id    string
	mu    sync.Mutex // guards resizing the buckets
}

// New returns a limiter of perSecond requests per key, allowing bursts of
// as many (at least one).
func New(perSecond float64) *Limiter {
	l := &Limiter{rate: perSecond, burst: math.Max(1, perSecond), id: uuid.NewString()}
	l.share.Store(1)
	return l
}

// processes is how many processes share the rate.
func (l *Limiter) processes() int64 { return max(1, l.share.Load()) }

func (l *Limiter) bucket(key string) *rate.Limiter {
	if b, ok := l.keys.Load(key); ok {
		return b.(*rate.Limiter)
	}
	n := float64(l.processes())
	b, _ := l.keys.LoadOrStore(key, rate.NewLimiter(rate.Limit(l.rate/n), int(math.Max(1, math.Ceil(l.burst/n)))))
	return b.(*rate.Limiter)
}

// Allow reports whether the key may make a request at now and, when not,
// how long until it may.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	b := l.bucket(key)
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// setProcesses resizes every bucket to this process's share of the rate.
func (l *Limiter) setProcesses(n int) {
	if n < 1 {
		n = 1
	}
	if l.share.Swap(int64(n)) == int64(n) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys.Range(func(_, b any) bool {
		b.(*rate.Limiter).SetLimit(rate.Limit(l.rate / float64(n)))
		b.(*rate.Limiter).SetBurst(int(math.Max(1, math.Ceil(l.burst/float64(n)))))
		return true
	})
}

// Run announces this process every interval and keeps its share of the
// rate current, until ctx ends.
func (l *Limiter) Run(ctx context.Context, in Instances, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	beat := func() {
		n, err := in.Heartbeat(ctx, l.id, time.Now(), 3*interval)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("rate limit: heartbeat failed; keeping the last share", "err", err)
			}
			return
		}
		l.setProcesses(n)
	}
	beat()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			in.LeaveInstances(context.WithoutCancel(ctx), l.id)
			return
		case <-t.C:
			beat()
		}
	}
}
