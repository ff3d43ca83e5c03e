package token

import (
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
