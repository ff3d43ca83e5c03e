package server

import (
	"runtime/debug"
	"testing"
)

// TestSetMemoryLimit: without GOMEMLIMIT the default is applied; with it,
// the limit the runtime took from GOMEMLIMIT is left as it is.
func TestSetMemoryLimit(t *testing.T) {
	orig := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(orig) })

	const operator = 300 << 20 // what the runtime applied from GOMEMLIMIT=300MiB
	debug.SetMemoryLimit(operator)
	limit, fromEnv := SetMemoryLimit(func(k string) string {
		if k == "GOMEMLIMIT" {
			return "300MiB"
		}
		return ""
	})
	if limit != operator || !fromEnv || debug.SetMemoryLimit(-1) != operator {
		t.Errorf("with GOMEMLIMIT: SetMemoryLimit = %d, %v, runtime limit %d; want %d, true, %d",
			limit, fromEnv, debug.SetMemoryLimit(-1), operator, operator)
	}

	limit, fromEnv = SetMemoryLimit(func(string) string { return "" })
	if limit != DefaultMemoryLimit || fromEnv || debug.SetMemoryLimit(-1) != DefaultMemoryLimit {
		t.Errorf("without GOMEMLIMIT: SetMemoryLimit = %d, %v, runtime limit %d; want %d, false, %d",
			limit, fromEnv, debug.SetMemoryLimit(-1), DefaultMemoryLimit, DefaultMemoryLimit)
	}
}
