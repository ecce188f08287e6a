package platform

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// The agent runs as root and runs chronyc, resolvectl, systemctl and the
// like. Found through an inherited PATH, any of them could be a program
// that whoever set that PATH planted; so commands are looked up only in the
// system's own directories (SystemDirs: the Unix lists in
// syspath_unixdirs.go, Windows' in syspath_windows.go), which only root or
// the Administrators can change.

// SystemDirs are the directories where a bare command name is looked up,
// in order.
func SystemDirs() []string { return systemDirs() }

// SystemPATH is SystemDirs as a PATH value: what the service starts with.
func SystemPATH() string { return strings.Join(systemDirs(), string(filepath.ListSeparator)) }

// CommandNotFoundError is a command that is not in any of SystemDirs. It
// matches exec.ErrNotFound, as a command missing from PATH does.
type CommandNotFoundError struct {
	Name string
	Dirs []string
}

func (e *CommandNotFoundError) Error() string {
	return fmt.Sprintf("%s is not installed in %s", e.Name, strings.Join(e.Dirs, ", "))
}

func (e *CommandNotFoundError) Unwrap() error { return exec.ErrNotFound }

// LookSystem returns the program that the command name means: an absolute
// path as given, a bare name in the first of SystemDirs that holds it. A
// relative path (./x, bin/x) is refused: it would depend on the working
// directory.
func LookSystem(name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	if name == "" || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%q is neither a command name nor an absolute path", name)
	}
	dirs := systemDirs()
	for _, d := range dirs {
		// LookPath of a path with a separator checks only that one file
		// (and, on Windows, its .exe and other PATHEXT forms).
		if p, err := exec.LookPath(filepath.Join(d, name)); err == nil {
			return p, nil
		}
	}
	return "", &CommandNotFoundError{Name: name, Dirs: slices.Clone(dirs)}
}
