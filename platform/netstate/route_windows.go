package netstate

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/windows"
)

// routes reads the IPv4 and IPv6 forwarding table with GetIpForwardTable2
// (in x/sys/windows, so the adapters' FirstGatewayAddress fallback is not
// needed), adds each interface's metric as Windows does when it ranks
// routes, and names each route's interface as Go's net package does.
func routes(context.Context) ([]Route, error) {
	rows, err := WinForwardRows()
	if err != nil {
		return nil, err
	}
	return routesFromWin(WithInterfaceMetrics(rows, WinInterfaceMetric), winInterfaceNames()), nil
}

// WinForwardRows reads the forwarding table as plain rows, for the untagged
// code that ranks them (routes, and the active interface of dns-public).
func WinForwardRows() ([]WinRoute, error) {
	var table *windows.MibIpForwardTable2
	if err := windows.GetIpForwardTable2(windows.AF_UNSPEC, &table); err != nil {
		return nil, fmt.Errorf("read the routing table: %w", err)
	}
	defer windows.FreeMibTable(unsafe.Pointer(table))
	var rows []WinRoute
	for _, r := range table.Rows() {
		dst, ok := winSockaddrAddr(&r.DestinationPrefix.Prefix)
		if !ok {
			continue
		}
		hop, _ := winSockaddrAddr(&r.NextHop)
		rows = append(rows, WinRoute{
			IfIndex:     r.InterfaceIndex,
			IfLuid:      r.InterfaceLuid,
			Destination: netip.PrefixFrom(dst, int(r.DestinationPrefix.PrefixLength)).String(),
			NextHop:     hop.String(),
			Metric:      r.Metric,
		})
	}
	return rows, nil
}

// WithInterfaceMetrics, untagged, numbers the families as ws2def.h does;
// this fails to compile if x/sys/windows disagrees.
var (
	_ [0]struct{} = [winAFInet - windows.AF_INET]struct{}{}
	_ [0]struct{} = [winAFInet6 - windows.AF_INET6]struct{}{}
)

// WinInterfaceMetric reads the interface metric (MIB_IPINTERFACE_ROW.Metric)
// of one interface for one address family. GetIpInterfaceEntry takes the
// family and the LUID as its key and fills in the rest.
func WinInterfaceMetric(family uint16, luid uint64) (uint32, bool) {
	row := windows.MibIpInterfaceRow{Family: family, InterfaceLuid: luid}
	if err := windows.GetIpInterfaceEntry(&row); err != nil {
		return 0, false
	}
	return row.Metric, true
}

// winSockaddrAddr reads the address out of a SOCKADDR_INET.
func winSockaddrAddr(sa *windows.RawSockaddrInet) (netip.Addr, bool) {
	switch sa.Family {
	case windows.AF_INET:
		return netip.AddrFrom4((*windows.RawSockaddrInet4)(unsafe.Pointer(sa)).Addr), true
	case windows.AF_INET6:
		return netip.AddrFrom16((*windows.RawSockaddrInet6)(unsafe.Pointer(sa)).Addr), true
	}
	return netip.Addr{}, false
}

// winInterfaceNames maps interface indexes to the friendly names that
// Interfaces reports.
func winInterfaceNames() map[uint32]string {
	out := map[uint32]string{}
	list, err := net.Interfaces()
	if err != nil {
		return out
	}
	for _, i := range list {
		out[uint32(i.Index)] = i.Name
	}
	return out
}
