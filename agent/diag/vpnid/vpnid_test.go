package vpnid

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/netstate"
)

func TestVendorFromName(t *testing.T) {
	cases := map[string]string{
		"nordlynx": NordVPN, "proton0": ProtonVPN, "pvpnksintrf0": ProtonVPN, "wg-mullvad": Mullvad,
		"wg0": WireGuard, "tailscale0": Tailscale, "wt0": NetBird, "wt1": "", "ztabcdef": ZeroTier,
		"gpd0": GlobalProtect, "CloudflareWARP": WARP, "cscotun0": Cisco, "ipsec0": IPsec, "ppp0": PPP,
		"tun0": "", "utun4": "", "eth0": "", "en0": "",
		// Windows friendly names chosen by the VPN.
		"NordLynx": NordVPN, "ProtonVPN": ProtonVPN, "Mullvad": Mullvad, "Windscribe IKEv2": Windscribe,
	}
	for name, want := range cases {
		if got := VendorFromName(name); got != want {
			t.Errorf("VendorFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestVendorFromDescription(t *testing.T) {
	cases := map[string]string{
		"NordLynx Tunnel":              NordVPN,
		"ExpressVPN TAP Adapter":       ExpressVPN,
		"ExpressVPN Wintun Driver":     ExpressVPN, // vendor before its driver
		"Wintun Userspace Tunnel":      WireGuard,
		"WireGuard Tunnel":             WireGuard,
		"Tailscale Tunnel":             Tailscale,
		"TAP-Windows Adapter V9":       OpenVPN,
		"Tap-Windows Adapter V9":       OpenVPN, // frostwire #955: case differs
		"OpenVPN Data Channel Offload": OpenVPN,
		"Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64": Cisco,
		"PANGP Virtual Ethernet Adapter (Secure)":                                          GlobalProtect,
		"Palo Alto Networks Virtual Ethernet Adapter":                                      GlobalProtect,
		"Fortinet SSL VPN Virtual Ethernet Adapter":                                        FortiClient,
		"Sangfor SSL VPN CS Support System VNIC":                                           Sangfor,
		"ZeroTier Virtual Port":                                                            ZeroTier,
		"Famatech Radmin VPN Ethernet Adapter":                                             Radmin,
		"Intel(R) Wi-Fi 6 AX201 160MHz":                                                    "",
		"":                                                                                 "",
	}
	for desc, want := range cases {
		if got := VendorFromDescription(desc); got != want {
			t.Errorf("VendorFromDescription(%q) = %q, want %q", desc, got, want)
		}
	}
}

func TestVendorFromProcess(t *testing.T) {
	cases := map[string]string{
		"nordvpnd": NordVPN, "NordVPN.exe": NordVPN, "openvpn": OpenVPN, "PanGPS": GlobalProtect,
		"vpnagent.exe": Cisco, "warp-svc": WARP, "ZSATunnel.exe": Zscaler, "tailscaled": Tailscale,
		"mullvad-daemon": Mullvad, "wg-go": WireGuard, "bash": "", "systemd": "",
	}
	for name, want := range cases {
		if got := VendorFromProcess(name); got != want {
			t.Errorf("VendorFromProcess(%q) = %q, want %q", name, got, want)
		}
	}
}

func pfx(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, x := range s {
		out = append(out, netip.MustParsePrefix(x))
	}
	return out
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name   string
		i      netstate.Interface
		kind   Kind
		vendor string
	}{
		{"linux tun", netstate.Interface{Name: "tun0", TunTap: true, TunFlags: 0x1001, LinkType: 65534}, Tunnel, ""},
		{"linux tap", netstate.Interface{Name: "tap0", TunTap: true, TunFlags: 0x1002, LinkType: 1}, Tunnel, ""},
		{"nordlynx", netstate.Interface{Name: "nordlynx", DevType: "wireguard", LinkType: 65534}, Tunnel, NordVPN},
		{"proton tun", netstate.Interface{Name: "proton0", TunTap: true, TunFlags: 0x1001}, Tunnel, ProtonVPN},
		{"wireguard by devtype", netstate.Interface{Name: "office", DevType: "wireguard"}, Tunnel, ""},
		{"tailscale", netstate.Interface{Name: "tailscale0", TunTap: true}, Mesh, Tailscale},
		{"netbird", netstate.Interface{Name: "wt0", DevType: "wireguard"}, Mesh, NetBird},
		{"docker0", netstate.Interface{Name: "docker0", DevType: "bridge", LinkType: 1}, Virtual, ""},
		{"docker0 without sysfs", netstate.Interface{Name: "docker0"}, Virtual, ""},
		{"compose bridge", netstate.Interface{Name: "br-3f2a1b", DevType: "bridge"}, Virtual, ""},
		{"veth", netstate.Interface{Name: "veth12ab"}, Virtual, ""},
		{"libvirt", netstate.Interface{Name: "virbr0", DevType: "bridge"}, Virtual, ""},
		{"libvirt tap", netstate.Interface{Name: "vnet3", TunTap: true, TunFlags: 0x1002}, Virtual, ""},
		{"hyper-v", netstate.Interface{Name: "vEthernet (WSL)", Description: "Hyper-V Virtual Ethernet Adapter", IfType: 6}, Virtual, ""},
		{"virtualbox", netstate.Interface{Name: "VirtualBox Host-Only Network", Description: "VirtualBox Host-Only Ethernet Adapter", IfType: 6}, Virtual, ""},
		{"vmware", netstate.Interface{Name: "VMware Network Adapter VMnet8", Description: "VMware Virtual Ethernet Adapter for VMnet8", IfType: 6}, Virtual, ""},
		{"macOS vmnet", netstate.Interface{Name: "vmnet8"}, Virtual, ""},
		{"wintun", netstate.Interface{Name: "NordLynx", Description: "NordLynx Tunnel", IfType: 53}, Tunnel, NordVPN},
		{"wintun unnamed", netstate.Interface{Name: "Local Area Connection 2", Description: "Wintun Userspace Tunnel", IfType: 53}, Tunnel, WireGuard},
		{"tap-windows", netstate.Interface{Name: "Local Area Connection", Description: "TAP-Windows Adapter V9", IfType: 6}, Tunnel, OpenVPN},
		{"windows tailscale", netstate.Interface{Name: "Tailscale", Description: "Tailscale Tunnel", IfType: 53}, Mesh, Tailscale},
		{"teredo", netstate.Interface{Name: "Teredo Tunneling Pseudo-Interface", Description: "Teredo Tunneling Pseudo-Interface", IfType: 131}, Other, ""},
		{"linux sit", netstate.Interface{Name: "sit0", LinkType: 776}, Other, ""},
		{"pppoe", netstate.Interface{Name: "DSL", Description: "WAN Miniport (PPPOE)", IfType: 23}, Other, ""},
		{"macOS utun", netstate.Interface{Name: "utun4", PointToPoint: true}, Tunnel, ""},
		{"macOS globalprotect", netstate.Interface{Name: "gpd0", PointToPoint: true}, Tunnel, GlobalProtect},
		{"macOS ppp", netstate.Interface{Name: "ppp0", PointToPoint: true}, Tunnel, ""},
		{"ethernet", netstate.Interface{Name: "eth0", LinkType: 1}, Other, ""},
		{"wifi", netstate.Interface{Name: "Wi-Fi", Description: "Intel(R) Wi-Fi 6 AX201 160MHz", IfType: 71}, Other, ""},
		{"loopback", netstate.Interface{Name: "lo", Loopback: true, LinkType: 772}, Loopback, ""},
	}
	for _, c := range cases {
		got := Classify(c.i)
		if got.Kind != c.kind || got.Vendor != c.vendor {
			t.Errorf("%s: %+v, want kind %s vendor %q", c.name, got, c.kind, c.vendor)
		}
	}
}

func TestUsable(t *testing.T) {
	cases := []struct {
		name string
		i    netstate.Interface
		want bool
		why  string
	}{
		{"up with address", netstate.Interface{Name: "tun0", Up: true, AdminUp: true, Addrs: pfx("10.8.0.2/24")}, true, ""},
		{"down", netstate.Interface{Name: "tun0", Addrs: pfx("10.8.0.2/24")}, false, "down"},
		{"no carrier", netstate.Interface{Name: "tun0", AdminUp: true, Addrs: pfx("10.8.0.2/24")}, false, "no carrier"},
		{"no address", netstate.Interface{Name: "wg0", Up: true}, false, "no address"},
		{"link-local only", netstate.Interface{Name: "wg0", Up: true, Addrs: pfx("fe80::1/64", "169.254.3.4/16")}, false, "link-local"},
		{"macOS system utun", netstate.Interface{Name: "utun2", Up: true, Addrs: pfx("fe80::ce81:b1c:bd2c:69e/64")}, false, "link-local"},
		{"utun with global IPv6 only", netstate.Interface{Name: "utun5", Up: true, Addrs: pfx("fd6f:74a0:9a49::1/64")}, false, "IPv4"},
		{"utun with IPv4", netstate.Interface{Name: "utun4", Up: true, Addrs: pfx("10.6.0.2/32")}, true, ""},
	}
	for _, c := range cases {
		got, why := Usable(c.i)
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s: %v %q, want %v %q", c.name, got, why, c.want, c.why)
		}
	}
}

// Interfaces used by the judgment cases.
var (
	eth0     = netstate.Interface{Name: "eth0", Up: true, AdminUp: true, LinkType: 1, Addrs: pfx("192.168.1.10/24", "fe80::1/64")}
	nordlynx = netstate.Interface{Name: "nordlynx", Up: true, AdminUp: true, DevType: "wireguard", LinkType: 65534, Addrs: pfx("10.5.0.2/32")}
	tun0     = netstate.Interface{Name: "tun0", Up: true, AdminUp: true, TunTap: true, TunFlags: 0x1001, Addrs: pfx("10.8.0.2/24")}
	tun0Down = netstate.Interface{Name: "tun0", TunTap: true, TunFlags: 0x1001, Addrs: pfx("10.8.0.2/24")}
	docker0  = netstate.Interface{Name: "docker0", Up: true, AdminUp: true, DevType: "bridge", Addrs: pfx("172.17.0.1/16")}
	ts0      = netstate.Interface{Name: "tailscale0", Up: true, AdminUp: true, TunTap: true, Addrs: pfx("100.101.102.103/32")}
	utun3    = netstate.Interface{Name: "utun3", Up: true, AdminUp: true, PointToPoint: true, Addrs: pfx("fe80::a/64")}
	lo       = netstate.Interface{Name: "lo", Up: true, Loopback: true, Addrs: pfx("127.0.0.1/8")}
)

func rt(dst, dev string, metric int) netstate.Route {
	return netstate.Route{Interface: dev, Destination: netip.MustParsePrefix(dst), Metric: metric}
}

func path(src string) *Path {
	return &Path{Host: "chatgpt.com", Addr: netip.MustParseAddr("104.18.32.47"), Source: netip.MustParseAddr(src)}
}

func TestJudge(t *testing.T) {
	on := &netstate.TailscaleExitNode{InUse: true, Online: true}
	cases := []struct {
		name    string
		f       Facts
		active  bool
		iface   string
		vendor  string
		full    bool
		signals []string
		summary string
	}{
		{
			name:   "NordLynx full tunnel, route to chatgpt through it",
			f:      Facts{Interfaces: []netstate.Interface{lo, eth0, nordlynx}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("0.0.0.0/0", "nordlynx", 50)}, RoutesKnown: true, Path: path("10.5.0.2"), Processes: []string{"nordvpnd"}},
			active: true, iface: "nordlynx", vendor: NordVPN, full: true,
			signals: []string{SignalRouteToChatGPT, SignalDefaultRoute, SignalClientProcess},
			summary: "NordVPN (nordlynx) carries all traffic",
		},
		{
			name:   "OpenVPN split default, vendor from the only client process",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("0.0.0.0/1", "tun0", 0), rt("128.0.0.0/1", "tun0", 0)}, RoutesKnown: true, Path: path("10.8.0.2"), Processes: []string{"openvpn", "bash"}},
			active: true, iface: "tun0", vendor: OpenVPN, full: true,
			signals: []string{SignalRouteToChatGPT, SignalSplitDefault, SignalClientProcess},
			summary: "OpenVPN (tun0) carries all traffic",
		},
		{
			name:   "offline: judged from the split default alone",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("0.0.0.0/1", "tun0", 0), rt("128.0.0.0/1", "tun0", 0)}, RoutesKnown: true},
			active: true, iface: "tun0", full: true, signals: []string{SignalSplitDefault},
			summary: "A VPN tunnel (tun0) carries all traffic",
		},
		{
			name:   "only half a split default is not a full tunnel",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("0.0.0.0/1", "tun0", 0)}, RoutesKnown: true},
			active: false, summary: "no VPN on the path to ChatGPT",
		},
		{
			name:   "IPv6 split default through the tunnel",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("::/1", "tun0", 1024), rt("8000::/1", "tun0", 1024)}, RoutesKnown: true},
			active: true, iface: "tun0", full: true, signals: []string{SignalSplitDefault},
		},
		{
			name:   "split tunnel that includes OpenAI: route but no default",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("104.18.0.0/16", "tun0", 0)}, RoutesKnown: true, Path: path("10.8.0.2")},
			active: true, iface: "tun0", full: false, signals: []string{SignalRouteToChatGPT},
			summary: "A VPN tunnel (tun0) carries traffic to ChatGPT",
		},
		{
			name:   "VPN excludes OpenAI: the route to chatgpt decides",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "tun0", 0), rt("0.0.0.0/0", "eth0", 100)}, RoutesKnown: true, Path: path("192.168.1.10")},
			active: false, summary: "no VPN on the path to ChatGPT",
		},
		{
			name:   "default route through a worse-metric tunnel is not used",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("0.0.0.0/0", "tun0", 500)}, RoutesKnown: true},
			active: false,
		},
		{
			name:   "tunnel down, client running",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0Down}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("0.0.0.0/0", "tun0", 0)}, RoutesKnown: true, Path: path("192.168.1.10"), Processes: []string{"NordVPN.exe"}},
			active: false, summary: "no VPN on the path to ChatGPT (NordVPN is running but not connected)",
		},
		{
			name:   "kernel picks a tunnel with no carrier: not counted",
			f:      Facts{Interfaces: []netstate.Interface{tun0Down}, Routes: []netstate.Route{rt("0.0.0.0/0", "tun0", 0)}, RoutesKnown: true, Path: path("10.8.0.2")},
			active: false,
		},
		{
			name:   "docker0 with the default route",
			f:      Facts{Interfaces: []netstate.Interface{docker0}, Routes: []netstate.Route{rt("0.0.0.0/0", "docker0", 0)}, RoutesKnown: true, Path: path("172.17.0.1")},
			active: false, summary: "no VPN on the path to ChatGPT",
		},
		{
			name:   "Tailscale without an exit node",
			f:      Facts{Interfaces: []netstate.Interface{eth0, ts0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("100.64.0.0/10", "tailscale0", 0)}, RoutesKnown: true, Path: path("192.168.1.10"), Processes: []string{"tailscaled"}, ExitNode: &netstate.TailscaleExitNode{}},
			active: false, summary: "no VPN on the path to ChatGPT (Tailscale is connected without an exit node: it reaches only your own devices)",
		},
		{
			name:   "Tailscale exit node: policy routing sends chatgpt through tailscale0",
			f:      Facts{Interfaces: []netstate.Interface{eth0, ts0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100)}, RoutesKnown: true, Path: path("100.101.102.103"), ExitNode: on},
			active: true, iface: "tailscale0", vendor: Tailscale, full: true, signals: []string{SignalRouteToChatGPT, SignalExitNode},
			summary: "Tailscale (tailscale0) carries all traffic",
		},
		{
			name:   "Tailscale exit node, offline: status alone",
			f:      Facts{Interfaces: []netstate.Interface{eth0, ts0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100)}, RoutesKnown: true, ExitNode: on},
			active: true, iface: "tailscale0", vendor: Tailscale, full: true, signals: []string{SignalExitNode},
		},
		{
			name:   "macOS system utun with an IPv6 default is not a VPN",
			f:      Facts{Interfaces: []netstate.Interface{eth0, utun3}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 0), rt("::/0", "utun3", 0)}, RoutesKnown: true},
			active: false,
		},
		{
			name:   "fake IP supports the verdict",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/0", "eth0", 100), rt("198.18.0.0/15", "tun0", 0)}, RoutesKnown: true, Path: path("10.8.0.2"), FakeIPs: []netip.Addr{netip.MustParseAddr("198.18.0.7")}},
			active: true, iface: "tun0", full: false, signals: []string{SignalRouteToChatGPT, SignalFakeIP},
		},
		{
			name:   "nothing measurable: undecided",
			f:      Facts{Interfaces: []netstate.Interface{eth0, tun0}},
			active: false, summary: "could not tell whether a VPN carries traffic to ChatGPT: neither the route to ChatGPT nor the routing table could be read",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Judge(c.f)
			if v.Active != c.active || v.Interface != c.iface || v.Vendor != c.vendor || v.FullTunnel != c.full {
				t.Errorf("verdict active=%v iface=%q vendor=%q full=%v; want %v %q %q %v\n%+v",
					v.Active, v.Interface, v.Vendor, v.FullTunnel, c.active, c.iface, c.vendor, c.full, v)
			}
			if c.signals != nil && !slices.Equal(v.Signals, c.signals) {
				t.Errorf("signals %v, want %v", v.Signals, c.signals)
			}
			if c.summary != "" && v.Summary != c.summary {
				t.Errorf("summary %q, want %q", v.Summary, c.summary)
			}
			counted := 0
			for _, d := range v.Interfaces {
				if d.Counted {
					counted++
				}
				if d.Reason == "" {
					t.Errorf("%s has no reason", d.Name)
				}
			}
			if counted != map[bool]int{true: 1, false: 0}[c.active] {
				t.Errorf("%d interfaces counted", counted)
			}
		})
	}
}

