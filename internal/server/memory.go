package server

import "runtime/debug"

// DefaultMemoryLimit is the soft limit `verigate serve` puts on the Go
// runtime's memory when GOMEMLIMIT is not set. The runtime holds about
// 22 MiB under the soak in docs/perf.md (a 5–9 MiB live heap); aggregating
// accounts holds a few MiB more while it runs, and at 24 MiB the collector
// then ran almost without pause. 28 MiB keeps the resident set of the soak
// under 64 MiB and makes memory freed after a burst go back to the system
// at once. It is soft: a process that needs more gets it, with more
// frequent collections.
const DefaultMemoryLimit = 28 << 20

// SetMemoryLimit gives the Go runtime DefaultMemoryLimit unless the operator
// set GOMEMLIMIT (read with getenv), which the runtime has applied already
// and which wins; it returns the limit in force and whether GOMEMLIMIT set it.
func SetMemoryLimit(getenv func(string) string) (limit int64, fromEnv bool) {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1), true
	}
	debug.SetMemoryLimit(DefaultMemoryLimit)
	return DefaultMemoryLimit, false
}

// DefaultGCPercent is the garbage collector's target `verigate serve` sets
// when GOGC is not set: a collection starts when the heap has grown by four
// times the live heap, or earlier when the runtime reaches the memory
// limit. With a live heap of a few MiB the limit ends each cycle, so a
// cycle comes after about twice as much allocation as at Go's default of
// 100 (about half the collector's CPU on the request path, docs/perf.md)
// while memory stays within the limit.
const DefaultGCPercent = 400

// SetGCPercent gives the collector DefaultGCPercent unless the operator set
// GOGC (read with getenv), which the runtime has applied already and which
// wins; it returns the percentage in force (-1 for GOGC=off) and whether
// GOGC set it.
func SetGCPercent(getenv func(string) string) (percent int, fromEnv bool) {
	if getenv("GOGC") != "" {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p, true
	}
	debug.SetGCPercent(DefaultGCPercent)
	return DefaultGCPercent, false
}
