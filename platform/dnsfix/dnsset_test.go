package dnsfix

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
	"github.com/clearance-app/clearance/platform/netstate"
)

// dnsFake answers commands by their exact argv (rendered with QuoteArgv, so
// that "Thunderbolt Ethernet" and an empty argument stay distinguishable),
// records every call in order, and fails a test that runs a command it was
// not given.
type dnsFake struct {
	t       *testing.T
	answers map[string]dnsAnswer
	calls   []string
}

type dnsAnswer struct {
	out string
	err error
}

func newDNSFake(t *testing.T, answers map[string]dnsAnswer) *dnsFake {
	return &dnsFake{t: t, answers: answers}
}

func (f *dnsFake) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	argv := append([]string{name}, args...)
	key := platform.QuoteArgv(argv)
	f.calls = append(f.calls, key)
	a, ok := f.answers[key]
	if !ok {
		f.t.Errorf("unexpected command: %s", key)
		return nil, &platform.ExitError{Argv: argv, Code: 127}
	}
	return []byte(a.out), a.err
}

// dnsOK answers a change command that prints nothing.
var dnsOK = dnsAnswer{}

func journalPathIn(t *testing.T) string {
	return filepath.Join(roottest.Dir(t), "state", "dns-journal.json") // as the journal asks (host.ReadRootOwned)
}

func assertCalls(t *testing.T, f *dnsFake, want ...string) {
	t.Helper()
	if !slices.Equal(f.calls, want) {
		t.Fatalf("commands run:\n  %s\nwant:\n  %s", strings.Join(f.calls, "\n  "), strings.Join(want, "\n  "))
	}
	f.calls = nil
}

func assertNoJournal(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("journal %s still there (stat: %v)", path, err)
	}
	if active, _, err := PublicActive(path); active || err != nil {
		t.Fatalf("PublicActive = %v, %v; want false, nil", active, err)
	}
}

func TestParseResolvectlDNS(t *testing.T) {
	got, err := parseResolvectlDNS(platformtest.ReadFixture(t, "dnsset", "resolvectl-dns-eth0.txt"), "eth0")
	if err != nil || !slices.Equal(got, []string{"67.207.67.3", "67.207.67.2"}) {
		t.Fatalf("published example: %q, %v", got, err)
	}
	// Constructed from resolvectl.c's format: a link without servers of
	// its own, and a list wrapped onto a line indented by len("Global: ").
	got, err = parseResolvectlDNS([]byte("Link 3 (wlan0):\n"), "wlan0")
	if err != nil || len(got) != 0 {
		t.Fatalf("no servers: %q, %v", got, err)
	}
	wrapped := "Link 2 (enp1s0): 192.168.1.1 192.168.1.2 2001:db8::53 2001:db8::54 1.1.1.1#cloudflare-dns.com\n" +
		"        [2001:db8::1]:853#dns.example 9.9.9.9\n"
	got, err = parseResolvectlDNS([]byte(wrapped), "enp1s0")
	want := []string{"192.168.1.1", "192.168.1.2", "2001:db8::53", "2001:db8::54", "1.1.1.1#cloudflare-dns.com", "[2001:db8::1]:853#dns.example", "9.9.9.9"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("wrapped: %q, %v", got, err)
	}
	for _, bad := range []string{"", "Link 2 (eth1): 10.0.0.1\n", "Failed to resolve interface \"eth0\": No such device\n"} {
		if got, err := parseResolvectlDNS([]byte(bad), "eth0"); err == nil {
			t.Errorf("%q parsed as %q; want an error", bad, got)
		}
	}
}

func TestSplitFamilies(t *testing.T) {
	v4, v6 := splitFamilies([]string{"1.1.1.1#cloudflare-dns.com", "[2001:db8::1]:853", "fe80::1%2", "10.0.0.1:53", "2001:db8::53"})
	if !slices.Equal(v4, []string{"1.1.1.1#cloudflare-dns.com", "10.0.0.1:53"}) ||
		!slices.Equal(v6, []string{"[2001:db8::1]:853", "fe80::1%2", "2001:db8::53"}) {
		t.Fatalf("v4 %q, v6 %q", v4, v6)
	}
}

