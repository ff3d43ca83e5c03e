// Package usertoken issues and verifies user tokens: short-lived, signed
// JWTs (HS256) that let Link act for one user of one tenant, as the
// platform's Link SDK expects of its userToken.
//
// A token carries the registered claims iss ("verigate"), sub (the user),
// iat, exp (Lifetime after iat) and jti (a random id), and the claims
// client_id, user_id and environment ("sandbox" or "production"). Tokens
// are signed with a key derived from the server secret; they are not
// stored and cannot be revoked before they expire.
package usertoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Lifetime is how long a user token is valid, as on the platform: one hour.
const Lifetime = time.Hour

// Issuer is the iss claim of every token verigate issues.
const Issuer = "verigate"

// Errors Verify returns.
var (
	// ErrExpired means the token was valid but its exp has passed.
	ErrExpired = errors.New("usertoken: expired")
	// ErrInvalid means the token is malformed, tampered with or not verigate's.
	ErrInvalid = errors.New("usertoken: invalid")
)

// Claims is what a user token says.
type Claims struct {
	ClientID    string `json:"client_id"`
	UserID      string `json:"user_id"`
	Environment string `json:"environment"`
	jwt.RegisteredClaims
}

// Tokens issues user tokens with one key and verifies them with any of a
// ring of keys (the current one first, earlier ones after it).
type Tokens struct {
	keys [][]byte
	now  func() time.Time
}

// New returns Tokens whose signing key is derived from secret; now is the
// clock (nil means time.Now).
func New(secret []byte, now func() time.Time) (*Tokens, error) {
	return NewRing([][]byte{secret}, now)
}

// NewRing returns Tokens that sign with a key derived from the first
// secret and verify with keys derived from every one.
func NewRing(secrets [][]byte, now func() time.Time) (*Tokens, error) {
	if len(secrets) == 0 {
		return nil, errors.New("usertoken: no secret")
	}
	if now == nil {
		now = time.Now
	}
	t := &Tokens{now: now}
	for _, secret := range secrets {
		if len(secret) < 32 {
			return nil, errors.New("usertoken: secret shorter than 32 bytes")
		}
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("verigate user-token signing key"))
		t.keys = append(t.keys, m.Sum(nil))
	}
	return t, nil
}

// Issue returns a new token for a user of a client in an environment.
func (t *Tokens) Issue(clientID, userID, environment string) (string, error) {
	return t.IssueAt(clientID, userID, environment, t.now(), Lifetime)
}

// IssueAt is Issue on another clock (a sandbox tenant's) and with another
// lifetime (a sandbox tenant's shorter one).
func (t *Tokens) IssueAt(clientID, userID, environment string, now time.Time, lifetime time.Duration) (string, error) {
	now = now.UTC().Truncate(time.Second)
	c := Claims{ClientID: clientID, UserID: userID, Environment: environment, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: Issuer, Subject: userID, ID: uuid.NewString(),
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.keys[0])
}

// Verify checks a token's signature, issuer and expiry and returns its
// claims: ErrExpired for a genuine token past its exp, ErrInvalid for
// anything else that is not a valid token.
func (t *Tokens) Verify(s string) (Claims, error) {
	c, err := t.Check(s)
	if err == nil && c.ExpiredAt(t.now()) {
		return c, ErrExpired
	}
	return c, err
}

// ExpiredAt reports whether the token has expired at now.
func (c Claims) ExpiredAt(now time.Time) bool {
	return c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Time)
}

// Check is Verify without the expiry, for a caller that checks it on a
// tenant's clock (ExpiredAt): the signature, issuer and claims, and that
// the token has an exp.
func (t *Tokens) Check(s string) (Claims, error) {
	var c Claims
	keys := jwt.VerificationKeySet{}
	for _, k := range t.keys {
		keys.Keys = append(keys.Keys, k)
	}
	_, err := jwt.ParseWithClaims(s, &c, func(*jwt.Token) (any, error) { return keys, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithoutClaimsValidation())
	// Claims validation is off (it would check exp on this clock), so the
	// issuer and the presence of exp are checked here.
	switch {
	case err != nil:
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	case c.Issuer != Issuer || c.ExpiresAt == nil:
		return Claims{}, fmt.Errorf("%w: wrong issuer or no expiry", ErrInvalid)
	case c.UserID == "" || c.UserID != c.Subject || c.ClientID == "" || (c.Environment != "sandbox" && c.Environment != "production"):
		return Claims{}, fmt.Errorf("%w: incomplete claims", ErrInvalid)
	}
	return c, nil
}
