package check

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/vpnid"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/netstate"
)

// vpnFakeResolver answers every name with the same addresses, or fails.
type vpnFakeResolver struct {
	addrs []string
	err   error
	mu    sync.Mutex
	asked []string
}

func (r *vpnFakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.mu.Lock()
	r.asked = append(r.asked, host)
	r.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	var out []net.IPAddr
	for _, a := range r.addrs {
		out = append(out, net.IPAddr{IP: net.ParseIP(a)})
	}
	return out, nil
}

func vpnTestEnv(r Resolver, h Host) *Env {
	cfg := config.Default()
	return &Env{Config: &cfg, Lookup: r, Host: h, Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }}
}

func vpnPfx(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, x := range s {
		out = append(out, netip.MustParsePrefix(x))
	}
	return out
}

// vpnTestHost is a machine with Ethernet and a NordLynx tunnel carrying
// the default route; tests change what they need.
func vpnTestHost() *fakeHost {
	return &fakeHost{
		interfaces: []netstate.Interface{
			{Name: "eth0", Up: true, AdminUp: true, LinkType: 1, Addrs: vpnPfx("192.168.1.10/24")},
			{Name: "nordlynx", Up: true, AdminUp: true, DevType: "wireguard", Addrs: vpnPfx("10.5.0.2/32")},
		},
		routes: []netstate.Route{
			{Interface: "eth0", Destination: netip.MustParsePrefix("0.0.0.0/0"), Metric: 100},
			{Interface: "nordlynx", Destination: netip.MustParsePrefix("0.0.0.0/0"), Metric: 50},
		},
		processes:    []string{"nordvpnd", "sshd"},
		source:       netip.MustParseAddr("10.5.0.2"),
		tailscaleErr: errors.New("tailscale must not be asked without a Tailscale interface"),
	}
}

// vpnCountingTailscale counts the questions to Tailscale.
type vpnCountingTailscale struct {
	*fakeHost
	asked atomic.Int32
}

func (h *vpnCountingTailscale) TailscaleExitNode(ctx context.Context) (netstate.TailscaleExitNode, error) {
	h.asked.Add(1)
	return h.fakeHost.TailscaleExitNode(ctx)
}

func TestVPNCheckContract(t *testing.T) {
	t.Parallel()
	c, ok := Lookup("vpn")
	if !ok || len(c.Needs) != 0 || c.Timeout == nil {
		t.Fatalf("vpn check %+v: want registered, no Needs, a timeout", c)
	}
	cfg := config.Default()
	if d := c.Timeout(&cfg); d < time.Second || d > 10*time.Second {
		t.Errorf("timeout %v, want a few seconds", d)
	}
}

func TestVPNActiveFinding(t *testing.T) {
	t.Parallel()
	r := &vpnFakeResolver{addrs: []string{"104.18.32.47"}}
	res := runVPN(context.Background(), vpnTestEnv(r, vpnTestHost()))

	if len(res.Findings) != 1 || res.Findings[0].Code != finding.VPNActive.Code {
		t.Fatalf("findings %+v, want vpn-active", res.Findings)
	}
	ev := res.Findings[0].Evidence
	if ev["interface"] != "nordlynx" || ev["vendor"] != vpnid.NordVPN || ev["full_tunnel"] != true {
		t.Errorf("evidence %v", ev)
	}
	sig, _ := ev["signals"].([]string)
	for _, s := range []string{vpnid.SignalRouteToChatGPT, vpnid.SignalDefaultRoute, vpnid.SignalClientProcess} {
		if !slices.Contains(sig, s) {
			t.Errorf("signals %v lack %s", sig, s)
		}
	}
	if res.Summary != "NordVPN (nordlynx) carries all traffic" {
		t.Errorf("summary %q", res.Summary)
	}
	if !slices.Equal(r.asked, []string{"chatgpt.com"}) {
		t.Errorf("resolved %v, want the host of the first endpoint", r.asked)
	}
	route := res.Data["route_to_chatgpt"].(map[string]any)
	if route["interface"] != "nordlynx" || route["source"] != "10.5.0.2" || route["address"] != "104.18.32.47" {
		t.Errorf("route_to_chatgpt %v", route)
	}
	if list, _ := res.Data["interfaces"].([]vpnid.Judged); len(list) != 2 {
		t.Errorf("interfaces data %v", res.Data["interfaces"])
	}
}

func TestVPNOfflineSkipsTheRouteSignal(t *testing.T) {
	t.Parallel()
	r := &vpnFakeResolver{err: errors.New("lookup chatgpt.com: no such host")}
	h := vpnTestHost()
	// Asked for a route, it would fail: the data would then say "no route".
	h.sourceErr = errors.New("no address to route to while offline")
	res := runVPN(context.Background(), vpnTestEnv(r, h))
	route := res.Data["route_to_chatgpt"].(map[string]any)
	if s, _ := route["skipped"].(string); !strings.Contains(s, "could not resolve chatgpt.com") {
		t.Errorf("route_to_chatgpt %v: want the skip explained", route)
	}
	if len(res.Findings) != 1 || slices.Contains(res.Findings[0].Evidence["signals"].([]string), vpnid.SignalRouteToChatGPT) {
		t.Errorf("findings %+v: want vpn-active from the default route alone", res.Findings)
	}
}

