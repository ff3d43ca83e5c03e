package filestore_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"verigate/internal/filestore"
	"verigate/internal/token"
)

func TestSealedFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "files")
	dir, err := filestore.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := token.NewKey()
	c, _ := token.NewRingSealer([][]byte{key}, "files")
	s := &filestore.Sealed{Files: dir, Cipher: c}
	plain := []byte(`{"name":"Bob Jones","ssn":"XXX-XX-1234"}`)
	if err := s.Put("r.json", plain); err != nil {
		t.Fatal(err)
	}
	// On disk: sealed, without the plain text.
	raw, err := os.ReadFile(filepath.Join(root, "r.json"))
	if err != nil || bytes.Contains(raw, []byte("Bob")) || bytes.Contains(raw, []byte("1234")) {
		t.Fatalf("stored in clear: %q, %v", raw, err)
	}
	if got, err := s.Get("r.json"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Get: %q, %v", got, err)
	}
	// The same content again is a no-op; other content is refused.
	if err := s.Put("r.json", plain); err != nil {
		t.Errorf("same content again: %v", err)
	}
	if err := s.Put("r.json", []byte("other")); !errors.Is(err, filestore.ErrExists) {
		t.Errorf("other content: %v", err)
	}
	// A file stored in clear before reads as it is.
	if err := dir.Put("old.json", plain); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get("old.json"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("a file in clear: %q, %v", got, err)
	}
	// A sealed file moved under another name, or opened with another key, does not open.
	if err := dir.Put("moved.json", raw); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("moved.json"); !errors.Is(err, filestore.ErrUnreadable) {
		t.Errorf("moved file: %v", err)
	}
	other, _ := token.NewKey()
	oc, _ := token.NewRingSealer([][]byte{other}, "files")
	if _, err := (&filestore.Sealed{Files: dir, Cipher: oc}).Get("r.json"); !errors.Is(err, filestore.ErrUnreadable) {
		t.Errorf("another key: %v", err)
	}
	if _, err := s.Get("missing.json"); !errors.Is(err, filestore.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if err := s.Remove("r.json"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("r.json"); !errors.Is(err, filestore.ErrNotExist) {
		t.Errorf("after Remove: %v", err)
	}
}

// TestResealDir: Reseal seals every file of a directory, those in clear
// and those sealed with an older key, with the current key: afterwards the
// current key alone opens them all, with their content unchanged.
func TestResealDir(t *testing.T) {
	root := filepath.Join(t.TempDir(), "files")
	dir, _ := filestore.NewDir(root)
	oldKey, _ := token.NewKey()
	newKey, _ := token.NewKey()
	byOld, _ := token.NewRingSealer([][]byte{oldKey}, "files")
	ring, _ := token.NewRingSealer([][]byte{newKey, oldKey}, "files")
	onlyNew, _ := token.NewRingSealer([][]byte{newKey}, "files")
	want := map[string][]byte{"a.json": []byte(`{"a":1}`), "sub/b.pdf": []byte("%PDF-1.4 b"), "clear.json": []byte(`{"c":3}`)}
	old := &filestore.Sealed{Files: dir, Cipher: byOld}
	for _, name := range []string{"a.json", "sub/b.pdf"} {
		if err := old.Put(name, want[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := dir.Put("clear.json", want["clear.json"]); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, ".tmp-123"), []byte("leftover"), 0o600)
	if _, err := (&filestore.Sealed{Files: dir, Cipher: onlyNew}).Get("a.json"); !errors.Is(err, filestore.ErrUnreadable) {
		t.Fatalf("before: the new key opens an old file: %v", err)
	}
	n, err := filestore.Reseal(dir, ring)
	if err != nil || n != 3 {
		t.Fatalf("Reseal: %d, %v", n, err)
	}
	s := &filestore.Sealed{Files: dir, Cipher: onlyNew}
	for name, content := range want {
		if got, err := s.Get(name); err != nil || !bytes.Equal(got, content) {
			t.Errorf("%s after Reseal: %q, %v", name, got, err)
		}
		raw, _ := dir.Get(name)
		if bytes.Equal(raw, content) {
			t.Errorf("%s is still in clear", name)
		}
	}
	if n, err := filestore.Reseal(&filestore.Dir{Path: filepath.Join(root, "never-made")}, ring); err != nil || n != 0 {
		t.Errorf("Reseal of a directory never made: %d, %v", n, err)
	}
}
