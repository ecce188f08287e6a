//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// Read with full rights (Privileged), a file in a directory that everyone
// may write is refused, naming the file, the directory and the fix; the
// same file read by a user's own `clearance check` is that user's
// business and is read. A missing system file in such a directory is
// refused too, rather than taken as "use the defaults": anyone could
// create it.
func TestPrivilegedLoadRefusesWhatOthersCanChange(t *testing.T) {
	if os.Geteuid() != 0 {
		roottest.Need(t, "needs root to own files as root")
	}
	base := roottest.Dir(t)
	good := filepath.Join(base, "config.toml")
	if err := os.WriteFile(good, []byte("[clock]\nwarning_seconds = 20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(Source{Path: good, Explicit: true, Privileged: true}); err != nil || c.Clock.WarningSeconds != 20 {
		t.Fatalf("root's own file: %v, %v", c.Clock.WarningSeconds, err)
	}

	shared := filepath.Join(base, "shared")
	if err := os.Mkdir(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(shared, 0o777)
	file := filepath.Join(shared, "config.toml")
	if err := os.WriteFile(file, []byte("[clock]\nwarning_seconds = 20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Source{Path: file, Explicit: true}); err != nil {
		t.Fatalf("read without full rights, the file is the reader's business: %v", err)
	}
	_, err := Load(Source{Path: file, Explicit: true, Privileged: true})
	var ce *Error
	var ue *host.UnsafePathError
	if !errors.As(err, &ce) || ce.File != file || !errors.As(err, &ue) || ue.Path != shared {
		t.Fatalf("err %v, want a config.Error about %s caused by %s", err, file, shared)
	}
	for _, want := range []string{file + ": refused because " + shared + " may be written by anyone", "sudo chmod go-w " + shared} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}

	missing := filepath.Join(shared, "absent.toml")
	if _, err := Load(Source{Path: missing, Privileged: true}); !errors.As(err, &ue) {
		t.Errorf("a missing system file where anyone may create it: %v, want refused", err)
	}
	if _, err := Load(Source{Path: filepath.Join(base, "absent.toml"), Privileged: true}); err != nil {
		t.Errorf("a missing system file where only root may create it means the defaults: %v", err)
	}
}
