//go:build unix

package platform

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The mode is the caller's whatever the umask, and a link at the path is
// replaced, never followed: the file it pointed to stays as it was.
func TestWriteFileAtomicModeAndLinks(t *testing.T) {
	old := syscall.Umask(0o077)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "clearance-tray.desktop")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("[Desktop Entry]\n"), 0o644, true); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Errorf("%s: %v, want a regular file with mode 0644", path, fi.Mode())
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}
}

// A link named like a leftover is not removed, nor is what it points to.
func TestRemoveStaleTempsLeavesLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-time.Hour)
	os.Chtimes(target, then, then)
	link := filepath.Join(dir, ".ntp.json.clearance-5")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := RemoveStaleTemps(filepath.Join(dir, "ntp.json")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, target} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed (%v)", filepath.Base(p), err)
		}
	}
}
