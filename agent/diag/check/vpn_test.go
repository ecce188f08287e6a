package check

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
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
	asked []string
}

func (r *vpnFakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.asked = append(r.asked, host)
	if r.err != nil {
		return nil, r.err
	}
	var out []net.IPAddr
	for _, a := range r.addrs {
		out = append(out, net.IPAddr{IP: net.ParseIP(a)})
	}
	return out, nil
}

func vpnTestEnv(r Resolver) *Env {
	cfg := config.Default()
	return &Env{Config: &cfg, Lookup: r, Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }}
}

func vpnPfx(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, x := range s {
		out = append(out, netip.MustParsePrefix(x))
	}
	return out
}

// vpnTestProbe is a machine with Ethernet and a NordLynx tunnel carrying
// the default route; tests change what they need.
func vpnTestProbe() vpnProbe {
	return vpnProbe{
		interfaces: func(context.Context) ([]netstate.Interface, error) {
			return []netstate.Interface{
				{Name: "eth0", Up: true, AdminUp: true, LinkType: 1, Addrs: vpnPfx("192.168.1.10/24")},
				{Name: "nordlynx", Up: true, AdminUp: true, DevType: "wireguard", Addrs: vpnPfx("10.5.0.2/32")},
			}, nil
		},
		routes: func(context.Context) ([]netstate.Route, error) {
			return []netstate.Route{
				{Interface: "eth0", Destination: netip.MustParsePrefix("0.0.0.0/0"), Metric: 100},
				{Interface: "nordlynx", Destination: netip.MustParsePrefix("0.0.0.0/0"), Metric: 50},
			}, nil
		},
		processes: func(context.Context) ([]string, error) { return []string{"nordvpnd", "sshd"}, nil },
		source: func(_ context.Context, dst netip.Addr) (netip.Addr, error) {
			return netip.MustParseAddr("10.5.0.2"), nil
		},
		tailscale: func(context.Context) (netstate.TailscaleExitNode, error) {
			return netstate.TailscaleExitNode{}, errors.New("tailscale must not be asked without a Tailscale interface")
		},
	}
}

func TestVPNCheckContract(t *testing.T) {
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
	r := &vpnFakeResolver{addrs: []string{"104.18.32.47"}}
	res := runVPN(context.Background(), vpnTestEnv(r), vpnTestProbe())

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
	r := &vpnFakeResolver{err: errors.New("lookup chatgpt.com: no such host")}
	p := vpnTestProbe()
	p.source = func(context.Context, netip.Addr) (netip.Addr, error) {
		t.Error("no address to route to while offline")
		return netip.Addr{}, nil
	}
	res := runVPN(context.Background(), vpnTestEnv(r), p)
	route := res.Data["route_to_chatgpt"].(map[string]any)
	if s, _ := route["skipped"].(string); !strings.Contains(s, "could not resolve chatgpt.com") {
		t.Errorf("route_to_chatgpt %v: want the skip explained", route)
	}
	if len(res.Findings) != 1 || slices.Contains(res.Findings[0].Evidence["signals"].([]string), vpnid.SignalRouteToChatGPT) {
		t.Errorf("findings %+v: want vpn-active from the default route alone", res.Findings)
	}
}

func TestVPNClientRunningButNotConnected(t *testing.T) {
	p := vpnTestProbe()
	p.interfaces = func(context.Context) ([]netstate.Interface, error) {
		return []netstate.Interface{{Name: "eth0", Up: true, AdminUp: true, Addrs: vpnPfx("192.168.1.10/24")}}, nil
	}
	p.routes = func(context.Context) ([]netstate.Route, error) {
		return []netstate.Route{{Interface: "eth0", Destination: netip.MustParsePrefix("0.0.0.0/0")}}, nil
	}
	p.source = func(context.Context, netip.Addr) (netip.Addr, error) { return netip.MustParseAddr("192.168.1.10"), nil }
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{addrs: []string{"104.18.32.47"}}), p)
	if len(res.Findings) != 0 || res.Status != "" {
		t.Errorf("findings %+v status %q: want none, status from the engine", res.Findings, res.Status)
	}
	if !slices.Contains(res.Data["notes"].([]string), "NordVPN is running but not connected") {
		t.Errorf("notes %v", res.Data["notes"])
	}
	if res.Summary != "no VPN on the path to ChatGPT (NordVPN is running but not connected)" {
		t.Errorf("summary %q", res.Summary)
	}
}

