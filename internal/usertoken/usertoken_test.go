package usertoken

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func newTokens(t *testing.T, now *time.Time) *Tokens {
	t.Helper()
	tk, err := New([]byte(strings.Repeat("k", 32)), func() time.Time { return *now })
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestIssueAndVerify(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	tk := newTokens(t, &now)
	s, err := tk.Issue("c1", "u1", "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	// A JWT whose payload carries the documented claims.
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", s)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"client_id": "c1", "user_id": "u1", "sub": "u1", "environment": "sandbox", "iss": "verigate",
		"iat": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix())} {
		if payload[k] != want {
			t.Errorf("claim %s = %v, want %v", k, payload[k], want)
		}
	}
	if id, _ := payload["jti"].(string); len(id) != 36 {
		t.Errorf("jti = %v", payload["jti"])
	}
	c, err := tk.Verify(s)
	if err != nil || c.UserID != "u1" || c.ClientID != "c1" || c.Environment != "sandbox" {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	other, _ := tk.Issue("c1", "u1", "sandbox")
	if other == s {
		t.Error("two tokens issued at once are identical")
	}
}

func TestVerifyRefuses(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	tk := newTokens(t, &now)
	s, _ := tk.Issue("c1", "u1", "production")

	now = now.Add(time.Hour + time.Second)
	if _, err := tk.Verify(s); !errors.Is(err, ErrExpired) {
		t.Errorf("an hour later: %v, want ErrExpired", err)
	}
	now = now.Add(-time.Hour)

	otherKey, _ := New([]byte(strings.Repeat("x", 32)), func() time.Time { return now })
	forged, _ := otherKey.Issue("c1", "u1", "production")
	parts := strings.Split(s, ".")
	for name, bad := range map[string]string{
		"another key's":   forged,
		"tampered":        parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"user_id":"u2","sub":"u2"}`)) + "." + parts[2],
		"unsigned (none)": base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
		"empty":           "",
		"garbage":         "not.a.token",
	} {
		if _, err := tk.Verify(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s token: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := New([]byte("short"), nil); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestRingVerifiesOldTokens(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	before, _ := New(oldKey, clock)
	ring, err := NewRing([][]byte{newKey, oldKey}, clock)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := New(newKey, clock)
	old, _ := before.Issue("c", "u", "sandbox")
	if _, err := ring.Verify(old); err != nil {
		t.Fatalf("the ring refuses a token of its old key: %v", err)
	}
	fresh, _ := ring.Issue("c", "u", "sandbox")
	if _, err := after.Verify(fresh); err != nil {
		t.Fatalf("the ring did not sign with its first key: %v", err)
	}
	if _, err := after.Verify(old); !errors.Is(err, ErrInvalid) {
		t.Fatalf("without the old key its token still verifies: %v", err)
	}
}

// TestIssueAtAndCheck: a token issued on a tenant's clock with a shorter
// lifetime expires on that clock; Check still refuses foreign issuers and
// tokens without an expiry, which Verify's clock never sees.
func TestIssueAtAndCheck(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	tk := newTokens(t, &now)
	ahead := now.Add(48 * time.Hour)
	s, err := tk.IssueAt("c1", "u1", "sandbox", ahead, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tk.Check(s)
	if err != nil || c.ExpiredAt(ahead.Add(29*time.Second)) || !c.ExpiredAt(ahead.Add(30*time.Second)) {
		t.Fatalf("claims %+v, %v: want valid for 30 seconds from %v", c, err, ahead)
	}
	if _, err := tk.Verify(s); err != nil {
		t.Errorf("on the real clock, before its iat: %v", err)
	}
	key := tk.keys[0]
	for name, claims := range map[string]jwt.Claims{
		"another issuer": Claims{ClientID: "c1", UserID: "u1", Environment: "sandbox", RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "someone", Subject: "u1", ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}},
		"no expiry": Claims{ClientID: "c1", UserID: "u1", Environment: "sandbox", RegisteredClaims: jwt.RegisteredClaims{
			Issuer: Issuer, Subject: "u1"}},
	} {
		bad, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
		if _, err := tk.Check(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Check %v, want ErrInvalid", name, err)
		}
		if _, err := tk.Verify(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Verify %v, want ErrInvalid", name, err)
		}
	}
}
