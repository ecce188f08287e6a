package dnsconf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// resolver: on Windows the DNS Client service (Dnscache) answers and caches
// every lookup. Its state is read with query-only rights, which any user
// has (svc/mgr's Connect asks for full access and fails unelevated).
func resolver(context.Context, platform.Runner, host.ProcessReader) (ResolverInfo, error) {
	info := ResolverInfo{Kind: ResolverWindowsDNSClient}
	if running, err := dnscacheRunning(); err == nil {
		info.Running = &running
		if running {
			info.Caches = []ResolverKind{ResolverWindowsDNSClient}
		}
	}
	info.Detail = describeResolver(info)
	// The kind is certain on Windows; servers that cannot be listed are only
	// a gap in the report, not a reason to say nothing.
	adapters, err := adaptersDNS()
	if err != nil {
		info.Detail += "; its DNS servers could not be listed"
		return info, nil
	}
	info.Servers = dnsServersOfAdapters(adapters)
	info.Detail = describeResolver(info)
	return info, nil
}

func dnscacheRunning() (bool, error) {
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return false, fmt.Errorf("open the service manager: %w", err)
	}
	defer windows.CloseServiceHandle(m)
	name, err := windows.UTF16PtrFromString("Dnscache")
	if err != nil {
		return false, err
	}
	s, err := windows.OpenService(m, name, windows.SERVICE_QUERY_STATUS)
	if err != nil {
		return false, fmt.Errorf("open service Dnscache: %w", err)
	}
	defer windows.CloseServiceHandle(s)
	var st windows.SERVICE_STATUS
	if err := windows.QueryServiceStatus(s, &st); err != nil {
		return false, fmt.Errorf("query service Dnscache: %w", err)
	}
	return st.CurrentState == windows.SERVICE_RUNNING, nil
}

// adaptersDNS turns GetAdaptersAddresses into plain structs for the
// untagged dnsServersOfAdapters.
func adaptersDNS() ([]adapterDNS, error) {
	size := uint32(15 << 10)
	for range 3 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST, 0, first, &size)
		if errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			continue // size now holds what is needed
		}
		if err != nil {
			return nil, fmt.Errorf("list network adapters: %w", err)
		}
		var out []adapterDNS
		for a := first; a != nil; a = a.Next {
			ad := adapterDNS{Name: windows.UTF16PtrToString(a.FriendlyName), Up: a.OperStatus == windows.IfOperStatusUp}
			for s := a.FirstDnsServerAddress; s != nil; s = s.Next {
				if ip, ok := netip.AddrFromSlice(s.Address.IP()); ok {
					ad.Servers = append(ad.Servers, ip.Unmap())
				}
			}
			out = append(out, ad)
		}
		return out, nil
	}
	return nil, errors.New("list network adapters: the list kept growing")
}

// servers lists the DNS servers of the adapters that are up, as Resolver
// does.
func servers(context.Context) ([]string, error) {
	adapters, err := adaptersDNS()
	if err != nil {
		return nil, err
	}
	return dnsServersOfAdapters(adapters), nil
}