func TestParseNetworkServiceOrder(t *testing.T) {
	list := parseNetworkServiceOrder(platformtest.ReadFixture(t, "dnsset", "networksetup-listnetworkserviceorder.txt"))
	if len(list) != 5 || list[1] != (macService{Name: "Wi-Fi", Port: "Wi-Fi", Device: "en0", Enabled: true}) {
		t.Fatalf("published example: %+v", list)
	}
	if s, ok := macServiceFor(list, "en5"); !ok || s != "Thunderbolt Ethernet" {
		t.Fatalf("en5: %q %v", s, ok)
	}
	list = parseNetworkServiceOrder(platformtest.ReadFixture(t, "dnsset", "networksetup-listnetworkserviceorder-disabled-constructed.txt"))
	if s, ok := macServiceFor(list, "en4"); ok {
		t.Fatalf("the disabled service on en4 was chosen: %q", s)
	}
	if s, ok := macServiceFor(list, "en6"); !ok || s != "Display Ethernet" {
		t.Fatalf("en6: %q %v", s, ok)
	}
	// Constructed: a VPN service has no device; a name with a comma.
	list = parseNetworkServiceOrder([]byte("(1) WireGuard\n(Hardware Port: com.wireguard.macos, Device: )\n\n(2) Office, 2nd floor\n(Hardware Port: Ethernet, Device: en7)\n"))
	if len(list) != 2 || list[0].Device != "" || list[1].Name != "Office, 2nd floor" || list[1].Device != "en7" {
		t.Fatalf("constructed: %+v", list)
	}
}

func TestParseGetDNSServers(t *testing.T) {
	servers, auto, err := parseGetDNSServers(platformtest.ReadFixture(t, "dnsset", "networksetup-getdnsservers-none.txt"))
	if err != nil || !auto || len(servers) != 0 {
		t.Fatalf("none set: %q %v %v", servers, auto, err)
	}
	servers, auto, err = parseGetDNSServers([]byte("192.168.1.1\n2001:db8::53\n")) // constructed: one per line
	if err != nil || auto || !slices.Equal(servers, []string{"192.168.1.1", "2001:db8::53"}) {
		t.Fatalf("list: %q %v %v", servers, auto, err)
	}
	// Constructed error sentences: networksetup may print them with exit 0.
	for _, bad := range []string{"", "Wi-Fi 2 is not a recognized network service.\n", "** Error: The parameters were not valid.\n"} {
		if s, a, err := parseGetDNSServers([]byte(bad)); err == nil {
			t.Errorf("%q parsed as %q automatic=%v; want an error", bad, s, a)
		}
	}
}

func TestRewriteResolvConf(t *testing.T) {
	old := platformtest.ReadFixture(t, "dnsset", "resolv.conf-dhcp-constructed")
	want := "# Generated by dhclient-script for the lab network\n" +
		"domain corp.example\n" +
		"search corp.example lab.corp.example\n" +
		resolvConfMarker + "\n" +
		"nameserver 1.1.1.1\nnameserver 1.0.0.1\nnameserver 2606:4700:4700::1111\n" +
		"options edns0 timeout:2\n"
	if got := string(rewriteResolvConf(old, publicDNSResolvConf)); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	// Constructed: a commented-out nameserver stays; no final newline; no
	// nameserver at all appends the block.
	got := string(rewriteResolvConf([]byte("# nameserver 9.9.9.9\nnameserver 10.0.0.1\t# office\nsearch lan"), []string{"1.1.1.1"}))
	if want := "# nameserver 9.9.9.9\n" + resolvConfMarker + "\nnameserver 1.1.1.1\nsearch lan"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	got = string(rewriteResolvConf([]byte("options rotate"), []string{"1.1.1.1"}))
	if want := "options rotate\n" + resolvConfMarker + "\nnameserver 1.1.1.1\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if len(publicDNSResolvConf) > 3 {
		t.Fatalf("%d nameservers: glibc reads three", len(publicDNSResolvConf))
	}
}

