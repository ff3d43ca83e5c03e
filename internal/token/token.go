// Package token seals small claims into opaque, URL-safe, tamper-proof strings
// with AES-256-GCM, so that links and user tokens need no database write.
package token

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrInvalid means a token was malformed, forged or sealed for another purpose.
var ErrInvalid = errors.New("token: invalid")

// KeySize is the length of the secret a Sealer is made from.
const KeySize = 32

// NewKey returns a fresh random secret for NewSealer.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	_, err := rand.Read(k)
	return k, err
}

// Sealer seals and opens tokens for one purpose; tokens of another purpose do not open.
type Sealer struct {
	aead    cipher.AEAD
	purpose []byte
}

// NewSealer derives a purpose-bound key from secret.
func NewSealer(secret []byte, purpose string) (*Sealer, error) {
	if len(secret) < KeySize {
		return nil, fmt.Errorf("token: secret must be at least %d bytes", KeySize)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("verigate token key: " + purpose))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, purpose: []byte(purpose)}, nil
}

// Seal encodes v as JSON and returns it encrypted and authenticated.
func (s *Sealer) Seal(v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	ns := s.aead.NonceSize()
	buf := make([]byte, ns, ns+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	sealed := s.aead.Seal(buf, buf[:ns], plain, s.purpose)
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open authenticates tok and decodes its claims into v.
func (s *Sealer) Open(tok string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	ns := s.aead.NonceSize()
	if err != nil || len(raw) < ns+s.aead.Overhead() {
		return ErrInvalid
	}
	plain, err := s.aead.Open(nil, raw[:ns], raw[ns:], s.purpose)
	if err != nil {
		return ErrInvalid
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return ErrInvalid
	}
	return nil
}
