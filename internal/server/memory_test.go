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

// TestSetGCPercent: without GOGC the default is applied; with it, the
// percentage the runtime took from GOGC is left as it is.
func TestSetGCPercent(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })

	debug.SetGCPercent(150) // what the runtime applied from GOGC=150
	percent, fromEnv := SetGCPercent(func(k string) string {
		if k == "GOGC" {
			return "150"
		}
		return ""
	})
	if now := debug.SetGCPercent(150); percent != 150 || !fromEnv || now != 150 {
		t.Errorf("with GOGC: SetGCPercent = %d, %v, runtime %d; want 150, true, 150", percent, fromEnv, now)
	}

	percent, fromEnv = SetGCPercent(func(string) string { return "" })
	if now := debug.SetGCPercent(100); percent != DefaultGCPercent || fromEnv || now != DefaultGCPercent {
		t.Errorf("without GOGC: SetGCPercent = %d, %v, runtime %d; want %d, false, %d", percent, fromEnv, now, DefaultGCPercent, DefaultGCPercent)
	}
}
