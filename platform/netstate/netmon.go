package netstate

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// WatchNetwork reports changes of network links, addresses and routes, so
// that the agent re-checks at once instead of waiting for its interval. The
// returned channel has capacity 1 and coalesces: a change gives at least one
// value, and a burst of them (a VPN coming up adds a link, addresses and
// routes) may give only one. The channel is closed when ctx ends or when the
// watch fails; a caller that sees it closed while ctx is still alive should
// fall back to its interval (and may try again later). It returns
// ErrNotSupported where the operating system has no implementation.
//
// It does no periodic work: it blocks on the operating system (Go's network
// poller on Linux and macOS, iphlpapi callbacks on Windows) and never polls on
// a timer. While idle it holds one parked goroutine on Linux and macOS, none
// on Windows.
func WatchNetwork(ctx context.Context) (<-chan struct{}, error) { return watchNetwork(ctx) }

// The kernel's numbers for rtnetlink (linux/netlink.h, linux/rtnetlink.h,
// linux/if_link.h, linux/if_addr.h), spelled out so that the parser builds
// and is tested on every OS; netmon_linux.go checks them against x/sys.
const (
	nlmsgHdrLen  = 16
	nlmsgNoop    = 0x1
	nlmsgError   = 0x2
	nlmsgDone    = 0x3
	nlmsgOverrun = 0x4

	rtmNewLink  = 0x10
	rtmDelLink  = 0x11
	rtmNewAddr  = 0x14
	rtmDelAddr  = 0x15
	rtmNewRoute = 0x18
	rtmDelRoute = 0x19

	ifinfomsgLen = 16
	iflaWireless = 0xb

	ifaddrmsgLen = 8
	ifaAddress   = 0x1
	ifaLocal     = 0x2
	ifaFlags     = 0x8
	// Address flags that change whether an address can be used: DAD still
	// running or failed, or the preferred lifetime over. IFA_F_PERMANENT
	// and the lifetimes themselves are left out on purpose.
	ifaUsableMask = 0x04 | 0x08 | 0x20 | 0x40 // OPTIMISTIC | DADFAILED | DEPRECATED | TENTATIVE

	rtmsgLen     = 12
	rtTableLocal = 0xff
)

// netlinkFilter decides which rtnetlink messages are changes worth a
// re-check. It remembers the addresses it has seen, because the kernel
// sends RTM_NEWADDR again for an address that only had its lifetimes
// renewed (each IPv6 router advertisement, each DHCP renewal that goes
// through `ip addr change`), and a re-check for each would be periodic work.
// An address already there when the watch started counts once, the first
// time the kernel mentions it.
type netlinkFilter struct {
	addrs map[nlAddrKey]uint32 // → the address's usable flags
}

// nlAddrKey names one address on one link.
type nlAddrKey struct {
	family, prefixLen uint8
	index             uint32
	local, address    string // the raw attribute values
}

// changed reports whether b, the bytes of one read from a NETLINK_ROUTE
// socket, holds at least one change: a link added, removed or changed (not
// a wireless event), an address added, removed or made (un)usable, or a
// route added or removed outside the local table (whose local and broadcast
// routes only mirror address changes). Replies (NLMSG_DONE, NLMSG_ERROR)
// are not changes; NLMSG_OVERRUN (messages lost) is. An error means b could
// not be parsed: a caller should count that as a change.
func (nf *netlinkFilter) changed(b []byte) (bool, error) {
	changed := false
	for len(b) > 0 {
		if len(b) < nlmsgHdrLen {
			return changed, fmt.Errorf("netlink message of %d bytes, shorter than its header", len(b))
		}
		n := int(binary.NativeEndian.Uint32(b[0:4]))
		if n < nlmsgHdrLen || n > len(b) {
			return changed, fmt.Errorf("netlink message says it has %d bytes, %d are there", n, len(b))
		}
		c, err := nf.message(binary.NativeEndian.Uint16(b[4:6]), b[nlmsgHdrLen:n])
		if err != nil {
			return changed, err
		}
		changed = changed || c
		b = b[min(nlAlign(n), len(b)):]
	}
	return changed, nil
}

func (nf *netlinkFilter) message(typ uint16, p []byte) (bool, error) {
	switch typ {
	case nlmsgNoop, nlmsgError, nlmsgDone:
		return false, nil
	case nlmsgOverrun:
		return true, nil
	case rtmNewLink, rtmDelLink:
		if len(p) < ifinfomsgLen {
			return false, fmt.Errorf("link message of %d bytes", len(p))
		}
		index := binary.NativeEndian.Uint32(p[4:8])
		if typ == rtmDelLink {
			nf.forgetLink(index)
			return true, nil
		}
		// Wireless drivers report scans and other events as RTM_NEWLINK
		// with IFLA_WIRELESS; the link itself did not change.
		wireless := false
		err := nlAttrs(p[ifinfomsgLen:], func(t uint16, _ []byte) { wireless = wireless || t == iflaWireless })
		return !wireless, err
	case rtmNewAddr, rtmDelAddr:
		if len(p) < ifaddrmsgLen {
			return false, fmt.Errorf("address message of %d bytes", len(p))
		}
		var local, address []byte
		flags := uint32(p[2])
		err := nlAttrs(p[ifaddrmsgLen:], func(t uint16, v []byte) {
			switch {
			case t == ifaAddress:
				address = v
			case t == ifaLocal:
				local = v
			case t == ifaFlags && len(v) == 4:
				flags = binary.NativeEndian.Uint32(v)
			}
		})
		if err != nil {
			return false, err
		}
		key := nlAddrKey{p[0], p[1], binary.NativeEndian.Uint32(p[4:8]), string(local), string(address)}
		if typ == rtmDelAddr {
			delete(nf.addrs, key)
			return true, nil
		}
		flags &= ifaUsableMask
		if old, ok := nf.addrs[key]; ok && old == flags {
			return false, nil
		}
		if nf.addrs == nil {
			nf.addrs = map[nlAddrKey]uint32{}
		}
		nf.addrs[key] = flags
		return true, nil
	case rtmNewRoute, rtmDelRoute:
		if len(p) < rtmsgLen {
			return false, fmt.Errorf("route message of %d bytes", len(p))
		}
		return p[4] != rtTableLocal, nil
	}
	return false, nil
}