func TestLinuxDNSTool(t *testing.T) {
	nm := dnsconf.ParseResolvConf([]byte("# Generated by NetworkManager\nsearch lan\nnameserver 192.168.1.1\n")) // constructed
	tests := []struct {
		name string
		in   dnsconf.LinuxResolverInputs
		want string
	}{
		{"plain file (this machine's)", dnsconf.LinuxResolverInputs{ResolvConf: dnsconf.ParseResolvConf(platformtest.SiblingFixture(t, "dnsconf", "resolver", "debian12-container-resolv.conf")), Processes: map[string]bool{}}, dnsToolResolvConf},
		{"resolved stub", dnsconf.LinuxResolverInputs{ResolvConfTarget: "/run/systemd/resolve/stub-resolv.conf",
			ResolvConf: dnsconf.ParseResolvConf(platformtest.SiblingFixture(t, "dnsconf", "resolver", "systemd-252-static-resolv.conf")), Processes: map[string]bool{"systemd-resolve": true}}, dnsToolResolved},
		{"resolved uplink file", dnsconf.LinuxResolverInputs{ResolvConfTarget: dnsconf.ResolvedFullFile,
			ResolvConf: dnsconf.ParseResolvConf([]byte("nameserver 192.168.1.1\n")), Processes: map[string]bool{"systemd-resolve": true}}, dnsToolResolved},
		{"NetworkManager's file", dnsconf.LinuxResolverInputs{ResolvConf: nm, Processes: map[string]bool{"NetworkManager": true}}, dnsToolNM},
		{"NetworkManager's file, NetworkManager gone", dnsconf.LinuxResolverInputs{ResolvConf: nm, Processes: map[string]bool{}}, dnsToolResolvConf},
	}
	for _, tt := range tests {
		if got := linuxDNSTool(tt.in); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestDefaultRouteInterface(t *testing.T) {
	// Recorded: tun0 holds 0.0.0.0/1 and 128.0.0.0/1, eth0 the default.
	rs, err := netstate.ParseProcNetRoute(platformtest.SiblingFixture(t, "netstate", "route", "linux-netns-split-default-route"))
	if err != nil {
		t.Fatal(err)
	}
	if dev, ok := defaultRouteInterface(rs); !ok || dev != "eth0" {
		t.Fatalf("default route interface %q %v, want eth0 (the split default is a VPN's, not the interface's)", dev, ok)
	}
	// Two defaults: the lower metric wins; IPv6 only when there is no IPv4.
	two := []netstate.Route{
		{Interface: "wlan0", Destination: netip.MustParsePrefix("0.0.0.0/0"), Metric: 600},
		{Interface: "eth0", Destination: netip.MustParsePrefix("0.0.0.0/0"), Metric: 100},
		{Interface: "wg0", Destination: netip.MustParsePrefix("::/0"), Metric: 1},
	}
	if dev, _ := defaultRouteInterface(two); dev != "eth0" {
		t.Fatalf("two defaults: %q, want eth0", dev)
	}
	if dev, _ := defaultRouteInterface(two[2:]); dev != "wg0" {
		t.Fatalf("IPv6 only: %q, want wg0", dev)
	}
	if _, ok := defaultRouteInterface(nil); ok {
		t.Fatal("an empty table has a default route interface")
	}
	idx, ok := winDefaultIfIndex([]netstate.WinRoute{
		{IfIndex: 7, Destination: "0.0.0.0/0", Metric: 0, IfMetric: 50},
		{IfIndex: 12, Destination: "0.0.0.0/0", Metric: 0, IfMetric: 25},
		{IfIndex: 3, Destination: "::/0", Metric: 0, IfMetric: 1},
		{IfIndex: 12, Destination: "192.168.1.0/24", Metric: 0, IfMetric: 1},
	})
	if !ok || idx != 12 {
		t.Fatalf("windows default interface %d %v, want 12", idx, ok)
	}
}

// systemd-resolved: the link's servers are recorded with `resolvectl dns`,
// set and put back the same way; a second switch is refused.
func TestResolvedSwitchAndRestore(t *testing.T) {
	path := journalPathIn(t)
	fake := newDNSFake(t, map[string]dnsAnswer{
		"resolvectl dns eth0": {out: string(platformtest.ReadFixture(t, "dnsset", "resolvectl-dns-eth0.txt"))},
		"resolvectl dns eth0 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001": dnsOK,
		"resolvectl dns eth0 67.207.67.3 67.207.67.2":                                   dnsOK,
	})
	record := func(ctx context.Context, r platform.Runner) (dnsJournal, error) {
		return recordResolved(ctx, r, "eth0")
	}
	sw, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record)
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake, "resolvectl dns eth0", "resolvectl dns eth0 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001")
	if sw.Interface != "eth0" || sw.Tool != "systemd-resolved" || !slices.Equal(sw.Previous, []string{"67.207.67.3", "67.207.67.2"}) ||
		!slices.Equal(sw.Servers, append(publicDNS4, publicDNS6...)) || !strings.Contains(sw.Detail, "67.207.67.3") {
		t.Fatalf("switch: %+v", sw)
	}
	j, err := readDNSJournal(path)
	if err != nil || j.Phase != dnsPhaseActive || !slices.Equal(j.Resolved.Servers, []string{"67.207.67.3", "67.207.67.2"}) {
		t.Fatalf("journal: %+v, %v", j, err)
	}

	if _, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record); !errors.Is(err, ErrPublicActive) {
		t.Fatalf("second switch: %v, want ErrPublicActive", err)
	}
	assertCalls(t, fake) // refused before reading or changing anything

	sw, err = Restore(t.Context(), fake, platform.NewChanges(fake, false), path)
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake, "resolvectl dns eth0 67.207.67.3 67.207.67.2")
	if !slices.Equal(sw.Servers, []string{"67.207.67.3", "67.207.67.2"}) {
		t.Fatalf("restore: %+v", sw)
	}
	assertNoJournal(t, path)
	if _, err := Restore(t.Context(), fake, platform.NewChanges(fake, false), path); !errors.Is(err, ErrNoJournal) {
		t.Fatalf("second restore: %v, want ErrNoJournal", err)
	}
}

