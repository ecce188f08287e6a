package platform

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

// dirNames lists a directory's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A write replaces the file whole, durable or not, and leaves nothing
// beside it.
func TestWriteFileAtomicReplacesTheFile(t *testing.T) {
	dir := winegap.TempDir(t)
	path := filepath.Join(dir, "state.json")
	for i, durable := range []bool{false, true, false} {
		data := []byte{byte('a' + i), '\n'}
		if err := WriteFileAtomic(path, data, 0o600, durable); err != nil {
			t.Fatalf("write %d (durable %v): %v", i, durable, err)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != string(data) {
			t.Fatalf("write %d: the file holds %q, %v; want %q", i, got, err, data)
		}
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"state.json"}) {
		t.Errorf("the directory holds %q, want only the file", names)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x"), 0o600, false); err == nil {
		t.Error("a write into a missing directory succeeded")
	}
}

// BeforeRename sees the complete temporary file, named by the pattern the
// clean-ups look for; its error leaves the old file as it was and no
// temporary file behind.
func TestAtomicWriteBeforeRename(t *testing.T) {
	dir := winegap.TempDir(t)
	path := filepath.Join(dir, "dns-journal.json")
	if err := WriteFileAtomic(path, []byte("old"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	var seen string
	refuse := errors.New("refused")
	err := AtomicWrite{Durable: true, BeforeRename: func(tmp string) error {
		seen = tmp
		if b, err := os.ReadFile(tmp); err != nil || string(b) != "new" {
			t.Errorf("the temporary file holds %q, %v before the rename", b, err)
		}
		return refuse
	}}.Write(path, []byte("new"))
	if !errors.Is(err, refuse) {
		t.Fatalf("err = %v, want BeforeRename's", err)
	}
	if filepath.Dir(seen) != dir || !IsTempFor(path, filepath.Base(seen)) {
		t.Errorf("temporary file %s is not one IsTempFor(%s) knows", seen, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("a refused write changed the file to %q", b)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"dns-journal.json"}) {
		t.Errorf("the directory holds %q after a refused write", names)
	}
}

func TestIsTempFor(t *testing.T) {
	path := filepath.Join("etc", "resolv.conf")
	for name, want := range map[string]bool{
		".resolv.conf.clearance-2674182236": true,
		".resolv.conf.clearance-1":          true,
		".resolv.conf.clearance-":           false, // no digits
		".resolv.conf.clearance-12x":        false,
		".resolv.conf.clearance-1.orig":     false, // a person's copy
		"resolv.conf.clearance-1":           false, // not hidden
		".hosts.clearance-1":                false, // another file's
		".resolv.conf":                      false,
		"resolv.conf":                       false,
	} {
		if got := IsTempFor(path, name); got != want {
			t.Errorf("IsTempFor(%s, %q) = %v, want %v", path, name, got, want)
		}
	}
}

// The clean-up removes the leftovers of writes that died, and nothing else:
// not a temporary file that another process may still be renaming, not
// another file's, not what only looks like one.
func TestRemoveStaleTemps(t *testing.T) {
	dir := winegap.TempDir(t)
	path := filepath.Join(dir, "ntp.json")
	put := func(name string, age time.Duration) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		then := time.Now().Add(-age)
		if err := os.Chtimes(p, then, then); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gone := []string{put(".ntp.json.clearance-1", time.Hour), put(".ntp.json.clearance-3938474829", 2*time.Minute)}
	kept := []string{
		put("ntp.json", time.Hour),
		put(".ntp.json.clearance-7", 0),              // being written right now
		put(".ntp.json.clearance-8", -time.Hour),     // from a clock that was ahead
		put(".addrs.json.clearance-1", time.Hour),    // another file's
		put(".ntp.json.clearance-1.bak", time.Hour),  // not what a write makes
		put(".ntp.json.tmp", time.Hour),              // nor this
		filepath.Join(dir, ".ntp.json.clearance-99"), // a directory, made below
	}
	if err := os.Mkdir(kept[len(kept)-1], 0o700); err != nil {
		t.Fatal(err)
	}
	if err := RemoveStaleTemps(path); err != nil {
		t.Fatal(err)
	}
	for _, p := range gone {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was not removed (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed (%v)", filepath.Base(p), err)
		}
	}
	if err := RemoveStaleTemps(filepath.Join(dir, "missing", "x.json")); err != nil {
		t.Errorf("a missing directory: %v", err)
	}
}
