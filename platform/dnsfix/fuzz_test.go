package dnsfix

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// The DNS switch reads what the system's tools print and the files they
// wrote, and its own journal back after a crash; none of it may panic
// the fix, and what it accepts must be what it needs.

// FuzzParseDNSJournal: the journal is root's file, but a disk, a crash or
// a person may have left anything there. A journal accepted is valid, and
// reads back the same after being written again.
func FuzzParseDNSJournal(f *testing.F) {
	content := platformtest.ReadFixture(f, "dnsset", "resolv.conf-dhcp-constructed")
	for _, j := range []dnsJournal{
		{Version: dnsJournalVersion, Phase: dnsPhaseApplying, OS: "linux", Tool: dnsToolResolvConf,
			Interface: dnsJournalIface{ID: "/run/resolvconf/resolv.conf", Name: "/etc/resolv.conf"},
			IPv4:      dnsFamilyRecord{Mode: dnsModeStatic, Servers: []string{"192.168.10.53"}},
			IPv6:      dnsFamilyRecord{Mode: dnsModeStatic, Servers: []string{"fd00:10::53"}},
			Public:    publicDNSResolvConf, Written: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
			ResolvConf: &resolvConfRecord{Path: "/etc/resolv.conf", Symlink: true, Target: "/run/resolvconf/resolv.conf",
				Content: content, Mode: 0o644}},
		{Version: dnsJournalVersion, Phase: dnsPhaseActive, OS: "windows", Tool: dnsToolNetsh,
			IPv4: dnsFamilyRecord{Mode: dnsModeAutomatic}, IPv6: dnsFamilyRecord{Mode: dnsModeUnused},
			Netsh: &netshRecord{GUID: "{G}", IfIndex: 12}},
		{Version: dnsJournalVersion, Phase: dnsPhaseRestoring, OS: "darwin", Tool: dnsToolNetworksetup,
			IPv4: dnsFamilyRecord{Mode: dnsModeAutomatic}, IPv6: dnsFamilyRecord{Mode: dnsModeAutomatic},
			Networksetup: &networksetupRecord{Service: "Wi-Fi"}},
	} {
		b, err := json.Marshal(j)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := parseDNSJournal(data)
		if err != nil {
			return
		}
		if err := j.validate(); err != nil {
			t.Fatalf("accepted an invalid journal: %v", err)
		}
		b, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseDNSJournal(b)
		if err != nil {
			t.Fatalf("written again, it is refused: %v\n%s", err, b)
		}
		if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
			t.Fatalf("read back differently:\n%s\n%s", b, b2)
		}
	})
}

// FuzzRewriteResolvConf: whatever the resolv.conf held, the rewritten
// file's nameservers are the public servers, in order, and nothing else.
func FuzzRewriteResolvConf(f *testing.F) {
	platformtest.Seed(f, "dnsset/resolv.conf-*", "../../dnsconf/testdata/resolver/*resolv.conf")
	f.Fuzz(func(t *testing.T, old []byte) {
		got := dnsconf.ParseResolvConf(rewriteResolvConf(old, publicDNSResolvConf)).Nameservers
		want := make([]netip.Addr, len(publicDNSResolvConf))
		for i, s := range publicDNSResolvConf {
			want[i] = netip.MustParseAddr(s)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("nameservers %v after the rewrite, want %v", got, want)
		}
	})
}

// FuzzParseNetworksetup reads the data as both networksetup outputs the
// switch reads on macOS. Servers accepted are addresses, and a service
// list names each service.
func FuzzParseNetworksetup(f *testing.F) {
	platformtest.Seed(f, "dnsset/networksetup-*")
	f.Add([]byte("192.168.1.1\nfd00::1\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		servers, automatic, err := parseGetDNSServers(out)
		if err == nil && automatic == (len(servers) > 0) {
			t.Fatalf("servers %v and automatic %v", servers, automatic)
		}
		for _, s := range servers {
			if _, err := netip.ParseAddr(s); err != nil {
				t.Fatalf("server %q: %v", s, err)
			}
		}
		for _, s := range parseNetworkServiceOrder(out) {
			if s.Name == "" || strings.TrimSpace(s.Device) != s.Device {
				t.Fatalf("service %+v", s)
			}
		}
	})
}

// FuzzLinuxDNSTools reads the data as `resolvectl dns LINK` and as nmcli's
// active connections. A server is one word; a UUID has no colon.
func FuzzLinuxDNSTools(f *testing.F) {
	f.Add(platformtest.ReadFixture(f, "dnsset", "resolvectl-dns-eth0.txt"), "eth0")
	f.Add([]byte("Link 3 (enp1s0): 192.0.2.1 192.0.2.2\n                 2001:db8::1#dns.example\n"), "enp1s0")
	f.Add([]byte("0c6f7b5e-3a7d-4b36-9b51-1c1f9b0b7a11:wlan0\n1a2b:eth0\n"), "wlan0")
	f.Fuzz(func(t *testing.T, out []byte, link string) {
		servers, err := parseResolvectlDNS(out, link)
		if err != nil && servers != nil {
			t.Fatalf("servers %v with an error (%v)", servers, err)
		}
		for _, s := range servers {
			if s == "" || strings.ContainsFunc(s, isSpace) {
				t.Fatalf("server %q", s)
			}
		}
		if uuid, err := nmcliConnectionOn(out, link); err == nil && (uuid == "" || strings.Contains(uuid, ":")) {
			t.Fatalf("UUID %q", uuid)
		}
	})
}

func isSpace(r rune) bool { return strings.TrimSpace(string(r)) == "" }

// FuzzParseProcNetSockets: the sockets found with their inodes are among
// the listeners the resolver detection finds in the same table.
func FuzzParseProcNetSockets(f *testing.F) {
	platformtest.Seed(f, "flush/*/proc/net/udp*", "../../dnsconf/testdata/resolver/*proc-net-*")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, udp := range []bool{true, false} {
			socks, err := parseProcNetSockets(data, udp)
			if err != nil {
				continue
			}
			ls, err := host.ParseProcNetListeners(data, udp)
			if err != nil {
				continue
			}
			for _, s := range socks {
				if !slices.Contains(ls, s.Local) {
					t.Fatalf("socket %v is no listener (%v)", s, ls)
				}
			}
		}
	})
}
