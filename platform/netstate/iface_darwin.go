package netstate

import (
	"context"
	"net"
)

// interfaceDetail adds the RUNNING flag, which gopsutil drops: an interface
// that is UP but not RUNNING (a VPN's utun after a disconnect) carries
// nothing. macOS has no per-interface type worth reading here; utun, ipsec
// and ppp names say what the interface is.
func interfaceDetail(_ context.Context, list []Interface) ([]Interface, error) {
	// One listing: net.InterfaceByIndex lists every interface per call.
	all, err := net.Interfaces()
	if err != nil {
		return list, nil // keep what gopsutil gave; RUNNING is a refinement
	}
	running := map[int]bool{}
	for _, ifi := range all {
		running[ifi.Index] = ifi.Flags&net.FlagRunning != 0
	}
	for k := range list {
		list[k].Up = list[k].Up && running[list[k].Index]
	}
	return list, nil
}
