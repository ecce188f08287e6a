package netstate

import (
	"context"
	"fmt"
	"os"
)

// routes reads the kernel's main routing table, IPv4 and IPv6. A machine
// without IPv6 has no /proc/net/ipv6_route; that is no error.
func routes(context.Context) ([]Route, error) {
	v4, err := os.ReadFile("/proc/net/route")
	if err != nil {
		return nil, fmt.Errorf("read the routing table: %w", err)
	}
	out, err := ParseProcNetRoute(v4)
	if err != nil {
		return nil, err
	}
	v6, err := os.ReadFile("/proc/net/ipv6_route")
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the IPv6 routing table: %w", err)
	}
	more, err := ParseProcNetIPv6Route(v6)
	if err != nil {
		return nil, err
	}
	return append(out, more...), nil
}
