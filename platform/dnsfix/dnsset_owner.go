package dnsfix

import (
	"errors"

	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/netstate"
)

// Which tool owns this machine's DNS settings, and which interface to switch.

// linuxDNSTool decides who owns the DNS settings from what resolver
// detection read: NetworkManager when it wrote resolv.conf and runs;
// systemd-resolved when glibc asks it (stub) or it writes the server list
// (uplink file); otherwise the file itself.
func linuxDNSTool(in dnsconf.LinuxResolverInputs) string {
	info := dnsconf.DecideLinuxResolver(in)
	nmRuns := in.Processes == nil || in.Processes["NetworkManager"]
	switch {
	case info.Owner == "NetworkManager" && nmRuns:
		return dnsToolNM
	case info.Kind == dnsconf.ResolverSystemdResolved || in.ResolvConfTarget == dnsconf.ResolvedFullFile:
		return dnsToolResolved
	}
	return dnsToolResolvConf
}

// defaultRouteInterface names the interface of the default route traffic
// takes: IPv4 first, the lowest metric, the table's order between equals.
// Split defaults (a VPN's 0/1 + 128/1) are not the interface's own setting.
func defaultRouteInterface(rs []netstate.Route) (string, bool) {
	for _, v4 := range []bool{true, false} {
		best, found := netstate.Route{}, false
		for _, r := range rs {
			if !r.IsDefault() || r.Destination.Addr().Is4() != v4 || r.Interface == "" {
				continue
			}
			if !found || r.Metric < best.Metric {
				best, found = r, true
			}
		}
		if found {
			return best.Interface, true
		}
	}
	return "", false
}

// errNoDefaultRoute: without a default route there is no active interface.
var errNoDefaultRoute = errors.New("there is no default route: no network connection to switch")
