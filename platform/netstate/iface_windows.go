package netstate

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/windows"
)

// interfaceDetail adds what only GetAdaptersAddresses tells: the adapter's
// description ("Wintun Userspace Tunnel", "TAP-Windows Adapter V9"), its
// IANA type and its operational status. Go's net package and gopsutil give
// the friendly name only.
func interfaceDetail(_ context.Context, list []Interface) ([]Interface, error) {
	ads, err := winAdapters()
	if err != nil {
		return nil, err
	}
	return mergeAdapters(list, ads), nil
}

// winAdapters calls GetAdaptersAddresses, growing the buffer as told.
func winAdapters() ([]WinAdapter, error) {
	size := uint32(16 << 10)
	for range 4 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC,
			windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST|windows.GAA_FLAG_SKIP_DNS_SERVER,
			0, first, &size)
		if errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list network adapters: %w", err)
		}
		return plainAdapters(first), nil
	}
	return nil, fmt.Errorf("list network adapters: the list kept growing")
}

func plainAdapters(first *windows.IpAdapterAddresses) []WinAdapter {
	var out []WinAdapter
	for a := first; a != nil; a = a.Next {
		w := WinAdapter{
			IfIndex:      a.IfIndex,
			Ipv6IfIndex:  a.Ipv6IfIndex,
			FriendlyName: windows.UTF16PtrToString(a.FriendlyName),
			Description:  windows.UTF16PtrToString(a.Description),
			IfType:       a.IfType,
			OperStatus:   a.OperStatus,
		}
		for u := a.FirstUnicastAddress; u != nil; u = u.Next {
			if ip, ok := netip.AddrFromSlice(u.Address.IP()); ok {
				w.Addrs = append(w.Addrs, netip.PrefixFrom(ip.Unmap(), int(u.OnLinkPrefixLength)).String())
			}
		}
		out = append(out, w)
	}
	return out
}
