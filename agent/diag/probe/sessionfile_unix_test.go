//go:build unix

package probe

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// The file holds a secret: it is written 0600, and read only when it is
// the user's own and nobody else may read or write it, never through a
// link, even to the user's own good file.
func TestSessionFileIsPrivate(t *testing.T) {
	peer := newSessionPeer(t)
	path := filepath.Join(roottest.Dir(t), "tls-sessions.json")
	saveSessions(t, peer, path, "net-a")
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, m)
	}

	for _, c := range []struct {
		name  string
		spoil func(t *testing.T, path string)
	}{
		{"group-writable", func(t *testing.T, path string) { chmod(t, path, 0o620) }},
		{"world-writable", func(t *testing.T, path string) { chmod(t, path, 0o602) }},
		{"world-readable", func(t *testing.T, path string) { chmod(t, path, 0o644) }},
		{"a link to a good file", func(t *testing.T, path string) {
			real := filepath.Join(t.TempDir(), "elsewhere.json")
			if err := os.Rename(path, real); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, path); err != nil {
				t.Fatal(err)
			}
		}},
		{"owned by uid 65534", func(t *testing.T, path string) {
			roottest.NeedRoot(t, "to give the file to another user")
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(roottest.Dir(t), "tls-sessions.json")
			saveSessions(t, peer, path, "net-a")
			if !resumesFrom(t, peer, path, "net-a", time.Now()) {
				t.Fatal("the good file did not resume a session; the test needs it to")
			}
			c.spoil(t, path)
			if resumesFrom(t, peer, path, "net-a", time.Now()) {
				t.Fatal("a session was resumed from a file that is not private")
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
