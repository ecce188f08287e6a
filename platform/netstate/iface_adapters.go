package netstate

import (
	"net/netip"
	"strings"
)

// WinAdapter is one entry of Windows' GetAdaptersAddresses as plain data,
// so that the rules applied to it are tested on every OS.
type WinAdapter struct {
	IfIndex      uint32   `json:"if_index"`
	Ipv6IfIndex  uint32   `json:"ipv6_if_index"`
	FriendlyName string   `json:"friendly_name"`
	Description  string   `json:"description"`
	IfType       uint32   `json:"if_type"`
	OperStatus   uint32   `json:"oper_status"`
	Addrs        []string `json:"unicast"` // "10.2.0.2/16"
}

// Windows OperStatus values (IF_OPER_STATUS, ifdef.h).
var winOperStatus = map[uint32]string{
	1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notpresent", 7: "lowerlayerdown",
}

// index is the interface index Go's net package uses for the adapter: the
// IPv4 index, or the IPv6 one on an IPv6-only adapter.
func (a WinAdapter) index() int {
	if a.IfIndex != 0 {
		return int(a.IfIndex)
	}
	return int(a.Ipv6IfIndex)
}

// mergeAdapters adds the adapters' descriptions, types and operational
// status to the interfaces gopsutil listed, matched by index and else by
// friendly name. An adapter gopsutil did not list is added, so that the
// caller sees every adapter it judges. Only OperStatus "up" counts as up:
// a disconnected VPN adapter stays enabled but is "disconnected" (down).
func mergeAdapters(list []Interface, ads []WinAdapter) []Interface {
	for _, a := range ads {
		k := findInterface(list, a)
		if k < 0 {
			list = append(list, Interface{Name: a.FriendlyName, Index: a.index(), Loopback: a.IfType == 24})
			k = len(list) - 1
			for _, s := range a.Addrs {
				if p, err := netip.ParsePrefix(s); err == nil {
					list[k].Addrs = append(list[k].Addrs, p)
				}
			}
		}
		i := &list[k]
		i.Description = a.Description
		i.IfType = a.IfType
		i.OperState = winOperStatus[a.OperStatus]
		i.Up = a.OperStatus == 1
	}
	return list
}

func findInterface(list []Interface, a WinAdapter) int {
	for k, i := range list {
		if i.Index == a.index() && a.index() != 0 {
			return k
		}
	}
	for k, i := range list {
		if strings.EqualFold(i.Name, a.FriendlyName) {
			return k
		}
	}
	return -1
}

// WinRoute is one row of Windows' GetIpForwardTable2 as plain data, with
// the metric of its interface.
type WinRoute struct {
	IfIndex     uint32 `json:"if_index"`
	IfLuid      uint64 `json:"if_luid"`
	Destination string `json:"destination"` // "0.0.0.0/0"
	NextHop     string `json:"next_hop"`    // "0.0.0.0" when on-link
	Metric      uint32 `json:"metric"`      // MIB_IPFORWARD_ROW2.Metric: an offset on the interface's metric
	IfMetric    uint32 `json:"if_metric"`   // MIB_IPINTERFACE_ROW.Metric of the route's interface and family
}

// Address families as Windows numbers them (ws2def.h).
const (
	winAFInet  = 2
	winAFInet6 = 23
)

// WithInterfaceMetrics sets each row's IfMetric from ifMetric, asked once
// per interface and family: Windows ranks routes by the route metric plus
// the interface metric (learn.microsoft.com documents
// MIB_IPFORWARD_ROW2.Metric as an offset, added to MIB_IPINTERFACE_ROW.Metric
// to rank the route; tailscale's netmon ranks defaults the same way), and
// two defaults with route metric 0 — a DHCP default and many VPNs' — differ
// only in it. A row whose interface metric cannot be read keeps IfMetric 0,
// ranked by its route metric alone: the interface went away between the two
// calls, or it has no IP interface of that family.
func WithInterfaceMetrics(rows []WinRoute, ifMetric func(family uint16, luid uint64) (uint32, bool)) []WinRoute {
	type key struct {
		family uint16
		luid   uint64
	}
	known := map[key]uint32{}
	asked := map[key]bool{}
	for i, r := range rows {
		dst, err := netip.ParsePrefix(r.Destination)
		if err != nil {
			continue
		}
		k := key{winAFInet6, r.IfLuid}
		if dst.Addr().Is4() {
			k.family = winAFInet
		}
		if !asked[k] {
			asked[k] = true
			if m, ok := ifMetric(k.family, k.luid); ok {
				known[k] = m
			}
		}
		rows[i].IfMetric = known[k]
	}
	return rows
}

// routesFromWin names each route's interface by index. Its Metric is the
// one Windows ranks routes by: route metric plus interface metric (see
// WithInterfaceMetrics), so that the lowest-metric default is the one
// Windows uses.
func routesFromWin(rows []WinRoute, names map[uint32]string) []Route {
	out := make([]Route, 0, len(rows))
	for _, r := range rows {
		dst, err := netip.ParsePrefix(r.Destination)
		if err != nil {
			continue
		}
		rt := Route{Interface: names[r.IfIndex], Destination: dst, Metric: int(r.Metric) + int(r.IfMetric)}
		if gw, err := netip.ParseAddr(r.NextHop); err == nil && !gw.IsUnspecified() {
			rt.Gateway = gw
		}
		out = append(out, rt)
	}
	return out
}
