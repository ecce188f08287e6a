package dnsfix

import (
	"context"
	"errors"
	"strconv"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/netstate"
)

// Windows: the interface's name servers, through netsh.

// netshJournal journals a Windows adapter from its registry values:
// NameServer under Tcpip (IPv4) and Tcpip6 (IPv6) …\Interfaces\{GUID},
// empty or absent for DHCP. v6Index 0 means the adapter has no IPv6.
func netshJournal(ifIndex, v6Index uint32, guid, name, v4NameServer, v6NameServer string) dnsJournal {
	fam := func(value string, present bool) dnsFamilyRecord {
		switch servers := parseNameServerValue(value); {
		case !present:
			return dnsFamilyRecord{Mode: dnsModeUnused}
		case len(servers) == 0:
			return dnsFamilyRecord{Mode: dnsModeAutomatic}
		default:
			return dnsFamilyRecord{Mode: dnsModeStatic, Servers: servers}
		}
	}
	rec := netshRecord{GUID: guid, IfIndex: ifIndex, IPv6IfIndex: v6Index, IPv4NameServer: v4NameServer, IPv6NameServer: v6NameServer}
	return dnsJournal{
		Tool:      dnsToolNetsh,
		Interface: dnsJournalIface{ID: guid, Name: name, Index: int(ifIndex)},
		IPv4:      fam(v4NameServer, true),
		IPv6:      fam(v6NameServer, v6Index != 0),
		Netsh:     &rec,
	}
}

// parseNameServerValue splits the registry's NameServer: commas as Windows
// and Tailscale write it, spaces in older values.
func parseNameServerValue(v string) []string { return platform.SplitList(v, ", \t") }

// netshSetArgs sets each family's list by interface index (the name is
// localized and may be renamed): the first server with "set", the others
// with "add … index=N"; an empty list goes back to DHCP. validate=no keeps
// netsh from querying the servers, which fails offline and takes seconds.
func netshSetArgs(r netshRecord, v4, v6 []string) [][]string {
	var cmds [][]string
	family := func(proto string, index uint32, servers []string) {
		name := "name=" + strconv.FormatUint(uint64(index), 10)
		if len(servers) == 0 {
			cmds = append(cmds, []string{"netsh", "interface", proto, "set", "dnsservers", name, "source=dhcp"})
			return
		}
		cmds = append(cmds, []string{"netsh", "interface", proto, "set", "dnsservers", name, "source=static",
			"address=" + servers[0], "register=primary", "validate=no"})
		for i, s := range servers[1:] {
			cmds = append(cmds, []string{"netsh", "interface", proto, "add", "dnsservers", name,
				"address=" + s, "index=" + strconv.Itoa(i+2), "validate=no"})
		}
	}
	family("ipv4", r.IfIndex, v4)
	if r.IPv6IfIndex != 0 {
		family("ipv6", r.IPv6IfIndex, v6)
	}
	return cmds
}

// winDefaultIfIndex picks the interface of the default route Windows uses:
// IPv4 first, the lowest route-plus-interface metric.
func winDefaultIfIndex(rows []netstate.WinRoute) (uint32, bool) {
	for _, want := range []string{"0.0.0.0/0", "::/0"} {
		var best netstate.WinRoute
		found := false
		for _, r := range rows {
			if r.Destination != want {
				continue
			}
			if !found || r.Metric+r.IfMetric < best.Metric+best.IfMetric {
				best, found = r, true
			}
		}
		if found {
			return best.IfIndex, true
		}
	}
	return 0, false
}

var netshTool = dnsTool{
	valid: func(j dnsJournal) error {
		if r := j.Netsh; r == nil || r.IfIndex == 0 {
			return errors.New("no Windows interface index recorded")
		}
		return nil
	},
	apply: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		v4, v6 := splitFamilies(j.Public)
		return runAll(ctx, ch, netshSetArgs(*j.Netsh, v4, v6))
	},
	restore: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		r := *j.Netsh
		return runAll(ctx, ch, netshSetArgs(r, parseNameServerValue(r.IPv4NameServer), parseNameServerValue(r.IPv6NameServer)))
	},
}
