package dnsfix

import (
	"context"
	"fmt"
	"net/netip"
	"os"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

func systemFlushOps() flushOps {
	return flushOps{
		resolvedFlush: resolvedFlushCaches,
		dnsmasqPIDs:   func(addr netip.Addr) ([]int, error) { return dnsmasqPIDsIn(os.DirFS("/"), addr) },
		hangup:        func(pid int) error { return unix.Kill(pid, unix.SIGHUP) },
	}
}

// The object and method of systemd-resolved's D-Bus API
// (org.freedesktop.resolve1(5)) that resolvectl flush-caches calls.
const (
	resolvedBusName     = "org.freedesktop.resolve1"
	resolvedObjectPath  = "/org/freedesktop/resolve1"
	resolvedFlushMethod = "org.freedesktop.resolve1.Manager.FlushCaches"
)

// resolvedFlushCaches calls FlushCaches on the system bus (the address in
// DBUS_SYSTEM_BUS_ADDRESS, or the standard socket), on a connection of its
// own that is closed afterwards.
func resolvedFlushCaches(ctx context.Context) error {
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("connect to the system bus: %w", err)
	}
	defer conn.Close()
	call := conn.Object(resolvedBusName, resolvedObjectPath).CallWithContext(ctx, resolvedFlushMethod, 0)
	if call.Err != nil {
		return fmt.Errorf("call %s: %w", resolvedFlushMethod, call.Err)
	}
	return nil
}
