package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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
