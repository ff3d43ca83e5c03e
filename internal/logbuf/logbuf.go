// Package logbuf batches log output: a line written straight to a pipe or
// file costs a system call each, so lines are gathered and written out
// together, at most a short delay after the first of them.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// flushSize is how much output is written out at once, without waiting.
const flushSize = 64 << 10

// Writer gathers whole writes (a log handler writes one line per call) and
// writes them to its destination in order, within its delay.
type Writer struct {
	mu      sync.Mutex
	dst     io.Writer
	delay   time.Duration
	buf     []byte
	pending *time.Timer
}

// New returns a Writer to dst that holds output for at most delay.
func New(dst io.Writer, delay time.Duration) *Writer {
	return &Writer{dst: dst, delay: delay}
}

// Write takes a copy of p, to be written out within the delay; it never fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	switch {
	case len(w.buf) >= flushSize:
		w.flush()
	case w.pending == nil:
		w.pending = time.AfterFunc(w.delay, func() { w.Flush() })
	}
	return len(p), nil
}

// Flush writes out everything gathered so far.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flush()
}

func (w *Writer) flush() error {
	if w.pending != nil {
		w.pending.Stop()
		w.pending = nil
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.dst.Write(w.buf)
	if cap(w.buf) > 2*flushSize {
		w.buf = nil // after a burst, let the large buffer go
	} else {
		w.buf = w.buf[:0]
	}
	return err
}
