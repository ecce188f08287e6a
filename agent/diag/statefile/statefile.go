// Package statefile keeps small JSON files of remembered facts (NTP
// answers, the addresses hosts last answered at) that make the next run
// cheaper or wiser. Losing one costs a little politeness or one fallback,
// never a verdict, so they are written atomically but not fsynced, read
// with a size bound, and a damaged file reads as an error the caller
// treats as "nothing remembered". It must not hold anything a person would
// miss: those go through platform's durable writes. A file that holds a
// secret (the keys that resume TLS sessions) is read with LoadPrivate.
package statefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// ErrTooLarge is Load's error for a file over its bound.
var ErrTooLarge = errors.New("larger than expected")

// Load decodes the JSON file at path into v, reading at most limit bytes,
// and reports whether there was a file. A missing file leaves v as it is.
// It also removes the temporary files that a Save killed half-way left
// beside path; failing to is no reason to forget what the file says.
//
// A process with full rights reads only a file that root alone could have
// written (host.ReadRootOwned), and refuses any other as it refuses a
// damaged one: a remembered NTP answer steers a clock it may step.
func Load(path string, limit int64, v any) (found bool, err error) {
	return load(path, limit, v, read)
}

// LoadPrivate is Load for a file that holds a secret of this user's: it
// reads the file only when this process's user alone could have written
// it and nobody else may read it (host.ReadPrivate: never through a link),
// and refuses any other, root's process included, as it refuses a damaged
// one (a host.ErrNotPrivate error). Save writes such a file.
func LoadPrivate(path string, limit int64, v any) (found bool, err error) {
	return load(path, limit, v, host.ReadPrivate)
}

func load(path string, limit int64, v any, read func(string, int64) ([]byte, error)) (found bool, err error) {
	b, err := read(path, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	platform.RemoveStaleTemps(path) // the directory is safe to clean: it was read
	if int64(len(b)) > limit {
		return true, fmt.Errorf("%s: %w: over %d bytes", path, ErrTooLarge, limit)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// read returns up to limit+1 bytes of the file, as Load's caller may trust
// it.
func read(path string, limit int64) ([]byte, error) {
	if host.IsAdmin() {
		return host.ReadRootOwned(path) // a few KiB: the bound is checked after
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Save replaces the file at path with v as JSON, mode 0600, in one step
// (platform.WriteFileAtomic), so that a reader sees the old or the new
// file; not fsynced, as the package says. The directory is created when
// missing (makeDir).
func Save(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := makeDir(filepath.Dir(path)); err != nil {
		return err
	}
	return platform.WriteFileAtomic(path, b, 0o600, false)
}

// makeDir creates dir when missing. A process with full rights keeps its
// memory in the state directory, beside the DNS journal: it is made as
// host.MakeRootOwnedDir makes it, only root may change it, never with what
// it would inherit (%ProgramData% lets Users create files). A person's own
// process keeps its memory in its cache, owner only.
func makeDir(dir string) error {
	if host.IsAdmin() {
		_, err := host.MakeRootOwnedDir(dir)
		return err
	}
	return os.MkdirAll(dir, 0o700)
}

// UserPath is where a person's runs keep the file name: in clearance/ in
// the user's cache directory, beside the other remembered facts. It is ""
// when the user has none (no HOME), and the fact is then kept in the
// process only. The agent, running as root or SYSTEM, keeps its own files
// in its state directory.
func UserPath(name string) string {
	dir, err := os.UserCacheDir()
	if err != nil || !filepath.IsAbs(dir) {
		return ""
	}
	return filepath.Join(dir, "clearance", name)
}

// Trim deletes the oldest entries of m, by the time at gives each, until
// at most n remain: the bound on a file of remembered facts.
func Trim[K comparable, V any](m map[K]V, n int, at func(V) time.Time) {
	for len(m) > n {
		var oldest K
		first := true
		for k, v := range m {
			if first || at(v).Before(at(m[oldest])) {
				oldest, first = k, false
			}
		}
		delete(m, oldest)
	}
}
