package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// What root reads to decide what it does, and where it says what it is,
// must be out of reach of everyone else: whoever can change a file, or a
// directory above it (and so rename the file away and put their own in its
// place), decides for root. That holds for the agent's configuration (the
// time servers that set the clock, the hosts it probes, whether fixes may
// run), the DNS journal (the servers a repair sets), the state and results
// directories, the directory of the API's socket (whoever can change it
// can answer in the agent's place), and the program the service runs. This
// file and its per-OS halves are the one place that decides who could.
//
// The rule is sshd's StrictModes: the file and every directory on the way
// to it belong to root and nobody else may write them. A directory that
// everyone may write is refused even with the sticky bit (/tmp), as sshd
// refuses it: a file that is missing there for a moment can be created by
// anyone. A symbolic link on the way is followed only when root owns it
// (its own mode bits mean nothing; its directory, checked like the rest,
// decides who could replace it), and its target is then checked in the
// same way, component by component.
//
// "Root" is, on Unix, uid 0 and — in a process that is not root — its own
// user too, who could change its own files anyway (sshd trusts the same
// two; it lets an agent run by a developer use a socket of its own). On
// Windows it is SYSTEM, the Administrators, and TrustedInstaller, which
// owns the drive's root and Windows' own folders and only the system's
// servicing runs as; links are refused there (rootowned_windows.go).

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

// CheckRootOwned returns an *UnsafePathError when anyone but root could
// change the file or directory at path, or a directory above it.
func CheckRootOwned(path string) error {
	_, err := walkRootOwned(path)
	return err
}

// OwnedByRoot says whether root owns the file at path, which fi describes
// (from os.Lstat): whether a process with full rights, such as Clearance
// itself, made it. It does not look at who else may write it.
func OwnedByRoot(path string, fi fs.FileInfo) bool { return ownedByRoot(path, fi) }

// MakeRootOwnedDir creates the directory dir, and those above it that are
// missing, so that CheckRootOwned accepts it: owned by root and mode 0755;
// on Windows, only Administrators and SYSTEM may write it, with no rights
// inherited from above (%ProgramData% lets Users create files). Before it
// creates anything, the nearest directory above that exists must pass
// CheckRootOwned as it is. An existing dir that root owns loses what lets
// others write it; one that belongs to someone else is left as it is, and
// refused: what it holds may be theirs. It reports whether it changed
// anything. Whatever a process with full rights keeps for itself (the
// state directory) is made here.
func MakeRootOwnedDir(dir string) (changed bool, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	fi, err := os.Lstat(dir)
	if err == nil {
		changed, err := restrictRootOwnedDir(dir, fi)
		if err != nil {
			return changed, fmt.Errorf("keep others from changing %s: %w", dir, err)
		}
		return changed, CheckRootOwned(dir)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return false, err
	}
	if _, err := os.Lstat(parent); errors.Is(err, fs.ErrNotExist) {
		if _, err := MakeRootOwnedDir(parent); err != nil {
			return false, err
		}
	} else if err := CheckRootOwned(parent); err != nil {
		return false, err
	}
	if err := mkdirRootOwned(dir); err != nil {
		return false, err
	}
	return true, CheckRootOwned(dir)
}
