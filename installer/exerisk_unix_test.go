//go:build unix

package installer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// A binary that only root can replace is safe; one that another user, a
// group or everyone can write, or that sits in a directory they can write,
// is named with what is wrong where. The rule is the configuration's, on
// purpose: a shared sticky directory, a directory root's group may write,
// and a link another user owns are warned of too.
func TestExeRisk(t *testing.T) {
	if os.Geteuid() != 0 {
		roottest.Need(t, "needs root to own the files as root and others")
	}
	for _, c := range []struct {
		name    string
		spoil   func(t *testing.T, dir, exe string) string // returns the path at fault
		problem string
	}{
		{"root's own", func(*testing.T, string, string) string { return "" }, ""},
		{"world-writable binary", func(t *testing.T, _, exe string) string { chmod(t, exe, 0o757); return exe }, "may be written by anyone"},
		{"binary of uid 65534", func(t *testing.T, _, exe string) string { chown(t, exe, 65534, 65534); return exe }, "belongs to the user nobody"},
		{"directory a group may write", func(t *testing.T, dir, _ string) string {
			chown(t, dir, 0, 65534)
			chmod(t, dir, 0o775)
			return dir
		}, "may be written by the members of the group"},
		{"directory root's group may write", func(t *testing.T, dir, _ string) string {
			chown(t, dir, 0, 0)
			chmod(t, dir, 0o775)
			return dir
		}, "may be written by the members of the group"},
		{"shared sticky directory, as /tmp", func(t *testing.T, dir, _ string) string {
			chmod(t, dir, 0o777|os.ModeSticky)
			return dir
		}, "is a shared directory that anyone may write to"},
		{"link of uid 65534", func(t *testing.T, dir, exe string) string {
			link := filepath.Join(filepath.Dir(dir), "link")
			if err := os.Symlink(dir, link); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(link, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return link
		}, "is a link that belongs to the user nobody"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(roottest.Dir(t), "bin")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			exe := filepath.Join(dir, "clearance")
			if err := os.WriteFile(exe, nil, 0o755); err != nil {
				t.Fatal(err)
			}
			at := c.spoil(t, dir, exe)
			if filepath.Base(at) == "link" {
				exe = filepath.Join(at, "clearance")
			}
			ue := exeRisk(exe)
			switch {
			case c.problem == "" && ue != nil:
				t.Fatalf("root's own binary: %v", ue)
			case c.problem == "":
			case ue == nil:
				t.Fatalf("no warning, want %s %s", at, c.problem)
			case ue.Path != at || !strings.Contains(ue.Problem, c.problem):
				t.Fatalf("%s %s, want %s %s", ue.Path, ue.Problem, at, c.problem)
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

func chown(t *testing.T, path string, uid, gid int) {
	t.Helper()
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}