func TestVPNFakeIPAnswer(t *testing.T) {
	p := vpnTestProbe()
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{addrs: []string{"198.18.0.7"}}), p)
	route := res.Data["route_to_chatgpt"].(map[string]any)
	if fake, _ := route["fake_ip"].([]string); !slices.Equal(fake, []string{"198.18.0.7"}) {
		t.Errorf("route_to_chatgpt %v: want the fake IP shown", route)
	}
	if len(res.Findings) != 1 || !slices.Contains(res.Findings[0].Evidence["signals"].([]string), vpnid.SignalFakeIP) {
		t.Errorf("findings %+v: want fake-ip among the signals", res.Findings)
	}
}

func TestVPNNotSupportedIsSaid(t *testing.T) {
	p := vpnTestProbe()
	p.interfaces = func(context.Context) ([]netstate.Interface, error) { return nil, platform.ErrNotSupported }
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{}), p)
	if res.Status != Skip || !strings.Contains(res.Summary, "not supported") {
		t.Errorf("status %q summary %q: want a skip that says why", res.Status, res.Summary)
	}

	p = vpnTestProbe()
	p.routes = func(context.Context) ([]netstate.Route, error) { return nil, platform.ErrNotSupported }
	r := &vpnFakeResolver{err: errors.New("offline")}
	res = runVPN(context.Background(), vpnTestEnv(r), p)
	if !strings.Contains(res.Data["routes"].(string), "not supported") {
		t.Errorf("routes data %v: want it said", res.Data["routes"])
	}
	if res.Status != Skip || !strings.Contains(res.Summary, "could not tell") {
		t.Errorf("status %q summary %q: no signal at all must not pass", res.Status, res.Summary)
	}
}

func TestVPNInterfaceErrorIsAnError(t *testing.T) {
	p := vpnTestProbe()
	p.interfaces = func(context.Context) ([]netstate.Interface, error) {
		return nil, errors.New("netlink: permission denied")
	}
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{}), p)
	if res.Status != Error || res.Data["error"] == nil {
		t.Errorf("result %+v: want an error with the cause in data", res)
	}
}

func TestVPNTailscaleAskedOnlyWhenPresent(t *testing.T) {
	p := vpnTestProbe()
	asked := 0
	p.interfaces = func(context.Context) ([]netstate.Interface, error) {
		return []netstate.Interface{
			{Name: "eth0", Up: true, AdminUp: true, Addrs: vpnPfx("192.168.1.10/24")},
			{Name: "tailscale0", Up: true, AdminUp: true, TunTap: true, Addrs: vpnPfx("100.101.102.103/32")},
		}, nil
	}
	p.routes = func(context.Context) ([]netstate.Route, error) {
		return []netstate.Route{{Interface: "eth0", Destination: netip.MustParsePrefix("0.0.0.0/0")}}, nil
	}
	p.processes = func(context.Context) ([]string, error) { return []string{"tailscaled"}, nil }
	p.source = func(context.Context, netip.Addr) (netip.Addr, error) { return netip.MustParseAddr("192.168.1.10"), nil }
	p.tailscale = func(context.Context) (netstate.TailscaleExitNode, error) {
		asked++
		return netstate.TailscaleExitNode{}, nil
	}
	res := runVPN(context.Background(), vpnTestEnv(&vpnFakeResolver{addrs: []string{"104.18.32.47"}}), p)
	if asked != 1 || len(res.Findings) != 0 {
		t.Errorf("asked tailscale %d times, findings %+v: want once, none (no exit node)", asked, res.Findings)
	}
}
