package statefile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// FuzzLoad reads arbitrary bytes as a state file, with Load and
// LoadPrivate, under an arbitrary bound, beside what a crashed Save left
// and files that are not the state file's. A file there is found; one
// over the bound is ErrTooLarge; one within it is read exactly as
// encoding/json reads it, and refused, naming the file, exactly when that
// fails. The crashed Save's temporary file goes, and nothing else does.
//
// Seeds: the files of TestSaveLoadRoundTripOwnerOnly and
// TestLoadRefusesOversizeAndDamagedFiles, and an NTP store as ntpq saves it.
func FuzzLoad(f *testing.F) {
	dir := roottest.Dir(f)
	path := filepath.Join(dir, "state.json")
	stale := filepath.Join(dir, ".state.json.clearance-2674182236")
	others := []string{filepath.Join(dir, ".addrs.json.clearance-1"), filepath.Join(dir, "notes.txt"), filepath.Join(dir, ".state.json.clearance-1.orig")}
	then := time.Now().Add(-time.Hour) // as a process killed an hour ago left them
	age := func(t testing.TB, p string) {
		t.Helper()
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, then, then); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range others {
		age(f, p)
	}
	f.Add([]byte(`{"version":1,"items":{"a":2}}`), uint16(1<<10))
	f.Add([]byte(`{"version": 1, "items": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1}}`), uint16(16))
	f.Add([]byte(`{"version": `), uint16(1<<10))
	f.Add([]byte(`{"version":1,"servers":{"127.0.0.1:123":{"asked":"2026-11-27T14:00:00Z","uptime_ns":5000000000,"kiss":{"code":"RATE","until":"2026-11-27T14:10:00Z"}}}}`), uint16(1<<10))
	f.Add([]byte(`{"version":"1","items":[]}`), uint16(0))
	f.Fuzz(func(t *testing.T, content []byte, limit uint16) {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		age(t, stale)
		for name, load := range map[string]func(string, int64, any) (bool, error){"Load": Load, "LoadPrivate": LoadPrivate} {
			var got any
			var typed doc
			found, err := load(path, int64(limit), &got)
			_, typedErr := load(path, int64(limit), &typed)
			if !found {
				t.Fatalf("%s: a file that is there was not found (%v)", name, err)
			}
			var want any
			var wantTyped doc
			wantErr, wantTypedErr := json.Unmarshal(content, &want), json.Unmarshal(content, &wantTyped)
			switch {
			case len(content) > int(limit):
				if !errors.Is(err, ErrTooLarge) || !errors.Is(typedErr, ErrTooLarge) {
					t.Fatalf("%s: %d bytes against a bound of %d: %v, %v; want ErrTooLarge", name, len(content), limit, err, typedErr)
				}
			case (err != nil) != (wantErr != nil) || (typedErr != nil) != (wantTypedErr != nil):
				t.Fatalf("%s of %q: %v, %v; encoding/json says %v, %v", name, content, err, typedErr, wantErr, wantTypedErr)
			case err == nil && !reflect.DeepEqual(got, want):
				t.Fatalf("%s of %q read %#v, encoding/json %#v", name, content, got, want)
			case typedErr == nil && !reflect.DeepEqual(typed, wantTyped):
				t.Fatalf("%s of %q read %#v, encoding/json %#v", name, content, typed, wantTyped)
			}
			for _, e := range []error{err, typedErr} {
				if e != nil && !strings.Contains(e.Error(), path) {
					t.Fatalf("%s: %q does not name the file", name, e)
				}
			}
		}
		if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the crashed save's temporary file is still there (%v)", err)
		}
		for _, p := range others {
			if _, err := os.Lstat(p); err != nil {
				t.Fatalf("%s, not the state file's temporary file, was removed (%v)", p, err)
			}
		}
	})
}
