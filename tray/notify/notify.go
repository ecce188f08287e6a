// Package notify shows Clearance's desktop alerts and reports which of
// their buttons a person pressed: org.freedesktop.Notifications over the
// session bus on Linux and the BSDs, toasts with buttons on Windows, a
// plain notification on macOS.
//
// It only delivers what it is given and what was clicked: deciding when
// to alert, and what a click does, belongs to the tray. It never starts a
// session bus of its own (godbus would spawn dbus-launch when
// DBUS_SESSION_BUS_ADDRESS is unset): without one, New fails with
// ErrNoSessionBus.
package notify

import (
	"context"
	"errors"
)

// AppName is the application name alerts carry.
const AppName = "Clearance"

// DefaultAction is the key of a click on the notification itself rather
// than on one of its buttons.
const DefaultAction = "default"

// Action is a button on a notification. Key comes back in Invoked when it
// is pressed; Label is what the button says.
type Action struct{ Key, Label string }

// Notification is one alert. ReplacesID, when not zero, is the ID of an
// earlier notification that this one updates in place where the desktop
// can (a fix's progress, then its result).
type Notification struct {
	Title, Body string
	Critical    bool
	Actions     []Action
	ReplacesID  uint32
}

// Invoked is a button press, or a click on the notification (Key
// DefaultAction), on a notification this Notifier sent.
type Invoked struct {
	ID  uint32
	Key string
}

// Notifier sends notifications and reports clicks on them.
type Notifier interface {
	// Send shows n and returns its ID. Buttons are shown only where the
	// desktop can show them; where it cannot, the notification still
	// appears, without them.
	Send(ctx context.Context, n Notification) (uint32, error)
	// Invoked delivers clicks on this Notifier's notifications, in order.
	// It is closed by Close.
	Invoked() <-chan Invoked
	// Close releases the connection to the desktop.
	Close() error
}

var (
	// ErrNoSessionBus is returned by New on Linux when there is no
	// session bus to reach the desktop's notification server through.
	ErrNoSessionBus = errors.New("no desktop session bus (DBUS_SESSION_BUS_ADDRESS is not set): desktop alerts need a graphical login session")
	// ErrNoServer is returned by Send when nothing on the session bus
	// shows notifications (no notification daemon is running).
	ErrNoServer = errors.New("no notification service is running in this desktop session")
)

// New connects to the desktop's notification service. ctx bounds only the
// connecting; the Notifier lives until Close.
func New(ctx context.Context) (Notifier, error) {
	return newNotifier(ctx)
}
