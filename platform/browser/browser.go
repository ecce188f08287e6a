package browser

import (
	"context"
	"time"
)

// Family is the engine family a browser belongs to: it decides where the
// profiles are listed and how they lock.
type Family string

const (
	Chromium Family = "chromium"
	Firefox  Family = "firefox"
)

// Install kinds on Linux; elsewhere every browser is "native".
const (
	Native  = "native"
	Flatpak = "flatpak"
	Snap    = "snap"
)

// Browser is one installed browser, as found in a person's home.
type Browser struct {
	Name    string // "Chrome", "Chromium", "Edge", "Brave", "Vivaldi", "Opera", "Firefox"
	Family  Family
	Install string // Native, Flatpak or Snap
	// DataDir is Chromium's user-data directory (where Local State is),
	// Firefox's profiles root (where profiles.ini is).
	DataDir string
	Version string // "" when unknown
	// Built is the release or build date from the version metadata the
	// browser records (Chromium's stats_buildtime, Firefox's build ID), or
	// the modification time of its installed program; zero when unknown.
	Built    time.Time
	Channel  string // "stable", "beta", "dev", "canary", "esr", "extended", …; "" when unknown
	Default  bool   // the desktop's default web browser
	Profiles []Profile
}

// Profile is one browser profile.
type Profile struct {
	Name string // its display name
	Dir  string // absolute directory
}

// Discover returns every browser found in home, with its profiles, and an
// error for each browser or profile that could not be read; it never
// fails wholesale. Where an OS lets the environment move the browsers'
// folders ($XDG_CONFIG_HOME, %LOCALAPPDATA%, %APPDATA%), the process's
// environment is honoured, so home should be the calling person's.
func Discover(ctx context.Context, home string) ([]Browser, []error) {
	return discover(ctx, system(home))
}

// Running reports whether b runs now, from the lock it holds: Chromium's
// SingletonLock link naming a live process on this computer (Linux,
// macOS), Firefox's lock link naming a live process or a held lock on
// .parentlock in any of its profiles — the file stays after Firefox exits,
// so its existence proves nothing — and, on Windows, Chromium's lockfile
// or a Firefox profile's parent.lock held open. The string names the
// evidence, for a message. An error means it could not tell.
func (b Browser) Running() (bool, string, error) { return running(b) }
