package logbuf

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to read while the Writer's timer writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestFlushWritesEverythingInOrder(t *testing.T) {
	var dst lockedBuffer
	w := New(&dst, time.Hour)
	w.Write([]byte("one\n"))
	w.Write([]byte("two\n"))
	if dst.String() != "" {
		t.Fatalf("written before the delay: %q", dst.String())
	}
	w.Flush()
	if dst.String() != "one\ntwo\n" {
		t.Fatalf("after Flush: %q", dst.String())
	}
}

func TestLinesGoOutWithinTheDelay(t *testing.T) {
	var dst lockedBuffer
	w := New(&dst, 20*time.Millisecond)
	w.Write([]byte("line\n"))
	deadline := time.Now().Add(5 * time.Second)
	for dst.String() != "line\n" {
		if time.Now().After(deadline) {
			t.Fatalf("not written out: %q", dst.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	w.Write([]byte("again\n")) // a second batch gets a timer of its own
	for dst.String() != "line\nagain\n" {
		if time.Now().After(deadline) {
			t.Fatalf("second batch not written out: %q", dst.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLargeOutputDoesNotWait(t *testing.T) {
	var dst lockedBuffer
	w := New(&dst, time.Hour)
	line := strings.Repeat("x", 1023) + "\n"
	for range flushSize / len(line) {
		w.Write([]byte(line))
	}
	if len(dst.String()) != flushSize {
		t.Fatalf("%d bytes written out, want %d", len(dst.String()), flushSize)
	}
}

func TestConcurrentLinesStayWhole(t *testing.T) {
	var dst lockedBuffer
	w := New(&dst, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				fmt.Fprintf(w, "goroutine %d line %d end\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(dst.String(), "\n"), "\n")
	if len(lines) != 8*500 {
		t.Fatalf("%d lines, want %d", len(lines), 8*500)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, " end") {
			t.Fatalf("torn line %q", l)
		}
	}
}
