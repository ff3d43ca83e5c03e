package sqlstore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"

	"verigate/internal/store"
)

// Cipher seals values into opaque strings and opens them again.
type Cipher interface {
	Seal(v any) (string, error)
	Open(tok string, v any) error
	// SealBytes encrypts and authenticates plain, bound to name.
	SealBytes(plain []byte, name string) ([]byte, error)
	// OpenBytes returns what SealBytes sealed under name.
	OpenBytes(sealed []byte, name string) ([]byte, error)
}

// ProtectPersonalData makes the store encrypt personal data at rest with c
// from now on: users' profiles and every record aggregated from their
// accounts (identities, employments, paystubs, bank data, gigs, ...).
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

// sealedRecordPrefix marks a record value sealed by sealRecord.
const sealedRecordPrefix = "sealed:v2:"

// sealRecord returns one of a record's values (column "data" or
// "rendered") as stored. With a cipher it is compressed (record JSON
// shrinks by about half), sealed under the record's account, kind and
// source id (which the row keeps for good, unlike its id, which an
// upsert may keep from an earlier row) and the column, so that a value
// copied to another row or column does not open; then written as text,
// which both databases store. Without one it is stored in clear.
func (s *Store) sealRecord(r store.AccountRecord, column string, plain json.RawMessage) (string, error) {
	if s.pii == nil {
		return string(plain), nil
	}
	buf := scratch.Get().(*[]byte)
	defer scratch.Put(buf)
	compressed := s2.Encode((*buf)[:cap(*buf)], plain)
	sealed, err := s.pii.SealBytes(compressed, recordBinding(r, column))
	if err != nil {
		return "", err
	}
	// The buffer now holds the text, the compressed value being sealed.
	n := len(sealedRecordPrefix) + base64.RawStdEncoding.EncodedLen(len(sealed))
	text := slices.Grow(compressed[:0], n)[:n]
	base64.RawStdEncoding.Encode(text[copy(text, sealedRecordPrefix):], sealed)
	*buf = text[:0]
	return string(text), nil
}

// scratch holds buffers that sealing and opening records reuse: an
// aggregation seals hundreds of values, a listing opens as many.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// storedRecord returns a record's data and rendering as stored ("" for
// no rendering).
func (s *Store) storedRecord(r store.AccountRecord) (data, rendered string, err error) {
	if data, err = s.sealRecord(r, "data", r.Data); err != nil || len(r.Rendered) == 0 {
		return data, "", err
	}
	rendered, err = s.sealRecord(r, "rendered", r.Rendered)
	return data, rendered, err
}

// openRecord returns a stored record value as JSON: opened when
// sealRecord sealed it, or an identity sealed before schema 20 by
// sealPersonal, or as it is when it was stored in clear.
func (s *Store) openRecord(r store.AccountRecord, column string, stored []byte) (json.RawMessage, error) {
	enc, ok := bytes.CutPrefix(stored, []byte(sealedRecordPrefix))
	if !ok {
		return s.openPersonalBytes(stored)
	}
	if s.pii == nil {
		return nil, errNoCipher
	}
	buf := scratch.Get().(*[]byte)
	defer scratch.Put(buf)
	size := base64.RawStdEncoding.DecodedLen(len(enc))
	sealed := slices.Grow((*buf)[:0], size)[:size]
	*buf = sealed[:0]
	n, err := base64.RawStdEncoding.Decode(sealed, enc)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: record %s: %s is not sealed text: %w", r.ID, column, err)
	}
	compressed, err := s.pii.OpenBytes(sealed[:n], recordBinding(r, column))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: record %s: %s does not open: %w", r.ID, column, err)
	}
	plain, err := s2.Decode(nil, compressed)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: record %s: %s does not decompress: %w", r.ID, column, err)
	}
	return plain, nil
}

// recordBinding names a record value for sealing.
func recordBinding(r store.AccountRecord, column string) string {
	return "account_records/" + r.AccountID + "/" + r.Kind + "/" + r.SourceID + "/" + column
}
