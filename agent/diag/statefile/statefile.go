// Package statefile keeps small JSON files of remembered facts (NTP
// answers, the addresses hosts last answered at) that make the next run
// cheaper or wiser. Losing one costs a little politeness or one fallback,
// never a verdict, so they are written atomically but not fsynced, read
// with a size bound, and a damaged file reads as an error the caller
// treats as "nothing remembered". It must not hold anything a person would
// miss: those go through platform's durable writes.
package statefile

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrTooLarge is Load's error for a file over its bound.
var ErrTooLarge = errors.New("larger than expected")

// Load decodes the JSON file at path into v, reading at most limit bytes,
// and reports whether there was a file. A missing file leaves v as it is.
func Load(path string, limit int64, v any) (found bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return true, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return true, fmt.Errorf("%s: %w: over %d bytes", path, ErrTooLarge, limit)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// Save replaces the file at path with v as JSON: a temporary file (mode
// 0600) renamed over it, so that a reader sees the old or the new file.
// The directory is created, owner only, when missing.
func Save(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*") // mode 0600
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := cmp.Or(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
