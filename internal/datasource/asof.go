package datasource

import (
	"context"
	"time"
)

type nowKey struct{}

// WithNow returns a context that tells connectors generating dated data
// (the sandboxes) to aggregate as of now instead of the real time: a
// sandbox tenant's clock may run ahead of it.
func WithNow(ctx context.Context, now time.Time) context.Context {
	return context.WithValue(ctx, nowKey{}, now)
}

// Now returns the time WithNow put in ctx, or clock() when there is none
// (time.Now when clock is nil).
func Now(ctx context.Context, clock func() time.Time) time.Time {
	if t, ok := ctx.Value(nowKey{}).(time.Time); ok {
		return t
	}
	if clock == nil {
		return time.Now()
	}
	return clock()
}
