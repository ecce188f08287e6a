//go:build unix

package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// What Save writes, LoadPrivate reads back. A file others may read, or a
// link in its place, is refused by LoadPrivate even where Load (as root:
// root's file, root's directories) would take it.
func TestLoadPrivate(t *testing.T) {
	path := filepath.Join(roottest.Dir(t), "sub", "secret.json")
	if err := Save(path, doc{1, map[string]int{"a": 2}}); err != nil {
		t.Fatal(err)
	}
	var got doc
	if found, err := LoadPrivate(path, 1<<10, &got); err != nil || !found || got.Items["a"] != 2 {
		t.Fatalf("LoadPrivate = %v, %v, %+v", found, err, got)
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if found, err := Load(path, 1<<10, &doc{}); err != nil || !found {
		t.Fatalf("Load of a readable file = %v, %v; the test expects Load to take it", found, err)
	}
	if _, err := LoadPrivate(path, 1<<10, &doc{}); !errors.Is(err, host.ErrNotPrivate) {
		t.Fatalf("LoadPrivate of a file others may read: %v, want host.ErrNotPrivate", err)
	}

	os.Chmod(path, 0o600)
	link := filepath.Join(filepath.Dir(path), "link.json")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivate(link, 1<<10, &doc{}); !errors.Is(err, host.ErrNotPrivate) {
		t.Fatalf("LoadPrivate through a link: %v, want host.ErrNotPrivate", err)
	}
}
