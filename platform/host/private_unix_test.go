//go:build unix

package host_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/platform/host"
)

// privateFile writes a file of this user's, mode 0600, in a new directory.
func privateFile(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestReadPrivateAcceptsTheUsersOwn(t *testing.T) {
	file := privateFile(t)
	if b, err := host.ReadPrivate(file, 64); err != nil || string(b) != "{}" {
		t.Fatalf("%q, %v", b, err)
	}
	if b, err := host.ReadPrivate(file, 1); err != nil || len(b) != 2 {
		t.Fatalf("limit 1: %q, %v; want limit+1 bytes, to tell a file over it", b, err)
	}
	if _, err := host.ReadPrivate(filepath.Join(filepath.Dir(file), "none.json"), 64); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file: %v, want fs.ErrNotExist", err)
	}
}

// A file that anyone else could have written, or may read, is refused, as
// is a link to the user's own private file, and a FIFO (without hanging).
func TestSecurityReadPrivateRefusesWhatIsNotPrivate(t *testing.T) {
	for _, c := range []struct {
		name  string
		spoil func(t *testing.T, file string) string // returns the path to read
		root  bool
	}{
		{"group-writable", chmod(0o620), false},
		{"world-writable", chmod(0o602), false},
		{"world-readable", chmod(0o644), false},
		{"a link to the user's own private file", func(t *testing.T, file string) string {
			link := file + ".link"
			if err := os.Symlink(file, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, false},
		{"a FIFO", func(t *testing.T, file string) string {
			fifo := file + ".fifo"
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			return fifo
		}, false},
		{"owned by uid 65534", func(t *testing.T, file string) string {
			if err := os.Chown(file, nobodyUID, nobodyUID); err != nil {
				t.Fatal(err)
			}
			return file
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.root {
				needRootForOwners(t)
			}
			path := c.spoil(t, privateFile(t))
			b, err := host.ReadPrivate(path, 64)
			if !errors.Is(err, host.ErrNotPrivate) {
				t.Fatalf("read %q, %v; want ErrNotPrivate", b, err)
			}
			t.Log(err)
		})
	}
}

func chmod(mode fs.FileMode) func(*testing.T, string) string {
	return func(t *testing.T, file string) string {
		if err := os.Chmod(file, mode); err != nil {
			t.Fatal(err)
		}
		return file
	}
}
