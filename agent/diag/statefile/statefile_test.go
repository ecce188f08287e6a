package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type doc struct {
	Version int            `json:"version"`
	Items   map[string]int `json:"items"`
}

func TestSaveLoadRoundTripOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.json")
	if err := Save(path, doc{1, map[string]int{"a": 2}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v; only its owner may read it", p, fi.Mode().Perm())
		}
	}
	var got doc
	found, err := Load(path, 1<<10, &got)
	if err != nil || !found || got.Version != 1 || got.Items["a"] != 2 {
		t.Fatalf("Load = %v, %v, %+v", found, err, got)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestLoadMissingIsNotAnError(t *testing.T) {
	v := doc{Version: 7}
	found, err := Load(filepath.Join(t.TempDir(), "none.json"), 1<<10, &v)
	if found || err != nil || v.Version != 7 {
		t.Fatalf("Load = %v, %v, %+v; want not found, no error, v untouched", found, err, v)
	}
}

func TestLoadRefusesOversizeAndDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, []byte(`{"version": 1, "items": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1}}`), 0o600)
	var v doc
	if _, err := Load(big, 16, &v); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize file: %v, want ErrTooLarge", err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"version": `), 0o600)
	if found, err := Load(bad, 1<<10, &v); !found || err == nil {
		t.Errorf("torn file: found %v, err %v; want found with an error", found, err)
	}
}

// A Save killed between writing and renaming leaves a temporary file; the
// next Load removes it, and nothing else.
func TestLoadRemovesWhatACrashedSaveLeft(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ntp.json")
	if err := Save(path, doc{1, nil}); err != nil {
		t.Fatal(err)
	}
	// What platform.WriteFileAtomic names its temporary files, as a
	// process killed an hour ago left one.
	left := filepath.Join(dir, ".ntp.json.clearance-2674182236")
	other := filepath.Join(dir, ".addrs.json.clearance-1")
	for _, p := range []string{left, other} {
		if err := os.WriteFile(p, []byte(`{"version": 1`), 0o600); err != nil {
			t.Fatal(err)
		}
		then := time.Now().Add(-time.Hour)
		if err := os.Chtimes(p, then, then); err != nil {
			t.Fatal(err)
		}
	}
	var got doc
	if found, err := Load(path, 1<<10, &got); !found || err != nil || got.Version != 1 {
		t.Fatalf("Load = %v, %v, %+v", found, err, got)
	}
	if _, err := os.Lstat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the crashed save's temporary file is still there (%v)", err)
	}
	if _, err := os.Lstat(other); err != nil {
		t.Errorf("another file's temporary file was removed (%v)", err)
	}
}
