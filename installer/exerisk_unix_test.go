//go:build unix

package installer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A binary that only root can replace is safe; one that another user, a
// group or everyone can write, or that sits in a directory they can write,
// is named with who.
func TestReplaceableBy(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to own the files as root and others (mandatory in CI)")
		}
		t.Skip("needs root to own the files as root and others")
	}
	dir := t.TempDir() // 0700 under the sticky /tmp
	exe := filepath.Join(dir, "clearance")
	if err := os.WriteFile(exe, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := replaceableBy(exe); got != "" {
		t.Errorf("root's own binary: %q", got)
	}

	os.Chmod(exe, 0o757)
	if got := replaceableBy(exe); !strings.HasPrefix(got, "anyone, since everyone may write to "+exe) {
		t.Errorf("world-writable binary: %q", got)
	}
	os.Chmod(exe, 0o755)

	os.Chown(exe, 65534, 65534)
	if got := replaceableBy(exe); !strings.HasSuffix(got, ", who owns "+exe) {
		t.Errorf("binary owned by uid 65534: %q", got)
	}
	os.Chown(exe, 0, 0)

	os.Chown(dir, 0, 65534)
	os.Chmod(dir, 0o775)
	if got := replaceableBy(exe); !strings.HasPrefix(got, "the members of the group ") || !strings.HasSuffix(got, ", which may write to "+dir) {
		t.Errorf("group-writable directory: %q", got)
	}
}
