package filestore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDirImmutable(t *testing.T) {
	root := filepath.Join(t.TempDir(), "reports")
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("the directory exists before the first file: %v", err)
	}
	if err := d.Put("a.json", []byte("one")); err != nil {
		t.Fatal(err)
	}
	// The same content again is fine; other content under the name is refused.
	if err := d.Put("a.json", []byte("one")); err != nil {
		t.Errorf("same content: %v", err)
	}
	if err := d.Put("a.json", []byte("two")); !errors.Is(err, ErrExists) {
		t.Errorf("overwrite: %v", err)
	}
	b, err := d.Get("a.json")
	if err != nil || string(b) != "one" {
		t.Errorf("get: %q %v", b, err)
	}
	fi, _ := os.Stat(filepath.Join(root, "a.json"))
	if fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("file mode %v is writable", fi.Mode())
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if _, err := Verify(b, Checksum([]byte("one"))); err != nil {
		t.Error(err)
	}
	if _, err := Verify([]byte("tampered"), Checksum([]byte("one"))); !errors.Is(err, ErrChecksum) {
		t.Errorf("tampered: %v", err)
	}
	for _, bad := range []string{"../x", "/etc/passwd", "", "a b"} {
		if err := d.Put(bad, nil); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if _, err := d.Get("missing.pdf"); !errors.Is(err, ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	f, _ := os.CreateTemp(t.TempDir(), "file")
	f.Close()
	if _, err := NewDir(f.Name()); err == nil {
		t.Error("a file accepted as the directory")
	}
}

func TestMem(t *testing.T) {
	var m Mem
	if err := m.Put("x", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := m.Put("x", []byte("2")); !errors.Is(err, ErrExists) {
		t.Errorf("overwrite: %v", err)
	}
	if b, _ := m.Get("x"); string(b) != "1" {
		t.Errorf("got %q", b)
	}
}

// TestDirOwnerOnly: stored files and the directories made for them are
// readable by their owner only (reports and uploads hold personal data).
func TestDirOwnerOnly(t *testing.T) {
	root := filepath.Join(t.TempDir(), "uploads")
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Put("2026/12/a.pdf", []byte("%PDF-")); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{
		root: 0o700 | os.ModeDir, filepath.Join(root, "2026"): 0o700 | os.ModeDir, filepath.Join(root, "2026", "12", "a.pdf"): 0o400,
	} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), want)
		}
	}
}
