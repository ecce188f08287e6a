package netstate

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// defaults keeps the default and split-default routes as "dst dev metric".
func defaults(rs []Route) []string {
	var out []string
	for _, r := range rs {
		if r.IsDefault() || r.IsSplitDefault() {
			out = append(out, fmt.Sprintf("%s %s %d", r.Destination, r.Interface, r.Metric))
		}
	}
	return out
}

func TestParseProcNetRoute(t *testing.T) {
	cases := []struct {
		file string
		want []string
		all  int
	}{
		{"linux-debian12-container-route", []string{"0.0.0.0/0 eth0 0"}, 2},
		{"linux-netns-full-tunnel-route", []string{"0.0.0.0/0 proton0 0"}, 3},
		{"linux-netns-split-default-route", []string{"0.0.0.0/1 tun0 0", "0.0.0.0/0 eth0 100", "128.0.0.0/1 tun0 0"}, 5},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rs, err := ParseProcNetRoute(platformtest.Fixture(t, "route", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := defaults(rs); !slices.Equal(got, c.want) || len(rs) != c.all {
				t.Errorf("defaults %q of %d routes, want %q of %d", got, len(rs), c.want, c.all)
			}
		})
	}
}

func TestParseProcNetRouteGatewayAndMask(t *testing.T) {
	rs, err := ParseProcNetRoute(platformtest.Fixture(t, "route", "linux-netns-split-default-route"))
	if err != nil {
		t.Fatal(err)
	}
	want := Route{Interface: "tun0", Destination: netip.MustParsePrefix("128.0.0.0/1"), Gateway: netip.MustParseAddr("10.8.0.1")}
	if !slices.Contains(rs, want) {
		t.Errorf("routes %v: want %v", rs, want)
	}
	lan := Route{Interface: "eth0", Destination: netip.MustParsePrefix("192.168.1.0/24")}
	if !slices.Contains(rs, lan) {
		t.Errorf("routes %v: want on-link %v", rs, lan)
	}
}

