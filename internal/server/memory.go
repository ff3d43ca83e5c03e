package server

import "runtime/debug"

// DefaultMemoryLimit is the soft limit `verigate serve` puts on the Go
// runtime's memory when GOMEMLIMIT is not set. It is a little above what the
// runtime holds under the soak in docs/perf.md (a 5–9 MiB live heap, about
// 22 MiB in all), so that the collector costs no more there, and it makes
// memory freed after a burst go back to the system at once. It is soft: a
// process that needs more gets it, with more frequent collections.
const DefaultMemoryLimit = 24 << 20

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
