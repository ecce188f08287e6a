package tray

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/clearance-app/clearance/platform"
)

// Settings are the tray's per-user settings, in tray.toml in the user's
// configuration directory. A person may edit alerts and notify_resolved;
// snooze_until is written by the tray when the person snoozes alerts.
type Settings struct {
	// Alerts turns desktop alerts for new problems on or off. The menu
	// shows every finding either way.
	Alerts bool `toml:"alerts"`
	// NotifyResolved adds a notice when a problem that was alerted clears.
	NotifyResolved bool `toml:"notify_resolved"`
	// SnoozeUntil silences alerts until then (local time in the file).
	SnoozeUntil time.Time `toml:"snooze_until,omitempty"`
}

// DefaultSettings are the settings without a file: alerts on, no resolved
// notices (one notification per problem), not snoozed.
func DefaultSettings() Settings { return Settings{Alerts: true} }

// SettingsPath is the per-user settings file: tray.toml under
// os.UserConfigDir()/clearance.
func SettingsPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user's configuration directory: %w", err)
	}
	return filepath.Join(dir, "clearance", "tray.toml"), nil
}

// Snoozed reports whether alerts are snoozed at now.
func (s Settings) Snoozed(now time.Time) bool {
	return now.Before(s.SnoozeUntil)
}

// Quiet reports whether alerts are silenced at now, by the switch or a
// snooze.
func (s Settings) Quiet(now time.Time) bool { return !s.Alerts || s.Snoozed(now) }

// LoadSettings reads the file at path. A missing file is the defaults. A
// file that cannot be read or understood gives the defaults and an error
// that names the file, line and key, for the log: the tray never stops for
// its own settings.
func LoadSettings(path string) (Settings, error) {
	platform.RemoveStaleTemps(path) // what a SaveSettings killed half-way left; harmless if it stays
	s := DefaultSettings()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read the tray settings: %w", err)
	}
	if err := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields().Decode(&s); err != nil {
		return DefaultSettings(), settingsError(path, err)
	}
	return s, nil
}

// settingsError says where in the file the problem is.
func settingsError(path string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		line, _ := e.Position()
		return fmt.Errorf("%s:%d: unknown key %q (the tray reads alerts, notify_resolved and snooze_until); using the defaults", path, line, strings.Join(e.Key(), "."))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return fmt.Errorf("%s:%d: %s; using the defaults", path, line, strings.TrimPrefix(de.Error(), "toml: "))
	}
	return fmt.Errorf("%s: %s; using the defaults", path, strings.TrimPrefix(err.Error(), "toml: "))
}

// settingsHeader opens a file the tray writes, for the person who opens it.
const settingsHeader = `# Clearance tray settings (this user only).
# alerts = false turns desktop alerts off; notify_resolved = true adds a
# notice when a problem clears. snooze_until is set by "Snooze alerts".
`

// SaveSettings writes s to path, replacing the file in one step so that a
// crash never leaves half a file (platform.WriteFileAtomic).
func SaveSettings(path string, s Settings) error {
	if !s.SnoozeUntil.IsZero() {
		// Whole seconds, in local time: what a person reading the file expects.
		s.SnoozeUntil = s.SnoozeUntil.Local().Truncate(time.Second)
	}
	b, err := toml.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode the tray settings: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create the settings directory: %w", err)
	}
	// Durable: a person's choice (alerts off, a snooze) must not come back
	// changed after a power cut.
	if err := platform.WriteFileAtomic(path, append([]byte(settingsHeader), b...), 0o600, true); err != nil {
		return fmt.Errorf("write the tray settings: %w", err)
	}
	return nil
}

// snoozeHour and snoozeTomorrow are the snooze choices of the menu.
func snoozeHour(now time.Time) time.Time { return now.Add(time.Hour) }

// snoozeTomorrow is 08:00 tomorrow, local time: the next working morning
// rather than exactly 24 hours, which would wake a person at night.
func snoozeTomorrow(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 8, 0, 0, 0, now.Location())
}
