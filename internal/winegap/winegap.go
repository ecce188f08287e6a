// Package winegap lets a Windows-compiled test that needs something Wine 8
// lacks skip under Wine, by cause, and only when the gap is really there:
// the test says what it needs (SkipIfNo(t, winegap.UDP)), never which
// tests to skip. On Windows, and on every other system, SkipIfNo does
// nothing, so a failure that would also happen on Windows still fails.
// See installer/packaging/wine/README.md for how the tests run under Wine.
// It is for tests only.
package winegap

import (
	"os"
	"sync"
	"testing"
)

// Gap is one thing Wine 8 lacks.
type Gap struct {
	name string
	why  string
	// present probes, under Wine, whether the gap is really there.
	present func() bool
	once    sync.Once
	real    bool
}

// The gaps found when Clearance's Windows tests first ran under Wine 8.
var (
	// UDP: Wine 8 fails every UDP socket call Go makes (it lacks
	// SIO_UDP_NETRESET: WSAEOPNOTSUPP, 10045).
	UDP = &Gap{name: "UDP sockets", why: "Wine 8 fails UDP sockets (no SIO_UDP_NETRESET)", present: udpMissing}
	// RemoveAll: Go's os.RemoveAll deletes with FileDispositionInformationEx,
	// which Wine 8 does not implement (and Go falls back only for the
	// errors Windows gives).
	RemoveAll = &Gap{name: "os.RemoveAll", why: "Wine 8 lacks FileDispositionInformationEx, which os.RemoveAll uses", present: removeAllFails}
	// W32Time: Wine has no Windows Time service, nor w32tm.
	W32Time = &Gap{name: "W32Time", why: "Wine has no Windows Time service", present: w32timeMissing}
	// Session0: Wine runs every process in session 1, services too, so
	// svc.IsWindowsService is false and nothing answers the service
	// manager as a service does.
	Session0 = &Gap{name: "session 0", why: "Wine runs services outside session 0, so a service never answers the service manager", present: notSession0}
	// FileSecurity: Debian's Wine 8 keeps no security descriptors on
	// files (its wineserver is built without extended attributes): every
	// file belongs to the Wine user, and setting an owner or an access
	// list succeeds without effect.
	// Symlinks: Wine 8 makes a symbolic link that os.Readlink and Lstat
	// then do not find.
	Symlinks     = &Gap{name: "symbolic links", why: "Wine 8 makes symbolic links it cannot read back", present: symlinksBroken}
	FileSecurity = &Gap{name: "file owners and access lists", why: "Wine keeps no file owners or access lists", present: fileSecurityIgnored}
)

// Under says whether this process runs under Wine.
func Under() bool { return underWine() }

// SkipIfNo skips t when it runs under Wine and Wine really lacks g.
func SkipIfNo(t testing.TB, g *Gap) {
	t.Helper()
	if g.Missing() {
		t.Skipf("Wine gap: %s: %s", g.name, g.why)
	}
}

// Missing says whether this process runs under Wine and Wine lacks g.
func (g *Gap) Missing() bool {
	if !underWine() {
		return false
	}
	g.once.Do(func() { g.real = g.present() })
	return g.real
}

// TempDir is t.TempDir, except where os.RemoveAll fails (under Wine): there
// the directory is made in the same place but left behind, inside the
// throwaway Wine prefix that the smoke test removes with everything else;
// t.TempDir would fail the test at cleanup.
func TempDir(t testing.TB) string {
	t.Helper()
	if !RemoveAll.Missing() {
		return t.TempDir()
	}
	d, err := os.MkdirTemp("", "winegap-")
	if err != nil {
		t.Fatal(err)
	}
	return d
}
