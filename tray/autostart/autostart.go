// Package autostart reads and sets the per-user "Start at login" choice
// for Clearance's tray. The installer registers the tray machine-wide
// (/etc/xdg/autostart, HKLM Run, /Library/LaunchAgents); a person opts out
// for themselves only: a Hidden=true entry in ~/.config/autostart, the
// StartupApproved value in HKCU on Windows, `launchctl disable` in their
// GUI domain on macOS. It never touches the machine-wide registration and
// needs no privileges.
package autostart

import "errors"

// The names the installer registers the tray under; they must match it.
const (
	// DesktopFile is the XDG autostart entry's file name.
	DesktopFile = "clearance-tray.desktop"
	// RunValue is the HKLM Run value's name, and so the StartupApproved
	// value's.
	RunValue = "Clearance"
	// LaunchdLabel is the launch agent's label.
	LaunchdLabel = "app.clearance.tray"
)

// ErrNotInstalled is returned by SetEnabled(true) when the machine-wide
// registration is missing: the tray cannot start at login until
// Clearance is installed again.
//
//lint:ignore ST1005 the message is for a person, and starts with the product's name
var ErrNotInstalled = errors.New("Clearance's tray is not registered to start at login on this computer: install Clearance again to register it")

// Enabled reports whether the tray starts at login for this user: it is
// registered machine-wide and the user has not opted out.
func Enabled() (bool, error) { return enabled() }

// SetEnabled opts this user in or out. Opting in removes the opt-out and
// fails with ErrNotInstalled when there is no machine-wide registration.
func SetEnabled(on bool) error { return setEnabled(on) }
