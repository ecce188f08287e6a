package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

type doc struct {
	Version int            `json:"version"`
	Items   map[string]int `json:"items"`
}

// The file is its owner's alone. A person's process keeps its directory
// to itself too; one with full rights (the agent) makes the state
// directory root's and 0755, as every directory it keeps is.
func TestSaveLoadRoundTripOwnerOnly(t *testing.T) {
	path := filepath.Join(roottest.Dir(t), "sub", "state.json")
	if err := Save(path, doc{1, map[string]int{"a": 2}}); err != nil {
		t.Fatal(err)
	}
	mode := func(p string) os.FileMode {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if m := mode(path); m&0o077 != 0 {
		t.Errorf("%s has mode %v; only its owner may read it", path, m)
	}
	dir := filepath.Dir(path)
	if host.IsAdmin() {
		if m, err := mode(dir), host.CheckRootOwned(dir); m != 0o755 || err != nil {
			t.Errorf("%s has mode %v (%v); want root's, 0755", dir, m, err)
		}
	} else if m := mode(dir); m&0o077 != 0 {
		t.Errorf("%s has mode %v; only its owner may read it", dir, m)
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

// With full rights, the state directory is never made where anyone else
// could change it.
func TestSaveRefusesAnOpenStateDir(t *testing.T) {
	if !host.IsAdmin() {
		roottest.Need(t, "needs root, which keeps its memory in the state directory")
	}
	open := filepath.Join(roottest.Dir(t), "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	var ue *host.UnsafePathError
	if err := Save(filepath.Join(open, "clearance", "ntp.json"), doc{Version: 1}); !errors.As(err, &ue) || ue.Path != open {
		t.Fatalf("Save under %s: %v, want it refused for that directory", open, err)
	}
	if _, err := os.Lstat(filepath.Join(open, "clearance")); !os.IsNotExist(err) {
		t.Fatalf("the directory was made: %v", err)
	}
}

func TestLoadMissingIsNotAnError(t *testing.T) {
	v := doc{Version: 7}
	found, err := Load(filepath.Join(roottest.Dir(t), "none.json"), 1<<10, &v)
	if found || err != nil || v.Version != 7 {
		t.Fatalf("Load = %v, %v, %+v; want not found, no error, v untouched", found, err, v)
	}
}

func TestLoadRefusesOversizeAndDamagedFiles(t *testing.T) {
	dir := roottest.Dir(t)
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
	dir := roottest.Dir(t)
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

// Root reads no memory another user could have written: a planted NTP
// answer would steer a clock that root may step.
func TestLoadAsRootRefusesAFileOthersCouldWrite(t *testing.T) {
	if os.Geteuid() != 0 {
		roottest.Need(t, "needs root to hand a directory to another user")
	}
	dir := filepath.Join(roottest.Dir(t), "theirs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ntp.json")
	if err := os.WriteFile(path, []byte(`{"version": 9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	var v doc
	if _, err := Load(path, 1<<10, &v); err == nil || v.Version == 9 {
		t.Fatalf("Load = %v, %+v: root read a file uid 65534 could have written", err, v)
	}
}

func TestTrimKeepsTheNewest(t *testing.T) {
	base := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	m := map[string]time.Time{"a": base.Add(3 * time.Hour), "b": base, "c": base.Add(time.Hour), "d": base.Add(2 * time.Hour)}
	Trim(m, 2, func(t time.Time) time.Time { return t })
	if _, ok := m["a"]; len(m) != 2 || !ok || m["d"].IsZero() {
		t.Errorf("left %v, want the two newest, a and d", m)
	}
	Trim(m, 5, func(t time.Time) time.Time { return t })
	if len(m) != 2 {
		t.Errorf("a map within the bound lost entries: %v", m)
	}
}