// A link with no servers of its own is reverted, not given an empty list.
func TestResolvedRestoreRevertsEmptyLink(t *testing.T) {
	path := journalPathIn(t)
	fake := newDNSFake(t, map[string]dnsAnswer{
		"resolvectl dns wlan0": {out: "Link 3 (wlan0):\n"}, // constructed, resolvectl.c's format
		"resolvectl dns wlan0 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001": dnsOK,
		"resolvectl revert wlan0": dnsOK,
	})
	record := func(ctx context.Context, r platform.Runner) (dnsJournal, error) {
		return recordResolved(ctx, r, "wlan0")
	}
	if _, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record); err != nil {
		t.Fatal(err)
	}
	fake.calls = nil
	if _, err := Restore(t.Context(), fake, platform.NewChanges(fake, false), path); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake, "resolvectl revert wlan0")
	assertNoJournal(t, path)
}

// NetworkManager: the connection's values are read one field at a time and
// written back exactly (an empty list as an empty argument); the change is
// runtime only.
func TestNetworkManagerSwitchAndRestore(t *testing.T) {
	const uuid = "5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03"
	// Constructed in nmcli's terse format (-e no): "UUID:DEVICE" lines;
	// one value per call, lists comma-separated as nmstate's tests expect.
	get := func(field string) string { return "nmcli -e no -g " + field + " connection show uuid " + uuid }
	answers := map[string]dnsAnswer{
		"nmcli -e no -g UUID,DEVICE connection show --active": {out: "a1b2c3d4-0000-4000-8000-000000000001:lo\n" + uuid + ":eth0\n"},
		get("ipv4.method"):          {out: "auto\n"},
		get("ipv4.dns"):             {out: "\n"},
		get("ipv4.ignore-auto-dns"): {out: "no\n"},
		get("ipv6.method"):          {out: "auto\n"},
		get("ipv6.dns"):             {out: "2001:db8::53,2001:db8::54\n"},
		get("ipv6.ignore-auto-dns"): {out: "yes\n"},
		"nmcli device modify eth0 ipv4.dns 1.1.1.1,1.0.0.1 ipv4.ignore-auto-dns yes ipv6.dns 2606:4700:4700::1111,2606:4700:4700::1001 ipv6.ignore-auto-dns yes": dnsOK,
		"nmcli device modify eth0 ipv4.dns '' ipv4.ignore-auto-dns no ipv6.dns 2001:db8::53,2001:db8::54 ipv6.ignore-auto-dns yes":                               dnsOK,
	}
	path := journalPathIn(t)
	fake := newDNSFake(t, answers)
	record := func(ctx context.Context, r platform.Runner) (dnsJournal, error) { return recordNM(ctx, r, "eth0") }
	sw, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record)
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake, "nmcli -e no -g UUID,DEVICE connection show --active",
		get("ipv4.method"), get("ipv4.dns"), get("ipv4.ignore-auto-dns"),
		get("ipv6.method"), get("ipv6.dns"), get("ipv6.ignore-auto-dns"),
		"nmcli device modify eth0 ipv4.dns 1.1.1.1,1.0.0.1 ipv4.ignore-auto-dns yes ipv6.dns 2606:4700:4700::1111,2606:4700:4700::1001 ipv6.ignore-auto-dns yes")
	if !strings.Contains(sw.Detail, "automatic (from the network) for IPv4, 2001:db8::53 and 2001:db8::54 for IPv6") {
		t.Fatalf("detail: %s", sw.Detail)
	}
	if _, err := Restore(t.Context(), fake, platform.NewChanges(fake, false), path); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake, "nmcli device modify eth0 ipv4.dns '' ipv4.ignore-auto-dns no ipv6.dns 2001:db8::53,2001:db8::54 ipv6.ignore-auto-dns yes")
	assertNoJournal(t, path)

	// IPv6 switched off on the connection: NetworkManager refuses DNS
	// servers there, so that family is neither set nor restored.
	answers[get("ipv6.method")] = dnsAnswer{out: "disabled\n"}
	answers[get("ipv6.dns")] = dnsAnswer{out: "\n"}
	answers["nmcli device modify eth0 ipv4.dns 1.1.1.1,1.0.0.1 ipv4.ignore-auto-dns yes"] = dnsOK
	answers["nmcli device modify eth0 ipv4.dns '' ipv4.ignore-auto-dns no"] = dnsOK
	sw, err = switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sw.Servers, publicDNS4) || fake.calls[len(fake.calls)-1] != "nmcli device modify eth0 ipv4.dns 1.1.1.1,1.0.0.1 ipv4.ignore-auto-dns yes" {
		t.Fatalf("IPv6 off: servers %q, calls %q", sw.Servers, fake.calls)
	}
	fake.calls = nil
	if _, err := Restore(t.Context(), fake, platform.NewChanges(fake, false), path); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake, "nmcli device modify eth0 ipv4.dns '' ipv4.ignore-auto-dns no")
}

