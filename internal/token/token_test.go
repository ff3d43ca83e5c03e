package token

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

type claims struct {
	A string `json:"a"`
	N int    `json:"n"`
}

func TestSealOpen(t *testing.T) {
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	links, _ := NewSealer(key, "links")
	users, _ := NewSealer(key, "users")
	tok, err := links.Seal(claims{A: "x", N: 7})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(tok, "+/=") {
		t.Fatalf("token %q is not URL-safe", tok)
	}
	var got claims
	if err := links.Open(tok, &got); err != nil || got != (claims{A: "x", N: 7}) {
		t.Fatalf("Open = %+v, %v", got, err)
	}
	again, _ := links.Seal(claims{A: "x", N: 7})
	if again == tok {
		t.Fatal("two seals of the same claims are equal; the nonce is not random")
	}
	// Another purpose, another key, a flipped character or a cut token do not open.
	other, _ := NewKey()
	stranger, _ := NewSealer(other, "links")
	flipped := []byte(tok)
	flipped[len(flipped)/2] ^= 1
	for name, try := range map[string]func() error{
		"other purpose": func() error { return users.Open(tok, &got) },
		"other key":     func() error { return stranger.Open(tok, &got) },
		"flipped":       func() error { return links.Open(string(flipped), &got) },
		"cut":           func() error { return links.Open(tok[:len(tok)-4], &got) },
		"empty":         func() error { return links.Open("", &got) },
		"not base64":    func() error { return links.Open("***", &got) },
	} {
		if err := try(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if _, err := NewSealer(key[:16], "short"); err == nil {
		t.Error("a 16-byte secret was accepted")
	}
}

// TestRingRotation: a ring seals with its first key and opens what any of
// its keys sealed; a ring without the old key no longer opens its tokens.
func TestRingRotation(t *testing.T) {
	oldKey, _ := NewKey()
	newKey, _ := NewKey()
	before, err := NewSealer(oldKey, "p")
	if err != nil {
		t.Fatal(err)
	}
	during, err := NewRingSealer([][]byte{newKey, oldKey}, "p")
	if err != nil {
		t.Fatal(err)
	}
	after, _ := NewSealer(newKey, "p")
	old, _ := before.Seal("sealed before")
	var got string
	if err := during.Open(old, &got); err != nil || got != "sealed before" {
		t.Fatalf("the ring does not open what its old key sealed: %v", err)
	}
	fresh, _ := during.Seal("sealed during")
	if err := after.Open(fresh, &got); err != nil || got != "sealed during" {
		t.Fatalf("the ring did not seal with its first key: %v", err)
	}
	if err := after.Open(old, &got); err != ErrInvalid {
		t.Fatalf("a ring without the old key opened its token: %v", err)
	}
	if _, err := NewRingSealer(nil, "p"); err == nil {
		t.Error("an empty ring was accepted")
	}
	if _, err := NewRingSealer([][]byte{newKey, []byte("short")}, "p"); err == nil {
		t.Error("a short key in the ring was accepted")
	}
}

func TestSealBytes(t *testing.T) {
	key, _ := NewKey()
	old, _ := NewKey()
	files, err := NewRingSealer([][]byte{key, old}, "files")
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"ssn":"XXX-XX-1234"}`)
	sealed, err := files.SealBytes(plain, "a.json")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("1234")) {
		t.Fatal("the sealed bytes hold the plain text")
	}
	if got, err := files.OpenBytes(sealed, "a.json"); err != nil || string(got) != string(plain) {
		t.Fatalf("OpenBytes: %q, %v", got, err)
	}
	// Sealed with the older key of the ring: still opens.
	byOld, _ := NewRingSealer([][]byte{old}, "files")
	s2, _ := byOld.SealBytes(plain, "a.json")
	if got, err := files.OpenBytes(s2, "a.json"); err != nil || string(got) != string(plain) {
		t.Fatalf("sealed with an older key: %q, %v", got, err)
	}
	other, _ := NewRingSealer([][]byte{key}, "personal-data")
	flipped := append([]byte{}, sealed...)
	flipped[len(flipped)-1] ^= 1
	for name, open := range map[string]func() ([]byte, error){
		"another name":    func() ([]byte, error) { return files.OpenBytes(sealed, "b.json") },
		"another purpose": func() ([]byte, error) { return other.OpenBytes(sealed, "a.json") },
		"flipped":         func() ([]byte, error) { return files.OpenBytes(flipped, "a.json") },
		"cut":             func() ([]byte, error) { return files.OpenBytes(sealed[:10], "a.json") },
	} {
		if got, err := open(); err != ErrInvalid || got != nil {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
}
