package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"verigate/internal/store/sqlstore"
)

// secretTests cover the stored secrets made on first use.
var secretTests = []storeTest{
	{"Secret", testSecret},
	{"SecretGenError", testSecretGenError},
	{"SecretConcurrentFirstUse", testSecretConcurrentFirstUse},
}

func testSecret(t *testing.T, s *sqlstore.Store) {
	calls := 0
	val := []byte{0, 1, 2, 3, 0xff, 0xfe, 'a', 0}
	gen := func() ([]byte, error) { calls++; return val, nil }
	got, err := s.Secret(ctx(t), "seal", gen)
	must(t, "Secret first", err)
	if !bytes.Equal(got, val) || calls != 1 {
		t.Fatalf("Secret first = %x (gen called %d times), want %x once", got, calls, val)
	}
	got, err = s.Secret(ctx(t), "seal", func() ([]byte, error) { calls++; return []byte("other"), nil })
	must(t, "Secret second", err)
	if !bytes.Equal(got, val) || calls != 1 {
		t.Fatalf("Secret second = %x (gen called %d times), want the stored %x without calling gen", got, calls, val)
	}
	other, err := s.Secret(ctx(t), "cookie", func() ([]byte, error) { return []byte("cookie-secret"), nil })
	must(t, "Secret other name", err)
	if string(other) != "cookie-secret" {
		t.Fatalf("Secret of another name = %q", other)
	}
	got, err = s.Secret(ctx(t), "seal", gen)
	must(t, "Secret third", err)
	if !bytes.Equal(got, val) {
		t.Fatalf("Secret after another name = %x, want %x", got, val)
	}
}

func testSecretGenError(t *testing.T, s *sqlstore.Store) {
	boom := errors.New("boom")
	_, err := s.Secret(ctx(t), "k", func() ([]byte, error) { return nil, boom })
	mustErr(t, "Secret with failing gen", err, boom)
	got, err := s.Secret(ctx(t), "k", func() ([]byte, error) { return []byte("ok"), nil })
	must(t, "Secret after failing gen", err)
	if string(got) != "ok" {
		t.Fatalf("Secret after failing gen = %q, want %q", got, "ok")
	}
}

func testSecretConcurrentFirstUse(t *testing.T, s *sqlstore.Store) {
	const n, rounds = 8, 10
	for r := range rounds {
		name := fmt.Sprint("shared-", r)
		var wg sync.WaitGroup
		results := make([][]byte, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = s.Secret(ctx(t), name, func() ([]byte, error) {
					time.Sleep(time.Millisecond) // let the others reach the store first
					return []byte(fmt.Sprintf("candidate-%d", i)), nil
				})
			}()
		}
		close(start)
		wg.Wait()
		for i := range n {
			must(t, fmt.Sprintf("Secret goroutine %d", i), errs[i])
			if !bytes.Equal(results[i], results[0]) {
				t.Fatalf("round %d: concurrent first Secret calls disagree: %q vs %q", r, results[i], results[0])
			}
		}
		if !strings.HasPrefix(string(results[0]), "candidate-") {
			t.Fatalf("Secret = %q, want one of the generated values", results[0])
		}
		again, err := s.Secret(ctx(t), name, func() ([]byte, error) { return []byte("late"), nil })
		must(t, "Secret after race", err)
		if !bytes.Equal(again, results[0]) {
			t.Fatalf("round %d: Secret after race = %q, want %q", r, again, results[0])
		}
	}
}
