package sqlstore

import (
	"bytes"
	"encoding/json"
	"verigate/internal/store"
)

// Cipher seals values into opaque strings and opens them again.
type Cipher interface {
	Seal(v any) (string, error)
	Open(tok string, v any) error
}

// ProtectPersonalData makes the store encrypt personal data at rest with c
// from now on: users' profiles and the identity records aggregated from
// their accounts (names, contact details, birth dates, SSNs, addresses).
// Values stored before stay readable as they are until rewritten. Call it
// before the store serves requests.
func (s *Store) ProtectPersonalData(c Cipher) { s.pii = c }

// sealedPrefix marks an encrypted value; what lacks it was stored in clear.
const sealedPrefix = "sealed:v1:"

// sealPersonal returns raw JSON as the store keeps it: encrypted when the
// store protects personal data.
func (s *Store) sealPersonal(raw json.RawMessage, empty string) (string, error) {
	if len(raw) == 0 {
		raw = json.RawMessage(empty)
	}
	if s.pii == nil {
		return string(raw), nil
	}
	tok, err := s.pii.Seal(raw)
	if err != nil {
		return "", err
	}
	return sealedPrefix + tok, nil
}

// openPersonal returns a stored value as JSON, decrypting it when sealed.
func (s *Store) openPersonal(stored string) (json.RawMessage, error) {
	return s.openPersonalBytes([]byte(stored))
}

// openPersonalBytes is openPersonal for a value scanned as bytes, which it
// returns as they are when they are not sealed.
func (s *Store) openPersonalBytes(stored []byte) (json.RawMessage, error) {
	tok, sealed := bytes.CutPrefix(stored, []byte(sealedPrefix))
	if !sealed {
		return json.RawMessage(stored), nil
	}
	if s.pii == nil {
		return nil, errNoCipher
	}
	var raw json.RawMessage
	if err := s.pii.Open(string(tok), &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// sealRecord returns a record's data as stored: identity records, which
// hold personal data, are sealed; the others (paystubs, employments, ...)
// stay in clear for the reports and listings that read many of them.
func (s *Store) sealRecord(kind string, data json.RawMessage) (string, error) {
	if kind != store.RecordIdentity {
		return string(data), nil
	}
	return s.sealPersonal(data, "{}")
}
