package tray

import (
	"fmt"

	"github.com/godbus/dbus/v5"
)

// instanceName is the tray's well-known name on the session bus: whoever
// owns it is the session's tray.
const instanceName = "app.clearance.Tray"

// claimSession checks that there is a desktop session bus to show the icon
// on, before the systray library is started: without one it panics on
// quit, and with no address at all godbus would start a stray bus with
// dbus-launch (this connection never autolaunches). It then takes
// instanceName, so that one tray runs per session; release gives it back.
func claimSession() (release func(), err error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
		if err != nil {
			conn.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w (%v): start the tray from within a desktop session, where DBUS_SESSION_BUS_ADDRESS names the running session bus", ErrNoSessionBus, err)
	}
	reply, err := conn.RequestName(instanceName, dbus.NameFlagDoNotQueue)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("claim the name %s on the session bus: %w", instanceName, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, ErrAlreadyRunning
	}
	return func() { conn.Close() }, nil
}
