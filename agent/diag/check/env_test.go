package check

import (
	"net/netip"
	"testing"

	"github.com/clearance-app/clearance/platform/netstate"
)

// The TLS sessions' network name changes with what a move to another
// network or a VPN changes, and not with what it does not.
func TestNetworkName(t *testing.T) {
	route := func(dst, iface, gw string) netstate.Route {
		r := netstate.Route{Destination: netip.MustParsePrefix(dst), Interface: iface}
		if gw != "" {
			r.Gateway = netip.MustParseAddr(gw)
		}
		return r
	}
	home := []netstate.Route{
		route("0.0.0.0/0", "wlan0", "192.168.1.1"),
		route("192.168.1.0/24", "wlan0", ""),
		route("::/0", "wlan0", "fe80::1"),
	}
	name := networkName(home, []string{"192.168.1.1"})
	if name == "" {
		t.Fatal("no name for a network with a default route")
	}
	same := []struct {
		what    string
		routes  []netstate.Route
		servers []string
	}{
		{"the routes listed in another order", []netstate.Route{home[2], home[1], home[0]}, []string{"192.168.1.1"}},
		{"another on-link route", append(home[:3:3], route("10.0.0.0/8", "docker0", "")), []string{"192.168.1.1"}},
		{"a metric changed", []netstate.Route{{Destination: home[0].Destination, Interface: "wlan0", Gateway: home[0].Gateway, Metric: 600}, home[1], home[2]}, []string{"192.168.1.1"}},
		{"a server listed twice", home, []string{"192.168.1.1", "192.168.1.1"}},
	}
	for _, c := range same {
		if got := networkName(c.routes, c.servers); got != name {
			t.Errorf("%s: the name changed (%s, was %s)", c.what, got, name)
		}
	}
	differ := []struct {
		what    string
		routes  []netstate.Route
		servers []string
	}{
		{"another gateway", []netstate.Route{route("0.0.0.0/0", "wlan0", "192.168.0.1"), home[1], home[2]}, []string{"192.168.1.1"}},
		{"another interface", []netstate.Route{route("0.0.0.0/0", "eth0", "192.168.1.1"), home[1], home[2]}, []string{"192.168.1.1"}},
		{"another DNS server", home, []string{"1.1.1.1"}},
		{"a VPN's split default route", append(home[:3:3], route("0.0.0.0/1", "tun0", ""), route("128.0.0.0/1", "tun0", "")), []string{"192.168.1.1"}},
		{"no IPv6 default route", home[:2], []string{"192.168.1.1"}},
	}
	for _, c := range differ {
		if got := networkName(c.routes, c.servers); got == name || got == "" {
			t.Errorf("%s: name %q, want another than %s", c.what, got, name)
		}
	}
	if got := networkName(home[1:2], nil); got != "" {
		t.Errorf("no default route, no DNS server: %q, want none", got)
	}
}
