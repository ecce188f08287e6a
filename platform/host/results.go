package host

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// An elevated `clearance fix` started through the Windows UAC prompt cannot
// hand its output back to the unelevated tray that started it. It leaves
// its result in a directory that only administrators may write
// (ResultsDir), under a name made from a token the tray chose, and the
// tray reads it from there. The caller never names a path: a path in the
// person's own directories can be turned into a link to anywhere by any of
// their processes between the choice and the elevated write, and
// O_NOFOLLOW guards only the last component. Per OS: results_unix.go,
// results_windows.go.

// ResultsDir is where elevated fixes leave their results.
func ResultsDir() string { return filepath.Join(StateDir(), "results") }

// ErrResultToken is matched (errors.Is) by the error of a token that is
// not 16 to 64 letters and digits.
var ErrResultToken = errors.New("a result token is 16 to 64 letters and digits")

// resultToken is what a caller may pass: letters and digits only, so that
// the name it makes can never be a path, an option, or special to a shell.
var resultToken = regexp.MustCompile(`^[A-Za-z0-9]{16,64}$`)

// resultFile matches the names WriteResult makes, and only those are
// ever removed.
var resultFile = regexp.MustCompile(`^fix-[A-Za-z0-9]{16,64}\.json$`)

// resultMaxAge: a result is read as soon as the fix ends, by the tray
// waiting for it, and the person who may read it may not delete it; the
// next write removes results older than this.
const resultMaxAge = time.Hour

// maxResultSize bounds what ReadResult reads: a fix's result is a few
// hundred bytes.
const maxResultSize = 1 << 20

// CheckResultToken says whether token may name a result, before anything
// is done that would need one.
func CheckResultToken(token string) error {
	if !resultToken.MatchString(token) {
		return fmt.Errorf("%q: %w", token, ErrResultToken)
	}
	return nil
}

func resultName(token string) (string, error) {
	if err := CheckResultToken(token); err != nil {
		return "", err
	}
	return "fix-" + token + ".json", nil
}

// CreateResult creates fix-TOKEN.json in ResultsDir, readable by everyone
// and writable only by administrators, for the caller to write the result
// into once the fix has run: a place that will not do is refused before
// anything is changed. It creates the directory when missing, and refuses
// one that anybody but root could change, or a directory above it
// (MakeRootOwnedDir); the file is created new (O_CREATE|O_EXCL, relative to the opened directory), so that nothing
// already at that name, a link included, is followed or overwritten.
// Results older than an hour are removed first.
func CreateResult(token string, now time.Time) (*os.File, error) {
	name, err := resultName(token)
	if err != nil {
		return nil, err
	}
	dir, err := openResultsDir()
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	removeOldResults(dir, now)
	f, err := dir.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create the fix's result in %s: %w", ResultsDir(), err)
	}
	if err := f.Chmod(0o644); err != nil { // whatever the umask: the person reads it
		f.Close()
		dir.Remove(name)
		return nil, fmt.Errorf("create the fix's result in %s: %w", ResultsDir(), err)
	}
	return f, nil
}

// ReadResult returns what an elevated fix left for token.
func ReadResult(token string) ([]byte, error) {
	name, err := resultName(token)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(ResultsDir(), name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxResultSize))
}

// openResultsDir opens the results directory, creating it (and the state
// directory) when missing, as MakeRootOwnedDir does: it and every
// directory above it must be root's alone to change. Nobody else can then
// replace it or what is on the way to it, and everything after the check
// is done relative to the opened directory.
func openResultsDir() (*os.Root, error) {
	path := ResultsDir()
	_, err := MakeRootOwnedDir(StateDir())
	if err == nil {
		_, err = MakeRootOwnedDir(path)
	}
	if ue := (*UnsafePathError)(nil); errors.As(err, &ue) {
		return nil, unsafeResultsDir(path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return os.OpenRoot(path)
}

func unsafeResultsDir(path string, why error) error {
	return fmt.Errorf("%s is not a safe place for a fix's result, so none was written: %w", path, why)
}

// removeOldResults removes the results older than resultMaxAge, and
// nothing else. It does its best: a result it cannot remove now goes at a
// later write.
func removeOldResults(dir *os.Root, now time.Time) {
	d, err := dir.Open(".")
	if err != nil {
		return
	}
	entries, _ := d.ReadDir(-1)
	d.Close()
	for _, e := range entries {
		if !resultFile.MatchString(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > resultMaxAge {
			dir.Remove(e.Name())
		}
	}
}
