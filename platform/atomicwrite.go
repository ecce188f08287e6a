package platform

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A file that something may read at any moment — a settings file, a state
// file, the DNS journal, resolv.conf, an autostart entry — is replaced
// whole: the new content goes to a temporary file beside it, which is then
// renamed over it. A rename within a directory is atomic, so a reader finds
// the old file or the new one, never half of one. A crash between the two
// steps leaves the temporary file behind; its name follows one pattern
// (TempPattern), so that RemoveStaleTemps — and dnsfix's audited clean-up
// of what root leaves in /etc — find exactly those files and nothing else.

// AtomicWrite says how WriteFileAtomic replaces a file. The zero value
// writes a file only its owner can read, without fsync.
type AtomicWrite struct {
	// Perm is the new file's permission bits, set whatever the umask.
	Perm fs.FileMode
	// Durable makes the new content survive a power cut once the write
	// returns: the temporary file is fsynced before the rename and the
	// directory after it (RenameDurable). Without it the rename is still
	// atomic, but a power cut soon after may leave the old content, or on
	// some file systems an empty file: right for what can be made again.
	Durable bool
	// BeforeRename, when set, runs on the complete temporary file just
	// before it replaces the target: to give it the old file's owner, or to
	// mark a step at which a test kills the process. An error from it
	// stops the write, and the temporary file is removed.
	BeforeRename func(tmp string) error
}

// WriteFileAtomic replaces path with data, mode perm, in one step as
// readers see it; durable also makes it survive a power cut (see
// AtomicWrite). The directory must exist.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode, durable bool) error {
	return AtomicWrite{Perm: perm, Durable: durable}.Write(path, data)
}

// Write replaces path with data as w says. The temporary file is named by
// TempPattern and is gone when Write returns, whatever the outcome, unless
// the process dies first.
func (w AtomicWrite) Write(path string, data []byte) error {
	perm := w.Perm
	if perm == 0 {
		perm = 0o600
	}
	f, err := os.CreateTemp(filepath.Dir(path), TempPattern(path)) // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm) // on the open file: never through a link
	}
	if err == nil && w.Durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && w.BeforeRename != nil {
		err = w.BeforeRename(tmp)
	}
	if err == nil {
		if w.Durable {
			err = RenameDurable(tmp, path)
		} else {
			err = os.Rename(tmp, path)
		}
	}
	if err != nil {
		os.Remove(tmp) // gone already when only the directory's fsync failed
		return err
	}
	return nil
}

// tempMarker sits between the target's name and the random digits, so that
// a leftover in a shared directory (/etc) names the program that left it.
const tempMarker = ".clearance-"

// TempPattern is the os.CreateTemp pattern of path's temporary files:
// hidden, the target's own name, then ".clearance-" and digits
// (".resolv.conf.clearance-2674182236").
func TempPattern(path string) string { return "." + filepath.Base(path) + tempMarker + "*" }

// IsTempFor says whether name, a directory entry beside path, is one of
// path's temporary files: exactly what os.CreateTemp makes of TempPattern,
// the star replaced by decimal digits.
func IsTempFor(path, name string) bool {
	prefix := strings.TrimSuffix(TempPattern(path), "*")
	digits, ok := strings.CutPrefix(name, prefix)
	if !ok || digits == "" {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// staleTempAge is how old a temporary file must be before RemoveStaleTemps
// takes it for a crash's leftover. A write takes milliseconds: a file this
// old has no writer left that will rename it, and one still being written
// by another process (the tray and `clearance check` share a cache) is
// left alone.
const staleTempAge = time.Minute

// RemoveStaleTemps removes the temporary files that writes of path left
// behind when the process died between writing and renaming: regular
// files named by TempPattern (a link or a directory of that name is left
// alone), not modified for a minute. Nothing else in the directory is
// touched. A missing directory has nothing to remove.
func RemoveStaleTemps(path string) error {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if !IsTempFor(path, e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < staleTempAge {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
