package netstate

import (
	"context"
	"os"
)

// interfaceDetail adds what sysfs says about each interface: its link
// type, whether it is a TUN/TAP or WireGuard device, and its carrier.
func interfaceDetail(_ context.Context, list []Interface) ([]Interface, error) {
	fsys := os.DirFS("/sys/class/net")
	for k := range list {
		sysfsDetail(fsys, &list[k])
	}
	return list, nil
}
