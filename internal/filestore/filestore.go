// Package filestore keeps verigate's immutable files (generated reports,
// user uploads): each file is written once under a name, with its SHA-256,
// and never overwritten.
package filestore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrExists means a file of that name already exists with other content.
var ErrExists = errors.New("filestore: file exists")

// ErrNotExist means no file has that name.
var ErrNotExist = errors.New("filestore: no such file")

// ErrChecksum means a file's content no longer matches the checksum it was stored with.
var ErrChecksum = errors.New("filestore: checksum mismatch")

// Files stores immutable files by name.
type Files interface {
	// Put writes data under name once. Writing the same content again is a
	// no-op; different content under an existing name is ErrExists.
	Put(name string, data []byte) error
	// Get returns the content stored under name.
	Get(name string) ([]byte, error)
	// Remove deletes a file that nothing references (an orphan of a lost race).
	Remove(name string) error
}

// Checksum returns the lowercase hex SHA-256 of data.
func Checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Verify returns data's content when its SHA-256 is want, else ErrChecksum.
func Verify(data []byte, want string) ([]byte, error) {
	if got := Checksum(data); got != want {
		return nil, fmt.Errorf("%w: stored %s, found %s", ErrChecksum, want, got)
	}
	return data, nil
}

// validName accepts flat names and one level of folders made of safe characters.
func validName(name string) bool {
	if name == "" || len(name) > 200 || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return false
	}
	for _, r := range name {
		ok := r == '-' || r == '_' || r == '.' || r == '/' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// Dir stores files in a directory of the filesystem. Each file is written
// to a temporary file, synced, then linked into place (link fails rather
// than replace an existing file) and made read-only.
type Dir struct {
	Path string
}

// NewDir returns a Dir over path; the directory is created with its first file.
func NewDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("filestore: empty directory path")
	}
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("filestore: %s is not a directory", path)
	}
	return &Dir{Path: path}, nil
}

// Put writes data under name once.
func (d *Dir) Put(name string, data []byte) error {
	if !validName(name) {
		return fmt.Errorf("filestore: invalid name %q", name)
	}
	final := filepath.Join(d.Path, filepath.FromSlash(name))
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	if existing, err := os.ReadFile(final); err == nil {
		return same(existing, data)
	}
	tmp, err := writeTemp(dir, name, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// A hard link never replaces an existing file, unlike rename.
	if err := os.Link(tmp, final); err != nil {
		if existing, rerr := os.ReadFile(final); rerr == nil {
			return same(existing, data)
		}
		return fmt.Errorf("filestore: place %s: %w", name, err)
	}
	syncDir(dir)
	return nil
}

// writeTemp writes data, for the file name, to a read-only temporary file
// in dir, synced, and returns its path.
func writeTemp(dir, name string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("filestore: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Chmod(0o400)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("filestore: write %s: %w", name, err)
	}
	return tmp.Name(), nil
}

func same(existing, data []byte) error {
	if Checksum(existing) == Checksum(data) {
		return nil
	}
	return ErrExists
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// Get reads the file stored under name.
func (d *Dir) Get(name string) ([]byte, error) {
	if !validName(name) {
		return nil, ErrNotExist
	}
	b, err := os.ReadFile(filepath.Join(d.Path, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotExist
	}
	return b, err
}

// Remove deletes the file stored under name.
func (d *Dir) Remove(name string) error {
	if !validName(name) {
		return ErrNotExist
	}
	err := os.Remove(filepath.Join(d.Path, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Mem keeps files in memory; for tests and for an App configured without directories.
type Mem struct {
	mu    sync.Mutex
	files map[string][]byte
}

// Put writes data under name once.
func (m *Mem) Put(name string, data []byte) error {
	if !validName(name) {
		return fmt.Errorf("filestore: invalid name %q", name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	if existing, ok := m.files[name]; ok {
		return same(existing, data)
	}
	m.files[name] = append([]byte(nil), data...)
	return nil
}

// Get returns a copy of the file stored under name.
func (m *Mem) Get(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.files[name]
	if !ok {
		return nil, ErrNotExist
	}
	return append([]byte(nil), b...), nil
}

// Remove deletes the file stored under name.
func (m *Mem) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.files, name)
	return nil
}

// Names lists the files stored in the directory (flat names and one level
// of folders, like the names Put takes), leaving out temporary files.
func (d *Dir) Names() ([]string, error) {
	var names []string
	err := filepath.WalkDir(d.Path, func(path string, e os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) && path == d.Path {
			return filepath.SkipDir // no file was ever stored
		}
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(d.Path, path)
		if err != nil {
			return err
		}
		if name := filepath.ToSlash(rel); validName(name) && !strings.HasPrefix(e.Name(), ".tmp-") {
			names = append(names, name)
		}
		return nil
	})
	return names, err
}

// replace writes data under an existing name in place of its content,
// through a synced temporary file renamed over it: for sealing a file again
// with another key, its content unchanged.
func (d *Dir) replace(name string, data []byte) error {
	if !validName(name) {
		return fmt.Errorf("filestore: invalid name %q", name)
	}
	final := filepath.Join(d.Path, filepath.FromSlash(name))
	dir := filepath.Dir(final)
	tmp, err := writeTemp(dir, name, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("filestore: replace %s: %w", name, err)
	}
	syncDir(dir)
	return nil
}