// Windows: set by interface index with netsh; the registry's static list
// is put back in order, an empty one as DHCP.
func TestNetshSwitchAndRestore(t *testing.T) {
	path := journalPathIn(t)
	answers := map[string]dnsAnswer{}
	for _, c := range []string{
		"netsh interface ipv4 set dnsservers name=12 source=static address=1.1.1.1 register=primary validate=no",
		"netsh interface ipv4 add dnsservers name=12 address=1.0.0.1 index=2 validate=no",
		"netsh interface ipv6 set dnsservers name=12 source=static address=2606:4700:4700::1111 register=primary validate=no",
		"netsh interface ipv6 add dnsservers name=12 address=2606:4700:4700::1001 index=2 validate=no",
		"netsh interface ipv4 set dnsservers name=12 source=static address=192.168.1.1 register=primary validate=no",
		"netsh interface ipv4 add dnsservers name=12 address=192.168.1.2 index=2 validate=no",
		"netsh interface ipv6 set dnsservers name=12 source=dhcp",
	} {
		answers[c] = dnsOK
	}
	fake := newDNSFake(t, answers)
	// Registry values as Windows writes them: comma-separated; empty = DHCP.
	record := func(context.Context, platform.Runner) (dnsJournal, error) {
		return netshJournal(12, 12, "{8D2B7C47-6F0B-4C2B-9A0E-2C1D7E1B5A11}", "Wi-Fi", "192.168.1.1,192.168.1.2", ""), nil
	}
	sw, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record)
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake,
		"netsh interface ipv4 set dnsservers name=12 source=static address=1.1.1.1 register=primary validate=no",
		"netsh interface ipv4 add dnsservers name=12 address=1.0.0.1 index=2 validate=no",
		"netsh interface ipv6 set dnsservers name=12 source=static address=2606:4700:4700::1111 register=primary validate=no",
		"netsh interface ipv6 add dnsservers name=12 address=2606:4700:4700::1001 index=2 validate=no")
	if sw.Interface != "Wi-Fi" || sw.Tool != "netsh" {
		t.Fatalf("switch: %+v", sw)
	}
	if _, err := Restore(t.Context(), fake, platform.NewChanges(fake, false), path); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake,
		"netsh interface ipv4 set dnsservers name=12 source=static address=192.168.1.1 register=primary validate=no",
		"netsh interface ipv4 add dnsservers name=12 address=192.168.1.2 index=2 validate=no",
		"netsh interface ipv6 set dnsservers name=12 source=dhcp")
	assertNoJournal(t, path)

	// Without IPv6 on the adapter only IPv4 is touched; the older
	// space-separated registry value reads the same.
	j := netshJournal(5, 0, "{GUID}", "Ethernet", "10.0.0.53 10.0.0.54", "")
	if j.IPv6.Mode != dnsModeUnused || !slices.Equal(publicServersFor(j), publicDNS4) {
		t.Fatalf("no IPv6: %+v", j)
	}
	got := netshSetArgs(*j.Netsh, parseNameServerValue(j.Netsh.IPv4NameServer), nil)
	if len(got) != 2 || platform.QuoteArgv(got[1]) != "netsh interface ipv4 add dnsservers name=5 address=10.0.0.54 index=2 validate=no" {
		t.Fatalf("no IPv6 restore: %q", got)
	}
}

