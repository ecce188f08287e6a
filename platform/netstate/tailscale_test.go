package netstate

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// Where the tailscale command is taken from: the system's directories only
// for root or an administrator; for a person, PATH and then the places
// installers use outside it.
func TestFindTailscaleCLI(t *testing.T) {
	found := func(p string) func(string) (string, error) {
		return func(string) (string, error) { return p, nil }
	}
	missing := func(name string) (string, error) {
		return "", &platform.CommandNotFoundError{Name: name, Dirs: []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"}}
	}
	files := func(ps ...string) func(string) bool {
		return func(p string) bool { return slices.Contains(ps, p) }
	}
	// Absolute on every OS: on Windows a path needs its drive to be one,
	// and this test runs there too.
	root, err := filepath.Abs(string(filepath.Separator))
	if err != nil {
		t.Fatal(err)
	}
	abs := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	brew, app := abs("opt/homebrew/bin/tailscale"), abs("Applications/Tailscale.app/Contents/MacOS/Tailscale")
	usrBin, eveBin := abs("usr/bin/tailscale"), abs("home/eve/bin/tailscale")
	for _, c := range []struct {
		name string
		l    tailscaleLookup
		want string // "" for none
	}{
		{"root: the system's package",
			tailscaleLookup{privileged: true, system: found(usrBin), path: found(eveBin), known: []string{brew}, isFile: files(brew)},
			usrBin},
		{"root: never PATH nor Homebrew nor the app",
			tailscaleLookup{privileged: true, system: missing, path: found(brew), known: []string{brew, app}, isFile: files(brew, app)},
			""},
		{"a person: PATH first",
			tailscaleLookup{system: found(usrBin), path: found(brew), known: []string{app}, isFile: files(app)},
			brew},
		{"a person without it on PATH: the app bundle",
			tailscaleLookup{system: missing, path: missing, known: []string{brew, app}, isFile: files(app)},
			app},
		{"a person: a relative PATH entry is not used",
			tailscaleLookup{system: missing, path: func(string) (string, error) { return "bin/tailscale", exec.ErrDot }, known: []string{app}, isFile: files()},
			""},
		{"a person: nowhere",
			tailscaleLookup{system: missing, path: missing, isFile: files()},
			""},
	} {
		got, err := findTailscaleCLI(c.l)
		if (err == nil) != (c.want != "") || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
		if err != nil && !errors.Is(err, ErrNoTailscaleCLI) {
			t.Errorf("%s: %v does not match ErrNoTailscaleCLI", c.name, err)
		}
	}
	// Root is told where it looked, and why only there.
	_, err = findTailscaleCLI(tailscaleLookup{privileged: true, system: missing, path: found(brew)})
	if want := "the tailscale command is not installed in /usr/sbin, /usr/bin, /sbin, /bin: run as an administrator, Clearance runs commands from there only"; err == nil || err.Error() != want {
		t.Errorf("root without a system tailscale: %v, want %q", err, want)
	}
}
