package netstate

import (
	"context"
	"net/netip"
)

// Route is one entry of the routing table.
type Route struct {
	Interface   string       // interface name ("eth0", "utun4", or the Windows friendly name)
	Destination netip.Prefix // 0.0.0.0/0 for a default route
	Gateway     netip.Addr   // invalid when on-link
	Metric      int
}

// IsDefault reports whether r is a default route (0.0.0.0/0 or ::/0).
func (r Route) IsDefault() bool { return r.Destination.IsValid() && r.Destination.Bits() == 0 }

// IsSplitDefault reports whether r is half of a split default route, as
// OpenVPN-style clients install (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1).
func (r Route) IsSplitDefault() bool { return r.Destination.IsValid() && r.Destination.Bits() == 1 }

// Routes returns the IPv4 and IPv6 routing table (at least the default and
// split-default routes). Per OS: routes_linux.go etc.
func Routes(ctx context.Context) ([]Route, error) { return routes(ctx) }
