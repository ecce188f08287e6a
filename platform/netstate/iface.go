package netstate

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"

	psnet "github.com/shirou/gopsutil/v4/net"
)

// Interface is one network interface with what the operating system says
// about its kind. The common part comes from gopsutil; each OS adds what
// only it knows (Linux sysfs, Windows adapter descriptions and types).
type Interface struct {
	Name         string // "eth0", "utun4"; on Windows the friendly name ("Ethernet 2")
	Index        int
	Description  string // Windows adapter description ("Wintun Userspace Tunnel"); empty elsewhere
	Up           bool   // administratively up and able to carry traffic (carrier, OperStatus)
	AdminUp      bool   // the UP flag alone: set by the person or the VPN client
	Loopback     bool
	PointToPoint bool
	Addrs        []netip.Prefix

	// Linux, from /sys/class/net/NAME.
	LinkType  int    // ARPHRD_* ("type"): 1 Ethernet, 65534 none (tun), 772 loopback; 0 unknown
	TunTap    bool   // a TUN/TAP device ("tun_flags" exists)
	TunFlags  uint32 // IFF_TUN 0x1, IFF_TAP 0x2, IFF_NO_PI 0x1000, IFF_PERSIST 0x800
	DevType   string // DEVTYPE in "uevent": "wireguard", "bridge", "vlan"…
	OperState string // Linux operstate ("up", "down", "unknown"); Windows OperStatus as text

	// Windows, from GetAdaptersAddresses.
	IfType uint32 // IANA ifType: 6 Ethernet, 23 PPP, 53 propVirtual (Wintun), 131 tunnel
}

// Linux tun_flags bits (include/uapi/linux/if_tun.h).
const (
	TunFlagTUN = 0x0001
	TunFlagTAP = 0x0002
)

// Interfaces lists the network interfaces with their addresses and per-OS
// detail. Where the detail is not implemented it returns ErrNotSupported,
// so that a caller never takes a missing answer for "no VPN".
func Interfaces(ctx context.Context) ([]Interface, error) {
	list, err := psnet.InterfacesWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("list network interfaces: %w", err)
	}
	return interfaceDetail(ctx, fromGopsutil(list))
}

// fromGopsutil keeps what every OS reports the same way.
func fromGopsutil(list psnet.InterfaceStatList) []Interface {
	out := make([]Interface, 0, len(list))
	for _, s := range list {
		i := Interface{
			Name:         s.Name,
			Index:        s.Index,
			Up:           slices.Contains(s.Flags, "up"),
			AdminUp:      slices.Contains(s.Flags, "up"),
			Loopback:     slices.Contains(s.Flags, "loopback"),
			PointToPoint: slices.Contains(s.Flags, "pointtopoint"),
		}
		for _, a := range s.Addrs {
			if p, err := netip.ParsePrefix(a.Addr); err == nil {
				i.Addrs = append(i.Addrs, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()))
			}
		}
		out = append(out, i)
	}
	return out
}

// SourceAddr returns the local address the kernel picks to reach dst:443.
// Connecting a UDP socket sends no packet; it only runs the route lookup,
// with policy routing and split tunnels applied as for real traffic.
func SourceAddr(ctx context.Context, dst netip.Addr) (netip.Addr, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", netip.AddrPortFrom(dst, 443).String())
	if err != nil {
		return netip.Addr{}, fmt.Errorf("find the route to %s: %w", dst, err)
	}
	defer c.Close()
	ap, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return netip.Addr{}, fmt.Errorf("read the source address towards %s: %w", dst, err)
	}
	return ap.Addr().Unmap().WithZone(""), nil
}
