package dnsfix

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/netstate"
)

// recordDNS journals the static DNS servers of the default route's adapter
// from the registry, where an empty or absent NameServer means DHCP: the
// effective list (GetAdaptersAddresses, Get-DnsClientServerAddress) cannot
// tell the two apart. The Runner is not needed.
func recordDNS(context.Context, platform.Runner) (dnsJournal, error) {
	rows, err := netstate.WinForwardRows()
	if err != nil {
		return dnsJournal{}, err
	}
	idx, ok := winDefaultIfIndex(netstate.WithInterfaceMetrics(rows, netstate.WinInterfaceMetric))
	if !ok {
		return dnsJournal{}, errNoDefaultRoute
	}
	ad, err := winAdapterByIndex(idx)
	if err != nil {
		return dnsJournal{}, err
	}
	v4, err := winNameServer(`SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces\` + ad.guid)
	if err != nil {
		return dnsJournal{}, err
	}
	v6, err := winNameServer(`SYSTEM\CurrentControlSet\Services\Tcpip6\Parameters\Interfaces\` + ad.guid)
	if err != nil {
		return dnsJournal{}, err
	}
	return netshJournal(idx, ad.v6Index, ad.guid, ad.name, v4, v6), nil
}

type winDNSAdapter struct {
	guid, name string
	v6Index    uint32
}

// winAdapterByIndex finds the adapter's GUID (AdapterName, the registry
// key's name), friendly name and IPv6 interface index.
func winAdapterByIndex(idx uint32) (winDNSAdapter, error) {
	size := uint32(16 << 10)
	for range 4 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC,
			windows.GAA_FLAG_SKIP_UNICAST|windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST|windows.GAA_FLAG_SKIP_DNS_SERVER,
			0, first, &size)
		if errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			continue
		}
		if err != nil {
			return winDNSAdapter{}, fmt.Errorf("list network adapters: %w", err)
		}
		for a := first; a != nil; a = a.Next {
			if a.IfIndex == idx || (a.IfIndex == 0 && a.Ipv6IfIndex == idx) {
				return winDNSAdapter{
					guid:    windows.BytePtrToString(a.AdapterName),
					name:    windows.UTF16PtrToString(a.FriendlyName),
					v6Index: a.Ipv6IfIndex,
				}, nil
			}
		}
		return winDNSAdapter{}, fmt.Errorf("no network adapter has interface index %d", idx)
	}
	return winDNSAdapter{}, errors.New("list network adapters: the list kept growing")
}

// winNameServer reads NameServer under HKLM\key; "" when the key or the
// value is absent.
func winNameServer(key string) (string, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, key, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("open HKLM\\%s: %w", key, err)
	}
	defer k.Close()
	v, _, err := k.GetStringValue("NameServer")
	if errors.Is(err, registry.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read HKLM\\%s\\NameServer: %w", key, err)
	}
	return v, nil
}

// chownLike: Windows never has a resolv.conf switched by file.
func chownLike(string, fs.FileInfo) error { return nil }

// systemResolvConf: Windows has no resolv.conf.
const systemResolvConf = ""
