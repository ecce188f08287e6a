package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
)

// Addresses of the VPN: the server's link to the test internet, and the
// tunnel.
const (
	vpnServerLink = "10.78.0.2"
	vpnInetLink   = "10.78.0.1"
	vpnServer     = "10.8.0.1"
	vpnClient     = "10.8.0.2"
)

// A VPN that comes up under a running agent really carries its traffic —
// a userspace relay between a tun in the client and a tun in a VPN
// server's namespace that routes on to the test internet — and the next
// run describes the new path: new connections, and the trace showing the
// tunnel's address. The old connections would still have worked (return
// traffic is not filtered by its way back, as on many real machines), so
// a run that reused them would have reported the old exit address. Needs
// root; mandatory in CI.
func TestVPNUnderARunningAgentIsProbedAfresh(t *testing.T) {
	requireTunDevice(t)
	n := newInternet(t, internetOptions{})
	vpn := newNetns(t)
	mustRun(t, "ip", "-n", vpn.name, "link", "add", "v0", "type", "veth", "peer", "name", "iv0", "netns", n.inet.name)
	vpn.ip(t, "addr", "add", vpnServerLink+"/24", "dev", "v0")
	vpn.ip(t, "link", "set", "v0", "up")
	vpn.ip(t, "route", "add", "default", "via", vpnInetLink)
	n.inet.ip(t, "addr", "add", vpnInetLink+"/24", "dev", "iv0")
	n.inet.ip(t, "link", "set", "iv0", "up")
	n.inet.ip(t, "route", "add", vpnServer[:len(vpnServer)-1]+"0/24", "via", vpnServerLink)
	vpn.sysctl(t, "net.ipv4.ip_forward", "1")
	for _, ns := range []*netns{n.client, n.inet, vpn} {
		ns.sysctl(t, "net.ipv4.conf.all.rp_filter", "0")
		ns.sysctl(t, "net.ipv4.conf.default.rp_filter", "0")
	}
	n.client.sysctl(t, "net.ipv4.conf.c0.rp_filter", "0")
	n.inet.sysctl(t, "net.ipv4.conf.iv0.rp_filter", "0")

	cfg := writeConfig(t, "[agent]", `interval = "1h"`, `active_interval = "1h"`)
	a := startAgent(t, n.client.prefix(), cfg, n.env...)
	before := a.waitState(t, 30*time.Second, "a first run with a trace", func(st api.State) bool {
		return traceIP(st) != ""
	})
	if ip := traceIP(before); ip != inetClient {
		t.Fatalf("before the VPN the trace says %q, want %s", ip, inetClient)
	}

	// The tunnel comes up first, without the default route, and the agent
	// runs over the old path once more; then the route moves into it, a
	// single change.
	startReady(t, n.client, "tun-relay", "vpn0", "vpnsrv")
	n.client.ip(t, "link", "set", "dev", "vpnsrv", "netns", vpn.name)
	vpn.ip(t, "addr", "add", vpnServer+"/24", "dev", "vpnsrv")
	vpn.ip(t, "link", "set", "vpnsrv", "up")
	vpn.sysctl(t, "net.ipv4.conf.vpnsrv.rp_filter", "0")
	n.client.ip(t, "addr", "add", vpnClient+"/24", "dev", "vpn0")
	n.client.ip(t, "link", "set", "vpn0", "up")
	before = a.waitState(t, 60*time.Second, "a full run after the tunnel came up", func(st api.State) bool {
		return hasInterface(st, "vpn0") && !reflect.DeepEqual(checkData(st, "endpoints"), checkData(before, "endpoints"))
	})
	n.client.ip(t, "route", "replace", "default", "dev", "vpn0")

	// With an hour between scheduled runs, the next full run that saw the
	// new route is the one the change started.
	after := a.waitState(t, 60*time.Second, "a full run after the default route moved into the tunnel", func(st api.State) bool {
		return defaultRouteVia(st, "vpn0") && !reflect.DeepEqual(checkData(st, "endpoints"), checkData(before, "endpoints"))
	})
	if ip := traceIP(after); ip != vpnClient {
		t.Errorf("after the VPN came up the trace says %q, want the tunnel's %s: the run used a connection from before", ip, vpnClient)
	}
	// Hosts behind one address share an HTTP/2 connection, so a host may
	// show no connect of its own; but a run over the old connections
	// dials none at all.
	hosts, _ := checkData(after, "endpoints")["hosts"].([]any)
	dialled := 0
	for _, h := range hosts {
		timings := h.(map[string]any)["timings"].(map[string]any)
		if timings["connect_ms"].(float64) > 0 && timings["tls_ms"].(float64) > 0 {
			dialled++
		}
	}
	if dialled == 0 {
		t.Errorf("no host was dialled afresh after the change: %v", hosts)
	}
}

func checkData(st api.State, name string) map[string]any {
	for _, c := range st.Checks {
		if c.Name == name {
			return c.Data
		}
	}
	return nil
}

// traceIP is the address Cloudflare's trace saw the agent's request from.
func traceIP(st api.State) string {
	tr, _ := checkData(st, "endpoints")["trace"].(map[string]any)
	ip, _ := tr["ip"].(string)
	return ip
}

// hasInterface reports whether the vpn check listed the interface.
func hasInterface(st api.State, name string) bool {
	ifs, _ := checkData(st, "vpn")["interfaces"].([]any)
	for _, i := range ifs {
		if m, ok := i.(map[string]any); ok && m["name"] == name {
			return true
		}
	}
	return false
}

// defaultRouteVia reports whether the vpn check saw a default route
// through the interface.
func defaultRouteVia(st api.State, name string) bool {
	rs, _ := checkData(st, "vpn")["default_routes"].([]any)
	for _, r := range rs {
		if m, ok := r.(map[string]any); ok && m["interface"] == name {
			return true
		}
	}
	return false
}
