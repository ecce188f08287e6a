//go:build unix

package platform

import (
	"runtime"
	"testing"
)

// What a package built on another system writes for this one is what this
// one uses itself.
func TestUnixSystemPATHIsThisSystems(t *testing.T) {
	if got, want := UnixSystemPATH(runtime.GOOS), SystemPATH(); got != want {
		t.Errorf("UnixSystemPATH(%q) = %q, but this system's SystemPATH is %q", runtime.GOOS, got, want)
	}
}
