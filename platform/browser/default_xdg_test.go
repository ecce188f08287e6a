//go:build !windows && !darwin

package browser

import (
	"slices"
	"testing"
)

// The data directories follow the XDG base directory rules: Unix paths,
// so the test runs where the XDG code is used.
func TestXDGDataDirs(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if got := xdgDataDirs(get, "/home/ann"); !slices.Equal(got, []string{"/home/ann/.local/share", "/usr/local/share", "/usr/share"}) {
		t.Errorf("defaults: %q", got)
	}
	env["XDG_DATA_HOME"] = "/x/data"
	env["XDG_DATA_DIRS"] = "/var/lib/flatpak/exports/share:relative:/usr/share"
	if got := xdgDataDirs(get, "/home/ann"); !slices.Equal(got, []string{"/x/data", "/var/lib/flatpak/exports/share", "/usr/share"}) {
		t.Errorf("from the environment: %q", got)
	}
}
