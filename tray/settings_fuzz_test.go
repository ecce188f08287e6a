package tray

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

// FuzzLoadSettings: tray.toml is the person's to edit. A file refused
// gives the defaults and an error naming the file; a file accepted is
// saved and read back with the same settings (a snooze to the second, as
// SaveSettings keeps it).
func FuzzLoadSettings(f *testing.F) {
	f.Add([]byte(settingsHeader + "alerts = false\nnotify_resolved = true\nsnooze_until = 2026-11-27T15:04:05+01:00\n"))
	f.Add([]byte("alerts = \"no\"\n"))
	f.Add([]byte("snooze_until = 1979-05-27\nsnooze = 1\n"))
	f.Add([]byte("snooze_until = 9999-12-31T23:59:59.999999999Z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := winegap.TempDir(t)
		path := filepath.Join(dir, "tray.toml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := LoadSettings(path)
		if err != nil {
			if s != DefaultSettings() || !strings.Contains(err.Error(), path) {
				t.Fatalf("refused with %+v and %v", s, err)
			}
			return
		}
		again := filepath.Join(dir, "again.toml")
		if err := SaveSettings(again, s); err != nil {
			t.Fatalf("accepted %+v, not saved: %v", s, err)
		}
		back, err := LoadSettings(again)
		if err != nil {
			t.Fatalf("saved %+v, refused: %v", s, err)
		}
		if back.Alerts != s.Alerts || back.NotifyResolved != s.NotifyResolved || !back.SnoozeUntil.Equal(s.SnoozeUntil.Truncate(time.Second)) {
			t.Fatalf("saved %+v, read back %+v", s, back)
		}
	})
}
