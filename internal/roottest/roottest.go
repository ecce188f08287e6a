// Package roottest gives tests directories that host.CheckRootOwned
// accepts: only root can change anything in them or in any directory
// above them, as Clearance asks of what it reads or keeps with full
// rights, and as nothing under /tmp can be, since everyone may write
// /tmp. It is for tests only.
package roottest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform/host"
)

// parents are tried in order, as root; each is root's and 0755 on the
// usual Linux system (/run is a tmpfs: what a killed test leaves goes at
// reboot).
var parents = []string{"/run", "/var/cache", "/var/lib"}

// Dir returns a new empty directory, 0755, that host.CheckRootOwned
// accepts, removed when the test ends (see MkdirTemp). A test that is not
// root, where there is no such place, is skipped, saying why (and fails
// under CI, which runs as root).
func Dir(t testing.TB) string {
	t.Helper()
	d, err := MkdirTemp()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := host.CheckRootOwned(d); err != nil {
		winegap.SkipIfNo(t, winegap.FileSecurity)
		Need(t, "needs root, or an $XDG_RUNTIME_DIR of this user's, for a directory nobody else can change: "+err.Error())
	}
	return d
}

// MkdirTemp makes a new empty directory, 0755, that host.CheckRootOwned
// accepts, for a TestMain, which has no T; the caller removes it. Run as
// root, it is under one of parents. A test that is not root gets one of its
// own, under $XDG_RUNTIME_DIR: a process trusts its own user as well as
// root. Without that, it gets one under the temporary directory, which
// will do for what does not ask for the check.
func MkdirTemp() (string, error) {
	places := parents
	if os.Geteuid() != 0 {
		places = nil
		if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
			places = []string{d}
		}
	}
	for _, p := range places {
		if host.CheckRootOwned(p) != nil {
			continue
		}
		d, err := os.MkdirTemp(p, "clearance-test-")
		if err != nil {
			continue
		}
		if err := os.Chmod(d, 0o755); err != nil {
			os.RemoveAll(d)
			return "", err
		}
		return d, nil
	}
	if os.Geteuid() == 0 {
		return "", fmt.Errorf("none of %v is a directory only root can change, to make test files in", parents)
	}
	return os.MkdirTemp("", "clearance-test-")
}

// Need skips the test, saying why, when why is not empty — or fails it
// under CI=true, where every test is mandatory (CI runs as root with every
// tool .ci/run installs).
func Need(t testing.TB, why string) {
	t.Helper()
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (mandatory in CI)", why)
	}
	t.Skip(why)
}

// NeedRoot is Need for a test that must run as root: what it is for
// says why ("to create network namespaces").
func NeedRoot(t testing.TB, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Need(t, "needs root "+what)
	}
}
