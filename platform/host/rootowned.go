package host

import "fmt"

// A file that root reads to decide what it does — the agent's
// configuration names the time servers that set the clock, the hosts it
// probes and whether fixes may run — must be out of reach of everyone
// else: whoever can change the file, or a directory above it (and so
// rename the file away and put their own in its place), decides for root.
// The rule is sshd's StrictModes: the file and every directory on the way
// to it belong to root and nobody else may write them. A directory that
// everyone may write is refused even with the sticky bit (/tmp), as sshd
// refuses it: a file that is missing there for a moment can be created by
// anyone. A symbolic link on the way is followed only when root owns it
// (its own mode bits mean nothing; its directory, checked like the rest,
// decides who could replace it), and its target is then checked in the
// same way, component by component. On Windows "root" is Administrators,
// SYSTEM and TrustedInstaller, and links are refused (rootowned_windows.go).

// UnsafePathError says why a path is not safe for root to read: what is
// wrong with which file, directory or link, and a command that fixes it.
type UnsafePathError struct {
	Path    string // the file, directory or link at fault
	Problem string // "may be written by anyone", "belongs to the user nobody"
	Fix     string // what to do, usually a command
}

func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("%s %s: whoever can change it decides what Clearance does with full rights (to fix it: %s)", e.Path, e.Problem, e.Fix)
}

// ReadRootOwned reads the file at path once CheckRootOwned accepts it,
// without following any link that the check did not accept. A path that
// does not exist is an fs.ErrNotExist error, once the directories above it
// that do exist have passed.
func ReadRootOwned(path string) ([]byte, error) { return readRootOwned(path) }

// CheckRootOwned returns an *UnsafePathError when anyone but root (on
// Windows: Administrators and SYSTEM) could change the file or directory at
// path, or a directory above it.
func CheckRootOwned(path string) error {
	_, err := walkRootOwned(path)
	return err
}

// MakeRootOwnedDir creates the directory dir (its parent must exist) so
// that CheckRootOwned accepts it: owned by root and mode 0755; on Windows,
// only Administrators and SYSTEM may write it, with no rights inherited
// from above. An existing directory that root (the Administrators) owns
// gets the same rights. One that belongs to someone else is left as it
// is, and refused: what it holds may be theirs. It reports whether it
// changed anything.
func MakeRootOwnedDir(dir string) (changed bool, err error) { return makeRootOwnedDir(dir) }
