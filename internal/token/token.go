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

// Sealer seals and opens tokens for one purpose; tokens of another purpose
// do not open. It seals with its first key and opens with any of them, so
// keys can be rotated: a new key first, the old ones after it until what
// they sealed has expired or been sealed again.
type Sealer struct {
	aeads   []cipher.AEAD
	purpose []byte
}

// NewSealer derives a purpose-bound key from secret.
func NewSealer(secret []byte, purpose string) (*Sealer, error) {
	return NewRingSealer([][]byte{secret}, purpose)
}

// NewRingSealer derives purpose-bound keys from secrets: the first seals,
// every one opens.
func NewRingSealer(secrets [][]byte, purpose string) (*Sealer, error) {
	if len(secrets) == 0 {
		return nil, errors.New("token: no secret")
	}
	s := &Sealer{purpose: []byte(purpose)}
	for _, secret := range secrets {
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
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal encodes v as JSON and returns it encrypted and authenticated.
func (s *Sealer) Seal(v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	aead := s.aeads[0]
	ns := aead.NonceSize()
	buf := make([]byte, ns, ns+len(plain)+aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	sealed := aead.Seal(buf, buf[:ns], plain, s.purpose)
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open authenticates tok and decodes its claims into v.
func (s *Sealer) Open(tok string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return ErrInvalid
	}
	for _, aead := range s.aeads {
		ns := aead.NonceSize()
		if len(raw) < ns+aead.Overhead() {
			return ErrInvalid
		}
		plain, err := aead.Open(nil, raw[:ns], raw[ns:], s.purpose)
		if err != nil {
			continue // sealed with another key of the ring, or forged
		}
		if err := json.Unmarshal(plain, v); err != nil {
			return ErrInvalid
		}
		return nil
	}
	return ErrInvalid
}

// SealBytes returns plain encrypted and authenticated, bound to name (which
// must be given again to open it): for files, which are not JSON claims.
func (s *Sealer) SealBytes(plain []byte, name string) ([]byte, error) {
	aead := s.aeads[0]
	ns := aead.NonceSize()
	buf := make([]byte, ns, ns+len(plain)+aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	return aead.Seal(buf, buf[:ns], plain, s.boundTo(name)), nil
}

// OpenBytes authenticates what SealBytes sealed under name and returns it.
func (s *Sealer) OpenBytes(sealed []byte, name string) ([]byte, error) {
	ad := s.boundTo(name)
	for _, aead := range s.aeads {
		ns := aead.NonceSize()
		if len(sealed) < ns+aead.Overhead() {
			return nil, ErrInvalid
		}
		if plain, err := aead.Open(nil, sealed[:ns], sealed[ns:], ad); err == nil {
			return plain, nil
		}
	}
	return nil, ErrInvalid
}

// boundTo is the additional data of a value sealed under name.
func (s *Sealer) boundTo(name string) []byte {
	return append(append(append([]byte{}, s.purpose...), 0), name...)
}
