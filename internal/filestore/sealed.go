package filestore

import (
	"bytes"
	"errors"
	"fmt"
)

// Cipher encrypts and authenticates a file's bytes, bound to its name.
type Cipher interface {
	SealBytes(plain []byte, name string) ([]byte, error)
	OpenBytes(sealed []byte, name string) ([]byte, error)
}

// ErrUnreadable means a sealed file does not open: another key sealed it,
// or it was changed.
var ErrUnreadable = errors.New("filestore: sealed file does not open")

// sealedMagic starts every sealed file; a file without it was stored in
// clear before files were sealed, and is read as it is. Files are reports
// (JSON, PDF) and uploads (PDF, PNG, JPEG), none of which starts so.
var sealedMagic = []byte("verigate sealed file 1\n")

// Sealed keeps files encrypted at rest in Files with Cipher (reports and
// uploads hold personal data): Get returns the plain content, and a file
// stored in clear before reads as it was.
type Sealed struct {
	Files  Files
	Cipher Cipher
}

// Put stores data sealed under name once. Sealing is randomized, so
// writing the same content again is recognized by opening what is stored.
func (s *Sealed) Put(name string, data []byte) error {
	sealed, err := s.Cipher.SealBytes(data, name)
	if err != nil {
		return fmt.Errorf("filestore: seal %s: %w", name, err)
	}
	err = s.Files.Put(name, append(append([]byte{}, sealedMagic...), sealed...))
	if !errors.Is(err, ErrExists) {
		return err
	}
	if existing, gerr := s.Get(name); gerr == nil && bytes.Equal(existing, data) {
		return nil
	}
	return ErrExists
}

// Get returns the plain content stored under name.
func (s *Sealed) Get(name string) ([]byte, error) {
	b, err := s.Files.Get(name)
	if err != nil {
		return nil, err
	}
	rest, ok := bytes.CutPrefix(b, sealedMagic)
	if !ok {
		return b, nil
	}
	plain, err := s.Cipher.OpenBytes(rest, name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrUnreadable, name)
	}
	return plain, nil
}

// Remove deletes the file stored under name.
func (s *Sealed) Remove(name string) error { return s.Files.Remove(name) }

// Reseal seals every file of d again with c's current key, opening each
// with any key of c (a file stored in clear is sealed too), and returns how
// many it sealed. The content is unchanged, so recorded checksums still
// hold. A file is replaced at once (a rename), so a reseal that stops
// halfway leaves every file readable with c's keys.
func Reseal(d *Dir, c Cipher) (int, error) {
	names, err := d.Names()
	if err != nil {
		return 0, err
	}
	s := &Sealed{Files: d, Cipher: c}
	for i, name := range names {
		plain, err := s.Get(name)
		if err != nil {
			return i, err
		}
		sealed, err := c.SealBytes(plain, name)
		if err != nil {
			return i, fmt.Errorf("filestore: seal %s: %w", name, err)
		}
		if err := d.replace(name, append(append([]byte{}, sealedMagic...), sealed...)); err != nil {
			return i, err
		}
	}
	return len(names), nil
}
