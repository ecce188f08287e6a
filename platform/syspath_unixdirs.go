package platform

import "strings"

// The system directories of the Unix systems, as plain data in an untagged
// file: a package for macOS is built on Linux, and the LaunchDaemon plist
// it carries must hold macOS's system PATH, not the build machine's.
var (
	// darwinSystemDirs are launchd's default PATH: the sealed system
	// volume's programs. /usr/local/bin is left out: Homebrew makes it the
	// user's.
	darwinSystemDirs = []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin"}
	// fhsSystemDirs are the FHS's directories of the system's programs:
	// only root can write them. /usr/local is left out: it is the
	// administrator's, and on some systems a group's (Debian's staff).
	fhsSystemDirs = []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"}
)

// UnixSystemPATH is SystemPATH as it is on the Unix system goos ("darwin",
// "linux", "freebsd"…), whatever system this program runs on: for files
// rendered for another system, such as a macOS package built on Linux.
func UnixSystemPATH(goos string) string {
	dirs := fhsSystemDirs
	if goos == "darwin" {
		dirs = darwinSystemDirs
	}
	return strings.Join(dirs, ":")
}
