package platform

import "testing"

// A macOS package is built on Linux: the PATH it writes into the
// LaunchDaemon must be macOS's (launchd's default), not the build
// machine's.
func TestUnixSystemPATHForAnotherSystem(t *testing.T) {
	for goos, want := range map[string]string{
		"darwin":  "/usr/bin:/bin:/usr/sbin:/sbin",
		"linux":   "/usr/sbin:/usr/bin:/sbin:/bin",
		"freebsd": "/usr/sbin:/usr/bin:/sbin:/bin",
	} {
		if got := UnixSystemPATH(goos); got != want {
			t.Errorf("UnixSystemPATH(%q) = %q, want %q", goos, got, want)
		}
	}
}
