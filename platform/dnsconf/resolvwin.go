package dnsconf

import (
	"net/netip"
	"slices"
)

// adapterDNS is one Windows network adapter as GetAdaptersAddresses
// describes it, reduced to what resolver detection needs.
type adapterDNS struct {
	Name    string
	Up      bool
	Servers []netip.Addr
}

// windowsPlaceholderDNS are the site-local addresses Windows lists on
// adapters that have no IPv6 DNS server configured; nothing answers there.
var windowsPlaceholderDNS = []netip.Addr{
	netip.MustParseAddr("fec0:0:0:ffff::1"),
	netip.MustParseAddr("fec0:0:0:ffff::2"),
	netip.MustParseAddr("fec0:0:0:ffff::3"),
}

// dnsServersOfAdapters lists the DNS servers of the adapters that are up,
// without duplicates or placeholders, in adapter order.
func dnsServersOfAdapters(adapters []adapterDNS) []string {
	var seen []netip.Addr
	for _, a := range adapters {
		if !a.Up {
			continue
		}
		for _, s := range a.Servers {
			s = s.WithZone("")
			if slices.Contains(windowsPlaceholderDNS, s) || slices.Contains(seen, s) {
				continue
			}
			seen = append(seen, s)
		}
	}
	return AddrStrings(seen)
}
