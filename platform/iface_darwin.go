package platform

import (
	"context"
	"net"
)

// interfaceDetail adds the RUNNING flag, which gopsutil drops: an interface
// that is UP but not RUNNING (a VPN's utun after a disconnect) carries
// nothing. macOS has no per-interface type worth reading here; utun, ipsec
// and ppp names say what the interface is.
func interfaceDetail(_ context.Context, list []Interface) ([]Interface, error) {
	for k := range list {
		ifi, err := net.InterfaceByIndex(list[k].Index)
		if err != nil {
			continue // gone since it was listed
		}
		list[k].Up = list[k].Up && ifi.Flags&net.FlagRunning != 0
	}
	return list, nil
}