// forgetLink drops the addresses of a link that is gone, in case the
// kernel's RTM_DELADDR messages for them were lost.
func (nf *netlinkFilter) forgetLink(index uint32) {
	for key := range nf.addrs {
		if key.index == index {
			delete(nf.addrs, key)
		}
	}
}

// nlAttrs calls fn for each route attribute (struct rtattr) in b.
func nlAttrs(b []byte, fn func(typ uint16, v []byte)) error {
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < 4 || n > len(b) {
			return fmt.Errorf("netlink attribute says it has %d bytes, %d are there", n, len(b))
		}
		fn(binary.NativeEndian.Uint16(b[2:4])&0x3fff, b[4:n]) // without NLA_F_NESTED and NLA_F_NET_BYTEORDER
		b = b[min(nlAlign(n), len(b)):]
	}
	return nil
}

func nlAlign(n int) int { return (n + 3) &^ 3 }

// The numbers of the BSD route socket as macOS has them (XNU bsd/net/route.h
// and net/if.h), spelled out so that the parser builds and is tested on
// every OS; netmon_darwin.go checks them against x/sys.
const (
	rsVersion   = 5 // RTM_VERSION
	rsAdd       = 0x1
	rsDelete    = 0x2
	rsChange    = 0x3
	rsNewAddr   = 0xc
	rsDelAddr   = 0xd
	rsIfInfo    = 0xe
	rsLLInfo    = 0x400   // RTF_LLINFO
	rsWasCloned = 0x20000 // RTF_WASCLONED

	rsRtMsghdrLen  = 92  // sizeof(struct rt_msghdr)
	rsIfaMsghdrLen = 20  // sizeof(struct ifa_msghdr)
	rsIfMsghdrLen  = 112 // sizeof(struct if_msghdr)
)

// errRouteVersion is a route socket message of another version than
// RTM_VERSION, whose layout this parser does not know.
var errRouteVersion = errors.New("route socket message of an unknown version")

// routeSocketChanges returns, for each message in b (the bytes of one read
// from a macOS PF_ROUTE socket) that is a change, the index of the
// interface it concerns (0 when the message names none). Changes are
// addresses added or removed (RTM_NEWADDR, RTM_DELADDR), interface state
// (RTM_IFINFO) and routes added, removed or changed (RTM_ADD, RTM_DELETE,
// RTM_CHANGE) — except routes the kernel clones per destination or keeps
// per neighbour (RTF_WASCLONED, RTF_LLINFO): those come and go with traffic,
// the agent's own checks included, and would make it re-check itself. The
// layouts (struct rt_msghdr, ifa_msghdr, if_msghdr) are little-endian on
// every Mac. An error means b could not be parsed: count it as a change.
func routeSocketChanges(b []byte) ([]uint16, error) {
	var out []uint16
	for len(b) > 0 {
		if len(b) < 4 {
			return out, fmt.Errorf("route socket message of %d bytes", len(b))
		}
		n := int(binary.LittleEndian.Uint16(b[0:2]))
		if n < 4 || n > len(b) {
			return out, fmt.Errorf("route socket message says it has %d bytes, %d are there", n, len(b))
		}
		m := b[:n]
		b = b[n:]
		if m[2] != rsVersion {
			return out, fmt.Errorf("%w: %d", errRouteVersion, m[2])
		}
		switch m[3] {
		case rsAdd, rsDelete, rsChange:
			if n < rsRtMsghdrLen {
				return out, fmt.Errorf("route message of %d bytes", n)
			}
			if binary.LittleEndian.Uint32(m[8:12])&(rsLLInfo|rsWasCloned) != 0 {
				continue
			}
			out = append(out, binary.LittleEndian.Uint16(m[4:6]))
		case rsNewAddr, rsDelAddr, rsIfInfo:
			need := rsIfaMsghdrLen
			if m[3] == rsIfInfo {
				need = rsIfMsghdrLen
			}
			if n < need {
				return out, fmt.Errorf("interface message of %d bytes", n)
			}
			out = append(out, binary.LittleEndian.Uint16(m[12:14]))
		}
	}
	return out, nil
}

// quietInterface reports whether changes on the named macOS interface are
// noise to the agent: awdl (Apple Wireless Direct Link, AirDrop) and llw
// (low-latency WLAN) are peer-to-peer Wi-Fi links that come and go many
// times an hour and never carry traffic to the internet. Tunnels (utun,
// ipsec) are not quiet: a VPN coming up is what the agent must see.
func quietInterface(name string) bool {
	return strings.HasPrefix(name, "awdl") || strings.HasPrefix(name, "llw")
}