func TestParseProcNetIPv6Route(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		// The "unreachable" ::/0 on lo (flags 00200200, RTF_REJECT) is not a route out.
		{"linux-debian12-container-ipv6_route", []string{"::/0 eth0 1024"}},
		{"linux-netns-full-tunnel-ipv6_route", []string{"::/0 proton0 1024"}},
		{"linux-netns-split-default-ipv6_route", []string{"::/1 tun0 1024", "8000::/1 tun0 1024"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rs, err := ParseProcNetIPv6Route(platformtest.Fixture(t, "route", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := defaults(rs); !slices.Equal(got, c.want) {
				t.Errorf("defaults %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseProcNetRouteRejectsGarbage(t *testing.T) {
	if _, err := ParseProcNetRoute([]byte("Iface\tDestination\neth0 XYZ 00000000 0001 0 0 0 00000000 0 0 0\n")); err == nil {
		t.Error("a bad destination parsed without error")
	}
	if _, err := ParseProcNetRoute([]byte("eth0 00000000 00000000 0001 0 0 0 0000FF00 0 0 0\n")); err == nil {
		t.Error("a mask with holes parsed without error")
	}
}

func TestParseNetstatRoutes(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		// A full tunnel: the default goes to utun3; en0's default is
		// interface-scoped (UGScIg) and applies only to traffic bound to en0.
		{"darwin-netstat-nr-sshuttle-864.txt", []string{"0.0.0.0/0 utun3 0"}},
		// wg-quick's split default; the scoped default (UCSIg) is not one.
		{"darwin-netstat-nr-wireguard-tools-pr8.txt", []string{"0.0.0.0/1 utun0 0"}},
		// Old format: Refs and Use columns before Netif.
		{"darwin-netstat-r-tiger.txt", []string{"0.0.0.0/0 en0 0"}},
		// Every IPv6 default here is interface-scoped (UGcIg): none counts.
		{"darwin-netstat-rn-inet6-teleport-66851.txt", nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rs, err := ParseNetstatRoutes(platformtest.Fixture(t, "route", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := defaults(rs); !slices.Equal(got, c.want) {
				t.Errorf("defaults %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseNetstatRoutesWithoutATable(t *testing.T) {
	if _, err := ParseNetstatRoutes([]byte("netstat: sysctl: Operation not permitted\n")); err == nil {
		t.Error("output without a table read as an empty routing table")
	}
}

func TestParseNetstatRoutesAbbreviations(t *testing.T) {
	rs, err := ParseNetstatRoutes(platformtest.Fixture(t, "route", "darwin-netstat-r-tiger.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"192.168.79.0/24": "en0", // "192.168.79"
		"127.0.0.0/8":     "lo0", // "127"
		"169.254.0.0/16":  "en0",
		"192.168.79.9/32": "lo0",
		"fe80::/64":       "lo0", // "fe80::%lo0/64"
		"ff02::/32":       "lo0",
		"::1/128":         "lo0",
		"192.168.79.1/32": "en0",
		"127.0.0.1/32":    "lo0",
		"0.0.0.0/0":       "en0",
	}
	got := map[string]string{}
	for _, r := range rs {
		got[r.Destination.String()] = r.Interface
	}
	for dst, dev := range want {
		if got[dst] != dev {
			t.Errorf("%s: interface %q, want %q (all: %v)", dst, got[dst], dev, got)
		}
	}
	if gw := rs[0].Gateway; gw != netip.MustParseAddr("192.168.79.1") {
		t.Errorf("default gateway %v", gw)
	}
}

func TestSysfsDetail(t *testing.T) {
	cases := []struct {
		dir, name string
		flagUp    bool
		want      Interface
	}{
		{"linux-sysfs-netns1", "proton0", true, Interface{LinkType: 65534, TunTap: true, TunFlags: 0x1001, OperState: "unknown", Up: true}},
		// A persistent tun nobody holds, set down: no carrier file to read.
		{"linux-sysfs-netns1", "tun1", false, Interface{LinkType: 65534, TunTap: true, TunFlags: 0x1801, OperState: "down"}},
		{"linux-sysfs-netns1", "docker0", true, Interface{LinkType: 1, DevType: "bridge", OperState: "unknown", Up: true}},
		{"linux-sysfs-netns1", "lo", true, Interface{LinkType: 772, OperState: "unknown", Up: true}},
		{"linux-sysfs-netns2", "eth0", true, Interface{LinkType: 1, OperState: "up", Up: true}},
		{"linux-sysfs-netns2", "tun0", true, Interface{LinkType: 65534, TunTap: true, TunFlags: 0x1001, OperState: "unknown", Up: true}},
	}
	for _, c := range cases {
		t.Run(c.dir+"/"+c.name, func(t *testing.T) {
			got := Interface{Name: c.name, Up: c.flagUp}
			sysfsDetail(os.DirFS(filepath.Join("testdata", "iface", c.dir)), &got)
			c.want.Name = c.name
			if got.LinkType != c.want.LinkType || got.TunTap != c.want.TunTap || got.TunFlags != c.want.TunFlags ||
				got.DevType != c.want.DevType || got.OperState != c.want.OperState || got.Up != c.want.Up {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestLinuxUp(t *testing.T) {
	cases := []struct {
		flag               bool
		operstate, carrier string
		want               bool
	}{
		{true, "up", "1", true},
		{true, "unknown", "1", true},  // tun held open, loopback
		{true, "unknown", "0", false}, // tun left behind, no client
		{true, "down", "", false},
		{true, "dormant", "1", false},
		{false, "up", "1", false},
		{true, "", "", true}, // no sysfs: trust the flag
	}
	for _, c := range cases {
		if got := linuxUp(c.flag, c.operstate, c.carrier); got != c.want {
			t.Errorf("linuxUp(%v, %q, %q) = %v, want %v", c.flag, c.operstate, c.carrier, got, c.want)
		}
	}
}

func TestParseUeventAndSysfsInt(t *testing.T) {
	u := ParseUevent("DEVTYPE=wireguard\nINTERFACE=wg0\nIFINDEX=5\n")
	if u["DEVTYPE"] != "wireguard" || u["INTERFACE"] != "wg0" {
		t.Errorf("uevent %v", u)
	}
	for in, want := range map[string]int64{"0x1801": 0x1801, "65534\n": 65534, "1": 1} {
		if got, err := ParseSysfsInt(in); err != nil || got != want {
			t.Errorf("ParseSysfsInt(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// windowsFixture is the constructed GetAdaptersAddresses/GetIpForwardTable2 data.
type windowsFixture struct {
	Source   string       `json:"source"`
	Adapters []WinAdapter `json:"adapters"`
	Routes   []WinRoute   `json:"routes"`
}

func loadWindowsFixture(t *testing.T) windowsFixture {
	t.Helper()
	var f windowsFixture
	if err := json.Unmarshal(platformtest.Fixture(t, "iface", "windows-adapters-constructed.json"), &f); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Source, "CONSTRUCTED") {
		t.Fatal("the Windows fixture must say it is constructed")
	}
	return f
}

func TestMergeAdapters(t *testing.T) {
	f := loadWindowsFixture(t)
	// What Go's net package (and so gopsutil) lists: friendly names and
	// indexes, UP flags, no descriptions.
	list := []Interface{
		{Name: "Ethernet", Index: 12, Up: true, AdminUp: true},
		{Name: "NordLynx", Index: 31, Up: true, AdminUp: true},
		{Name: "Local Area Connection", Index: 9, Up: true, AdminUp: true},
	}
	got := mergeAdapters(list, f.Adapters)
	by := map[string]Interface{}
	for _, i := range got {
		by[i.Name] = i
	}
	if len(got) != len(f.Adapters) {
		t.Errorf("%d interfaces after merging, want one per adapter (%d)", len(got), len(f.Adapters))
	}
	if n := by["NordLynx"]; n.Description != "NordLynx Tunnel" || n.IfType != 53 || !n.Up || n.OperState != "up" {
		t.Errorf("NordLynx %+v", n)
	}
	// Enabled (UP flag) but disconnected: OperStatus decides.
	if tap := by["Local Area Connection"]; tap.Up || tap.OperState != "down" || !tap.AdminUp {
		t.Errorf("TAP adapter %+v: want not up", tap)
	}
	// Added from the adapter list, by its IPv6 index.
	if w := by["Wintun Test"]; w.Index != 40 || w.Up {
		t.Errorf("Wintun adapter %+v", w)
	}
	if lo := by["Loopback Pseudo-Interface 1"]; !lo.Loopback {
		t.Errorf("loopback %+v", lo)
	}
}

func TestRoutesFromWin(t *testing.T) {
	f := loadWindowsFixture(t)
	names := map[uint32]string{}
	for _, a := range f.Adapters {
		names[uint32(a.index())] = a.FriendlyName
	}
	got := defaults(routesFromWin(f.Routes, names))
	want := []string{"0.0.0.0/0 Ethernet 0", "0.0.0.0/1 NordLynx 0", "128.0.0.0/1 NordLynx 0", "::/0 Teredo Tunneling Pseudo-Interface 0"}
	if !slices.Equal(got, want) {
		t.Errorf("defaults %q, want %q", got, want)
	}
}

func TestParseTailscaleStatus(t *testing.T) {
	cases := []struct {
		json string
		want TailscaleExitNode
	}{
		{`{"BackendState":"Running","Self":{}}`, TailscaleExitNode{}},
		{`{"BackendState":"Running","ExitNodeStatus":{"ID":"n1","Online":true,"TailscaleIPs":["100.64.0.9/32"]}}`, TailscaleExitNode{InUse: true, Online: true}},
		{`{"ExitNodeStatus":{"ID":"n1","Online":false}}`, TailscaleExitNode{InUse: true}},
	}
	for _, c := range cases {
		got, err := ParseTailscaleStatus([]byte(c.json))
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.json, got, err, c.want)
		}
	}
	if _, err := ParseTailscaleStatus([]byte("not json")); err == nil {
		t.Error("garbage parsed")
	}
}