func TestJudgeExplainsEachInterface(t *testing.T) {
	v := Judge(Facts{
		Interfaces:  []netstate.Interface{lo, eth0, docker0, tun0Down, utun3},
		Routes:      []netstate.Route{rt("0.0.0.0/0", "eth0", 0)},
		RoutesKnown: true,
		Path:        path("192.168.1.10"),
	})
	want := map[string]string{
		"lo":      "loopback",
		"eth0":    "traffic to ChatGPT leaves here",
		"docker0": "not a VPN",
		"tun0":    "down",
		"utun3":   "link-local",
	}
	for _, d := range v.Interfaces {
		if !strings.Contains(d.Reason, want[d.Name]) {
			t.Errorf("%s: reason %q, want it to mention %q", d.Name, d.Reason, want[d.Name])
		}
	}
	if v.PathInterface != "eth0" {
		t.Errorf("path interface %q", v.PathInterface)
	}
}

// Without a tunnel or mesh interface that could carry traffic, the
// running processes change nothing but the notes, whatever the routes, the
// path and the exit node: the vpn check may then skip listing them. With
// one they may name its vendor.
func TestClientsMatterOnlyWithATunnel(t *testing.T) {
	// One client alone names an unnamed tunnel; several name none.
	clientSets := [][]string{{"openvpn"}, {"tailscaled"}, {"nordvpnd", "openvpn", "tailscaled", "warp-svc"}}
	routeSets := [][]netstate.Route{
		nil,
		{rt("0.0.0.0/0", "eth0", 100)},
		{rt("0.0.0.0/0", "tun0", 0), rt("0.0.0.0/0", "eth0", 100)},
		{rt("0.0.0.0/1", "tun0", 0), rt("128.0.0.0/1", "tun0", 0), rt("::/0", "utun3", 0)},
		{rt("0.0.0.0/0", "tailscale0", 0), rt("0.0.0.0/0", "docker0", 0)},
	}
	paths := []*Path{nil, path("192.168.1.10"), path("172.17.0.1"), path("10.8.0.2"), path("100.101.102.103"), path("fe80::a")}
	ifaceSets := [][]netstate.Interface{
		nil, {lo, eth0}, {eth0, docker0}, {lo, eth0, utun3, docker0}, {eth0, tun0Down},
		{eth0, tun0}, {eth0, ts0}, {eth0, nordlynx, docker0},
	}
	exitNodes := []*netstate.TailscaleExitNode{nil, {InUse: true, Online: true}}
	skipped := 0
	for _, ifaces := range ifaceSets {
		for _, routes := range routeSets {
			for _, p := range paths {
				for _, exit := range exitNodes {
					f := Facts{Interfaces: ifaces, Routes: routes, RoutesKnown: routes != nil, Path: p, ExitNode: exit, FakeIPs: []netip.Addr{netip.MustParseAddr("198.18.0.7")}}
					if ClientsMatter(f) {
						continue
					}
					skipped++
					without := Judge(f)
					for _, clients := range clientSets {
						f.Processes = clients
						with := Judge(f)
						if with.Active != without.Active || with.Interface != without.Interface || with.Vendor != without.Vendor ||
							with.FullTunnel != without.FullTunnel || with.Undecided != without.Undecided || !slices.Equal(with.Signals, without.Signals) {
							t.Errorf("%v, routes %v, path %v, processes %v: they changed the verdict\nwithout: %+v\nwith:    %+v", names(ifaces), routes, p, clients, without, with)
						}
					}
				}
			}
		}
	}
	if skipped < 100 {
		t.Fatalf("only %d combinations without a tunnel that matters: the test proves little", skipped)
	}
	for _, c := range []struct {
		f    Facts
		want bool
	}{
		{Facts{Interfaces: []netstate.Interface{lo, eth0, docker0}, Path: path("192.168.1.10")}, false},
		// macOS's own utun holds only a link-local address.
		{Facts{Interfaces: []netstate.Interface{eth0, utun3}, Path: path("192.168.1.10")}, false},
		{Facts{Interfaces: []netstate.Interface{eth0, tun0Down}}, false},
		{Facts{Interfaces: []netstate.Interface{eth0, tun0}}, true},
		{Facts{Interfaces: []netstate.Interface{eth0, ts0}}, true},
		{Facts{Interfaces: []netstate.Interface{nordlynx}}, true},
		// Up without a usable address, yet the kernel's route leaves through it.
		{Facts{Interfaces: []netstate.Interface{eth0, utun3}, Path: path("fe80::a")}, true},
	} {
		if got := ClientsMatter(c.f); got != c.want {
			t.Errorf("ClientsMatter(%v, path %v) = %v, want %v", names(c.f.Interfaces), c.f.Path, got, c.want)
		}
	}
	// With a tunnel they do matter: they name an unnamed one.
	f := Facts{Interfaces: []netstate.Interface{eth0, tun0}, Routes: []netstate.Route{rt("0.0.0.0/1", "tun0", 0), rt("128.0.0.0/1", "tun0", 0)}, RoutesKnown: true, Processes: []string{"openvpn"}}
	if v := Judge(f); v.Vendor != OpenVPN {
		t.Errorf("vendor %q, want OpenVPN named by its process", v.Vendor)
	}
}

func names(ifaces []netstate.Interface) []string {
	var out []string
	for _, i := range ifaces {
		out = append(out, i.Name)
	}
	return out
}