// macOS: the default route's device is mapped to its service; DHCP-provided
// servers are restored with "Empty", a list in its order.
func TestNetworksetupSwitchAndRestore(t *testing.T) {
	const ns = "/usr/sbin/networksetup"
	answers := map[string]dnsAnswer{
		ns + " -listnetworkserviceorder": {out: string(platformtest.ReadFixture(t, "dnsset", "networksetup-listnetworkserviceorder.txt"))},
		ns + " -getdnsservers Wi-Fi":     {out: string(platformtest.ReadFixture(t, "dnsset", "networksetup-getdnsservers-none.txt"))},
		ns + " -setdnsservers Wi-Fi 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001": dnsOK,
		ns + " -setdnsservers Wi-Fi Empty":            dnsOK,
		ns + " -getdnsservers 'Thunderbolt Ethernet'": {out: "10.0.0.53\nfd00::53\n"}, // constructed
		ns + " -setdnsservers 'Thunderbolt Ethernet' 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001": dnsOK,
		ns + " -setdnsservers 'Thunderbolt Ethernet' 10.0.0.53 fd00::53":                                        dnsOK,
	}
	for _, tt := range []struct{ dev, service, restore string }{
		{"en0", "Wi-Fi", ns + " -setdnsservers Wi-Fi Empty"},
		{"en5", "'Thunderbolt Ethernet'", ns + " -setdnsservers 'Thunderbolt Ethernet' 10.0.0.53 fd00::53"},
	} {
		path := journalPathIn(t)
		fake := newDNSFake(t, answers)
		record := func(ctx context.Context, r platform.Runner) (dnsJournal, error) {
			return recordNetworksetup(ctx, r, tt.dev)
		}
		if _, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record); err != nil {
			t.Fatal(err)
		}
		assertCalls(t, fake, ns+" -listnetworkserviceorder", ns+" -getdnsservers "+tt.service,
			ns+" -setdnsservers "+tt.service+" 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001")
		if _, err := Restore(t.Context(), fake, platform.NewChanges(fake, false), path); err != nil {
			t.Fatal(err)
		}
		assertCalls(t, fake, tt.restore)
		assertNoJournal(t, path)
	}
}

// A dry run reads, lists the exact changes, and writes nothing: no journal,
// no command that changes anything.
func TestDNSSwitchDryRun(t *testing.T) {
	path := journalPathIn(t)
	fake := newDNSFake(t, map[string]dnsAnswer{
		"resolvectl dns eth0": {out: string(platformtest.ReadFixture(t, "dnsset", "resolvectl-dns-eth0.txt"))},
		"resolvectl dns eth0 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001": dnsOK,
	})
	record := func(ctx context.Context, r platform.Runner) (dnsJournal, error) {
		return recordResolved(ctx, r, "eth0")
	}
	dry := platform.NewChanges(fake, true)
	sw, err := switchDNS(t.Context(), fake, dry, path, record)
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake, "resolvectl dns eth0")
	want := []string{
		"write " + path + " (the current DNS settings, to put them back later)",
		"resolvectl dns eth0 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001",
		"mark " + path + " active",
	}
	if got := dry.Commands(); !slices.Equal(got, want) {
		t.Fatalf("dry run listed %q, want %q", got, want)
	}
	if !strings.Contains(sw.Detail, "would use") {
		t.Fatalf("dry-run detail: %s", sw.Detail)
	}
	assertNoJournal(t, path)
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a dry run created the state directory: %v", err)
	}

	// A dry restore leaves the journal (and the settings) as they are.
	if _, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record); err != nil {
		t.Fatal(err)
	}
	fake.calls = nil
	dry = platform.NewChanges(fake, true)
	if _, err := Restore(t.Context(), fake, dry, path); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, fake)
	if got, want := dry.Commands(), []string{"mark " + path + " restoring", "resolvectl dns eth0 67.207.67.3 67.207.67.2", "remove " + path}; !slices.Equal(got, want) {
		t.Fatalf("dry restore listed %q, want %q", got, want)
	}
	if j, err := readDNSJournal(path); err != nil || j.Phase != dnsPhaseActive {
		t.Fatalf("after a dry restore: %+v, %v; want the journal unchanged", j, err)
	}
}

