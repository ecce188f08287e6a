package tray

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

func TestSettingsFile(t *testing.T) {
	dir := winegap.TempDir(t)
	path := filepath.Join(dir, "clearance", "tray.toml")

	s, err := LoadSettings(path)
	if err != nil || s != DefaultSettings() || !s.Alerts || s.NotifyResolved {
		t.Fatalf("no file: %+v %v, want the defaults", s, err)
	}

	until := time.Date(2026, 11, 28, 8, 0, 0, 0, time.Local)
	s.SnoozeUntil = until
	s.NotifyResolved = true
	if err := SaveSettings(path, s); err != nil {
		t.Fatal(err)
	}
	plantLeftover(t, path) // a save killed an hour ago: the next load removes it
	got, err := LoadSettings(path)
	if err != nil || !got.SnoozeUntil.Equal(until) || !got.NotifyResolved || !got.Alerts {
		t.Fatalf("read back %+v %v", got, err)
	}
	if !got.Snoozed(until.Add(-time.Minute)) || got.Snoozed(until) || !got.Quiet(until.Add(-time.Minute)) {
		t.Fatal("snooze window wrong")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("the directory holds %d entries; the temporary file was left behind", len(entries))
	}

	// A person's own file: alerts off.
	os.WriteFile(path, []byte("alerts = false\n"), 0o600)
	if got, err := LoadSettings(path); err != nil || got.Alerts || !got.Quiet(until) {
		t.Fatalf("alerts = false: %+v %v", got, err)
	}
}

func TestBadSettingsGiveDefaults(t *testing.T) {
	dir := winegap.TempDir(t)
	for name, tc := range map[string]struct{ body, want string }{
		"syntax":      {"alerts = \n", "tray.toml:1"},
		"unknown key": {"alerts = true\nsnooze = 5\n", `tray.toml:2: unknown key "snooze"`},
		"wrong type":  {"alerts = \"yes\"\n", "tray.toml:1"},
	} {
		path := filepath.Join(dir, name, "tray.toml")
		os.MkdirAll(filepath.Dir(path), 0o700)
		os.WriteFile(path, []byte(tc.body), 0o600)
		s, err := LoadSettings(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "using the defaults") {
			t.Errorf("%s: error %v, want one naming %q", name, err, tc.want)
		}
		if s != DefaultSettings() {
			t.Errorf("%s: settings %+v, want the defaults", name, s)
		}
	}
}

func TestSnoozeChoices(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 12, 31, 23, 30, 0, 0, loc)
	if got := snoozeHour(now); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("1 hour: %v", got)
	}
	if got, want := snoozeTomorrow(now), time.Date(2027, 1, 1, 8, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("until tomorrow: %v, want %v", got, want)
	}
}

// plantLeftover leaves beside path the temporary file of a write killed an
// hour ago, named as platform.WriteFileAtomic names them.
func plantLeftover(t *testing.T, path string) {
	t.Helper()
	p := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".clearance-2674182236")
	if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, then, then); err != nil {
		t.Fatal(err)
	}
}
