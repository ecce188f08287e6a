package netstate

import (
	"encoding/binary"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// The routing tables and change messages come from the kernel or from
// netstat's output; whatever they hold, reading them must not panic, and
// every route read must be one the callers can use.

// checkRoutes fails on a route without an interface or destination, or
// (from /proc, where each file holds one family) of the other family. A
// gateway of the other family is no error: an IPv4 route via an IPv6 next
// hop exists (RFC 5549).
func checkRoutes(t *testing.T, rs []Route, err error, want4, want6 bool) {
	t.Helper()
	if err != nil && rs != nil {
		t.Fatalf("routes %v with an error (%v)", rs, err)
	}
	for _, r := range rs {
		d := r.Destination
		switch {
		case r.Interface == "" || !d.IsValid():
			t.Fatalf("route %+v without an interface or destination", r)
		case want4 && !d.Addr().Is4(), want6 && !d.Addr().Is6():
			t.Fatalf("route %+v of the wrong family", r)
		}
	}
}

// FuzzParseProcNetRoute reads the data as both /proc/net/route and
// /proc/net/ipv6_route: the two share their shape (rows of hex fields).
func FuzzParseProcNetRoute(f *testing.F) {
	platformtest.Seed(f, "route/linux-*")
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseProcNetRoute(data)
		checkRoutes(t, rs, err, true, false)
		rs, err = ParseProcNetIPv6Route(data)
		checkRoutes(t, rs, err, false, true)
	})
}

func FuzzParseNetstatRoutes(f *testing.F) {
	platformtest.Seed(f, "route/darwin-*")
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseNetstatRoutes(data)
		checkRoutes(t, rs, err, false, false)
	})
}

// FuzzNetlinkFilter feeds one read to a filter twice. A read that parses
// holds whole messages, so the filter cannot remember more addresses than
// the read has bytes for.
func FuzzNetlinkFilter(f *testing.F) {
	seedNetlink(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var nf netlinkFilter
		nf.changed(b)
		nf.changed(b)
		if len(nf.addrs)*(nlmsgHdrLen+ifaddrmsgLen) > len(b) {
			t.Fatalf("%d addresses remembered from a read of %d bytes", len(nf.addrs), len(b))
		}
	})
}

// seedNetlink adds the recorded reads of testdata/netmon.
func seedNetlink(f *testing.F) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return // recorded on a little-endian machine; netlink is host-endian
	}
	_, reads := netlinkReads(f, "linux-netlink-tun.txt")
	for _, r := range reads {
		f.Add(r)
	}
}

// FuzzRouteSocketChanges: each change named comes from a message of at
// least an ifa_msghdr's size.
func FuzzRouteSocketChanges(f *testing.F) {
	f.Add(rsMsg(rsAdd, 4, 0x1|0x2|0x800))
	f.Add(append(rsMsg(0x7, 0, 0), rsMsg(rsNewAddr, 9, 0)...))
	f.Add(rsMsg(rsIfInfo, 12, 0x8843))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, _ := routeSocketChanges(b)
		if len(out)*rsIfaMsghdrLen > len(b) {
			t.Fatalf("%d changes from %d bytes", len(out), len(b))
		}
	})
}