// A switch that fails part way puts back what it had changed and removes the
// journal; when putting back fails too, the journal stays "applying" and the
// next start repairs it.
func TestDNSSwitchFailureRollsBack(t *testing.T) {
	failing := &platform.ExitError{Argv: []string{"netsh"}, Code: 1, Stderr: "The parameter is incorrect."}
	steps := map[string]dnsAnswer{
		"netsh interface ipv4 set dnsservers name=12 source=static address=1.1.1.1 register=primary validate=no":              dnsOK,
		"netsh interface ipv4 add dnsservers name=12 address=1.0.0.1 index=2 validate=no":                                     dnsOK,
		"netsh interface ipv6 set dnsservers name=12 source=static address=2606:4700:4700::1111 register=primary validate=no": {err: failing},
		"netsh interface ipv4 set dnsservers name=12 source=dhcp":                                                             dnsOK,
		"netsh interface ipv6 set dnsservers name=12 source=dhcp":                                                             dnsOK,
	}
	record := func(context.Context, platform.Runner) (dnsJournal, error) {
		return netshJournal(12, 12, "{GUID}", "Wi-Fi", "", ""), nil
	}
	path := journalPathIn(t)
	fake := newDNSFake(t, steps)
	_, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record)
	if !errors.Is(err, failing) || !strings.Contains(err.Error(), "put back") {
		t.Fatalf("error %v; want the netsh failure, saying the settings were put back", err)
	}
	assertCalls(t, fake,
		"netsh interface ipv4 set dnsservers name=12 source=static address=1.1.1.1 register=primary validate=no",
		"netsh interface ipv4 add dnsservers name=12 address=1.0.0.1 index=2 validate=no",
		"netsh interface ipv6 set dnsservers name=12 source=static address=2606:4700:4700::1111 register=primary validate=no",
		"netsh interface ipv4 set dnsservers name=12 source=dhcp",
		"netsh interface ipv6 set dnsservers name=12 source=dhcp")
	assertNoJournal(t, path)

	// Putting back fails as well: the journal is kept, still "applying".
	steps["netsh interface ipv4 set dnsservers name=12 source=dhcp"] = dnsAnswer{err: failing}
	if _, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record); err == nil {
		t.Fatal("no error")
	}
	j, err := readDNSJournal(path)
	if err != nil || j.Phase != dnsPhaseApplying {
		t.Fatalf("journal after a failed rollback: %+v, %v", j, err)
	}
	if active, sw, _ := PublicActive(path); !active || !strings.Contains(sw.Detail, "interrupted") {
		t.Fatalf("PublicActive after a failed rollback: %v %+v", active, sw)
	}
	steps["netsh interface ipv4 set dnsservers name=12 source=dhcp"] = dnsOK
	fake.calls = nil
	repaired, err := Repair(t.Context(), fake, platform.NewChanges(fake, false), path)
	if err != nil || !repaired {
		t.Fatalf("Repair = %v, %v", repaired, err)
	}
	assertCalls(t, fake, "netsh interface ipv4 set dnsservers name=12 source=dhcp", "netsh interface ipv6 set dnsservers name=12 source=dhcp")
	assertNoJournal(t, path)
}

// A restore that fails leaves the journal "restoring", so that the next
// start (or another dns-restore) finishes it rather than leaving public DNS
// half undone.
func TestDNSRestoreFailureKeepsJournal(t *testing.T) {
	path := journalPathIn(t)
	answers := map[string]dnsAnswer{
		"resolvectl dns eth0": {out: string(platformtest.ReadFixture(t, "dnsset", "resolvectl-dns-eth0.txt"))},
		"resolvectl dns eth0 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001": dnsOK,
		"resolvectl dns eth0 67.207.67.3 67.207.67.2": {err: &platform.ExitError{Argv: []string{"resolvectl"}, Code: 1,
			Stderr: "Failed to set DNS configuration: Link eth0 not known"}}, // constructed
	}
	fake := newDNSFake(t, answers)
	record := func(ctx context.Context, r platform.Runner) (dnsJournal, error) {
		return recordResolved(ctx, r, "eth0")
	}
	if _, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(t.Context(), fake, platform.NewChanges(fake, false), path); err == nil {
		t.Fatal("a failed restore reported success")
	}
	if j, err := readDNSJournal(path); err != nil || j.Phase != dnsPhaseRestoring {
		t.Fatalf("journal after a failed restore: %+v, %v", j, err)
	}
	answers["resolvectl dns eth0 67.207.67.3 67.207.67.2"] = dnsOK
	fake.calls = nil
	if repaired, err := Repair(t.Context(), fake, platform.NewChanges(fake, false), path); !repaired || err != nil {
		t.Fatalf("Repair = %v, %v", repaired, err)
	}
	assertCalls(t, fake, "resolvectl dns eth0 67.207.67.3 67.207.67.2")
	assertNoJournal(t, path)
}