// The processes are listed only when a tunnel could carry traffic: they
// name its client, and without one no verdict depends on them, so a
// machine without a VPN does not pay for listing them. A client running
// beside a connected tunnel is still mentioned.
func TestVPNListsProcessesOnlyForATunnel(t *testing.T) {
	t.Parallel()
	eth0 := netstate.Interface{Name: "eth0", Up: true, AdminUp: true, Addrs: vpnPfx("192.168.1.10/24")}
	nordlynxDown := netstate.Interface{Name: "nordlynx", AdminUp: true, DevType: "wireguard", Addrs: vpnPfx("10.5.0.2/32")}
	tailscale := netstate.Interface{Name: "tailscale0", Up: true, AdminUp: true, TunTap: true, Addrs: vpnPfx("100.101.102.103/32")}
	for _, c := range []struct {
		name    string
		ifaces  []netstate.Interface
		scans   int32
		summary string
	}{
		{"no tunnel", []netstate.Interface{eth0}, 0, "no VPN on the path to ChatGPT"},
		{"a tunnel without a carrier", []netstate.Interface{eth0, nordlynxDown}, 0, "no VPN on the path to ChatGPT"},
		{"a mesh network up", []netstate.Interface{eth0, tailscale}, 1,
			"no VPN on the path to ChatGPT (NordVPN is running but not connected; Tailscale is connected without an exit node: it reaches only your own devices)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := vpnTestHost()
			h.interfaces = c.ifaces
			h.routes = []netstate.Route{{Interface: "eth0", Destination: netip.MustParsePrefix("0.0.0.0/0")}}
			h.source = netip.MustParseAddr("192.168.1.10")
			h.processes = []string{"nordvpnd", "tailscaled"}
			h.tailscaleErr = nil
			res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{addrs: []string{"104.18.32.47"}}, h))
			if n := h.scans.Load(); n != c.scans {
				t.Errorf("listed the processes %d times, want %d", n, c.scans)
			}
			if len(res.Findings) != 0 || res.Status != "" {
				t.Errorf("findings %+v status %q: want none, status from the engine", res.Findings, res.Status)
			}
			if res.Summary != c.summary {
				t.Errorf("summary %q, want %q", res.Summary, c.summary)
			}
		})
	}
}

func TestVPNFakeIPAnswer(t *testing.T) {
	t.Parallel()
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{addrs: []string{"198.18.0.7"}}, vpnTestHost()))
	route := res.Data["route_to_chatgpt"].(map[string]any)
	if fake, _ := route["fake_ip"].([]string); !slices.Equal(fake, []string{"198.18.0.7"}) {
		t.Errorf("route_to_chatgpt %v: want the fake IP shown", route)
	}
	if len(res.Findings) != 1 || !slices.Contains(res.Findings[0].Evidence["signals"].([]string), vpnid.SignalFakeIP) {
		t.Errorf("findings %+v: want fake-ip among the signals", res.Findings)
	}
}

func TestVPNNotSupportedIsSaid(t *testing.T) {
	t.Parallel()
	h := vpnTestHost()
	h.interfaces, h.interfacesErr = nil, platform.ErrNotSupported
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{}, h))
	if res.Status != Skip || !strings.Contains(res.Summary, "not supported") {
		t.Errorf("status %q summary %q: want a skip that says why", res.Status, res.Summary)
	}

	h = vpnTestHost()
	h.routes, h.routesErr = nil, platform.ErrNotSupported
	r := &vpnFakeResolver{err: errors.New("offline")}
	res = runVPN(context.Background(), vpnTestEnv(r, h))
	if !strings.Contains(res.Data["routes"].(string), "not supported") {
		t.Errorf("routes data %v: want it said", res.Data["routes"])
	}
	if res.Status != Skip || !strings.Contains(res.Summary, "could not tell") {
		t.Errorf("status %q summary %q: no signal at all must not pass", res.Status, res.Summary)
	}
}

func TestVPNInterfaceErrorIsAnError(t *testing.T) {
	t.Parallel()
	h := vpnTestHost()
	h.interfaces, h.interfacesErr = nil, errors.New("netlink: permission denied")
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{}, h))
	if res.Status != Error || res.Data["error"] == nil {
		t.Errorf("result %+v: want an error with the cause in data", res)
	}
}

func TestVPNTailscaleAskedOnlyWhenPresent(t *testing.T) {
	t.Parallel()
	h := &vpnCountingTailscale{fakeHost: &fakeHost{
		interfaces: []netstate.Interface{
			{Name: "eth0", Up: true, AdminUp: true, Addrs: vpnPfx("192.168.1.10/24")},
			{Name: "tailscale0", Up: true, AdminUp: true, TunTap: true, Addrs: vpnPfx("100.101.102.103/32")},
		},
		routes:    []netstate.Route{{Interface: "eth0", Destination: netip.MustParsePrefix("0.0.0.0/0")}},
		processes: []string{"tailscaled"},
		source:    netip.MustParseAddr("192.168.1.10"),
	}}
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{addrs: []string{"104.18.32.47"}}, h))
	if n := h.asked.Load(); n != 1 || len(res.Findings) != 0 {
		t.Errorf("asked tailscale %d times, findings %+v: want once, none (no exit node)", n, res.Findings)
	}
}