// Repair leaves an "active" journal alone: public DNS stays until
// dns-restore. Without a journal there is nothing to do.
func TestRepairDNSLeavesActiveAlone(t *testing.T) {
	path := journalPathIn(t)
	fake := newDNSFake(t, map[string]dnsAnswer{
		"resolvectl dns eth0": {out: string(platformtest.ReadFixture(t, "dnsset", "resolvectl-dns-eth0.txt"))},
		"resolvectl dns eth0 1.1.1.1 1.0.0.1 2606:4700:4700::1111 2606:4700:4700::1001": dnsOK,
	})
	if repaired, err := Repair(t.Context(), fake, platform.NewChanges(fake, false), path); repaired || err != nil {
		t.Fatalf("no journal: %v, %v", repaired, err)
	}
	record := func(ctx context.Context, r platform.Runner) (dnsJournal, error) {
		return recordResolved(ctx, r, "eth0")
	}
	if _, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	fake.calls = nil
	if repaired, err := Repair(t.Context(), fake, platform.NewChanges(fake, false), path); repaired || err != nil {
		t.Fatalf("active journal: %v, %v", repaired, err)
	}
	assertCalls(t, fake)
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("RepairDNS changed an active journal")
	}
	active, sw, err := PublicActive(path)
	if !active || err != nil || sw.Interface != "eth0" || !slices.Equal(sw.Previous, []string{"67.207.67.3", "67.207.67.2"}) {
		t.Fatalf("PublicActive = %v %+v %v", active, sw, err)
	}
}

// A journal that cannot be read is an error naming the file, from every
// entry point, and it is never deleted or rewritten.
func TestDNSJournalCorrupt(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":     `{"version": 1, "phase": "act`,
		"future format": `{"version": 2, "phase": "active", "os": "linux", "tool": "resolv.conf", "ipv4": {"mode": "static"}, "ipv6": {"mode": "static"}}`,
		"no record":     `{"version": 1, "phase": "active", "os": "linux", "tool": "systemd-resolved", "interface": {"id": "eth0", "name": "eth0"}, "ipv4": {"mode": "static"}, "ipv6": {"mode": "static"}, "public": [], "written": "2026-01-01T00:00:00Z"}`,
		"unknown field": `{"version": 1, "phase": "active", "os": "linux", "surprise": true}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := journalPathIn(t)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			fake := newDNSFake(t, nil)
			record := func(context.Context, platform.Runner) (dnsJournal, error) {
				t.Error("the switch read the settings despite a damaged journal")
				return dnsJournal{}, errors.New("not reached")
			}
			check := func(what string, err error) {
				t.Helper()
				if err == nil || !strings.Contains(err.Error(), path) || errors.Is(err, ErrNoJournal) {
					t.Errorf("%s: %v; want an error naming %s", what, err, path)
				}
			}
			_, err := switchDNS(t.Context(), fake, platform.NewChanges(fake, false), path, record)
			check("switch", err)
			_, err = Restore(t.Context(), fake, platform.NewChanges(fake, false), path)
			check("restore", err)
			_, _, err = PublicActive(path)
			check("active", err)
			_, err = Repair(t.Context(), fake, platform.NewChanges(fake, false), path)
			check("repair", err)
			assertCalls(t, fake)
			if got, err := os.ReadFile(path); err != nil || string(got) != content {
				t.Fatalf("the damaged journal was changed: %q, %v", got, err)
			}
		})
	}
}

// writeInPlace leaves exactly the new bytes in the same file, shorter or
// longer than the old; on the way, what it writes is the new content and
// comment lines (padInPlace), which a resolver reads as the new content.
func TestWriteInPlace(t *testing.T) {
	long := platformtest.ReadFixture(t, "dnsset", "resolv.conf-networkmanager-many-constructed")
	short := []byte("nameserver 192.0.2.53") // no newline at the end
	for _, tt := range []struct {
		name     string
		old, new []byte
	}{
		{"shorter", long, short},
		{"longer", short, long},
		{"same length", long, bytes.ToUpper(long)},
		{"to empty", long, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(winegap.TempDir(t), "resolv.conf")
			if err := os.WriteFile(path, tt.old, 0o644); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(path)
			padded := padInPlace(tt.new, int64(len(tt.old)))
			if len(padded) < len(tt.old) || !bytes.HasPrefix(padded, tt.new) {
				t.Fatalf("padded to %d bytes for %d old ones:\n%q", len(padded), len(tt.old), padded)
			}
			if got, want := dnsconf.ParseResolvConf(padded), dnsconf.ParseResolvConf(tt.new); !slices.Equal(got.Nameservers, want.Nameservers) ||
				!slices.Equal(got.Search, want.Search) || !slices.Equal(got.Options, want.Options) {
				t.Fatalf("the padded content reads as %+v, the new as %+v", got, want)
			}
			if err := writeInPlace(path, tt.new); err != nil {
				t.Fatal(err)
			}
			after, _ := os.Stat(path)
			if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.new) || !os.SameFile(before, after) {
				t.Fatalf("file now %q (same file: %v), want %q", got, os.SameFile(before, after), tt.new)
			}
		})
	}
}
