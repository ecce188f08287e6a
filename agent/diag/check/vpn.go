package check

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/vpnid"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/netstate"
)

// vpnCheck finds a VPN that carries traffic to OpenAI: the block behind
// Error 1020 follows the VPN's exit address. It needs no other check and
// runs offline too, since a VPN's kill switch is often why a machine is
// offline. It only reads: interfaces, routes, process names, and the
// kernel's route to chatgpt.com (a UDP socket connected without sending).
var vpnCheck = Check{
	Name:    "vpn",
	Local:   true,
	Timeout: func(*config.Config) time.Duration { return 4 * time.Second },
	Run:     runVPN,
}

func runVPN(ctx context.Context, env *Env) Result {
	ifaces, err := env.Host.Interfaces(ctx)
	if errors.Is(err, platform.ErrNotSupported) {
		return NotSupported("finding VPN interfaces")
	}
	if err != nil {
		return Result{Status: Error, Summary: "could not list the network interfaces", Data: map[string]any{"error": err.Error()}}
	}
	data := map[string]any{}
	facts := vpnid.Facts{Interfaces: ifaces}
	facts.Routes, facts.RoutesKnown = vpnRoutes(ctx, env.Host, data)
	facts.Path, facts.FakeIPs = vpnPath(ctx, env, data)
	if vpnid.ClientsMatter(facts) {
		facts.Processes = vpnProcesses(ctx, env, data)
	}
	facts.ExitNode = vpnExitNode(ctx, env.Host, ifaces, data)

	v := vpnid.Judge(facts)
	if route, ok := data["route_to_chatgpt"].(map[string]any); ok && v.PathInterface != "" {
		route["interface"] = v.PathInterface
	}
	data["interfaces"] = v.Interfaces
	data["clients"] = NonNil(v.Clients)
	data["notes"] = NonNil(v.Notes)
	res := Result{Summary: v.Summary, Data: data}
	if v.Undecided {
		res.Status = Skip
	}
	if v.Active {
		res.Findings = append(res.Findings, finding.VPNActive.New(env.Now(), vpnEvidence(v)))
	}
	return res
}

func vpnEvidence(v vpnid.Verdict) map[string]any {
	ev := map[string]any{
		"interface":   v.Interface,
		"full_tunnel": v.FullTunnel,
		"signals":     v.Signals,
	}
	if v.Vendor != "" {
		ev["vendor"] = v.Vendor
	}
	return ev
}

// vpnRoutes reads the routing table; the default and split-default routes
// go into the data. A table that cannot be read is said so, not skipped.
func vpnRoutes(ctx context.Context, h Host, data map[string]any) ([]netstate.Route, bool) {
	routes, err := h.Routes(ctx)
	switch {
	case errors.Is(err, platform.ErrNotSupported):
		data["routes"] = "reading the routing table is not supported on this operating system yet"
		return nil, false
	case err != nil:
		data["routes"] = "could not read the routing table: " + err.Error()
		return nil, false
	}
	shown := []map[string]any{}
	for _, r := range routes {
		if !r.IsDefault() && !r.IsSplitDefault() {
			continue
		}
		row := map[string]any{"destination": r.Destination.String(), "interface": r.Interface, "metric": r.Metric}
		if r.Gateway.IsValid() {
			row["gateway"] = r.Gateway.String()
		}
		shown = append(shown, row)
	}
	data["default_routes"] = shown
	return routes, true
}

// vpnPath asks the kernel which local address it would use to reach the
// first probed host. Offline, the name does not resolve: the signal is
// skipped, and the data says so.
func vpnPath(ctx context.Context, env *Env, data map[string]any) (*vpnid.Path, []netip.Addr) {
	host := vpnHost(env.Config)
	info := map[string]any{"host": host}
	data["route_to_chatgpt"] = info
	if env.Lookup == nil || host == "" {
		info["skipped"] = "no host or resolver to look up"
		return nil, nil
	}
	answers, err := env.Lookup.LookupIPAddr(ctx, host)
	if err != nil || len(answers) == 0 {
		info["skipped"] = "could not resolve " + host + " (offline?); judged from the routing table alone"
		if err != nil {
			info["error"] = err.Error()
		}
		return nil, nil
	}
	var fake []netip.Addr
	var lastErr error
	var path *vpnid.Path
	for _, a := range answers {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if len(dnsInRanges([]netip.Addr{ip}, fakeIPRanges)) > 0 {
			fake = append(fake, ip)
		}
		if path != nil {
			continue
		}
		src, err := env.Host.SourceAddr(ctx, ip)
		if err != nil {
			lastErr = err
			continue
		}
		path = &vpnid.Path{Host: host, Addr: ip, Source: src}
		info["address"], info["source"] = ip.String(), src.String()
	}
	if len(fake) > 0 {
		info["fake_ip"] = dnsconf.AddrStrings(fake)
	}
	if path == nil && lastErr != nil {
		info["skipped"] = "no route to " + host + "; judged from the routing table alone"
		info["error"] = lastErr.Error()
	}
	return path, fake
}

// vpnHost is the host name of the first probed URL (chatgpt.com by
// default).
func vpnHost(cfg *config.Config) string {
	if cfg == nil || len(cfg.Endpoints.Hosts) == 0 {
		return ""
	}
	return hostName(cfg.Endpoints.Hosts[0])
}

// vpnProcesses lists process names, only to name a tunnel's VPN client: a
// client runs while disconnected too, so it never makes a finding by
// itself. The reading is the run's own, shared with the other checks.
func vpnProcesses(ctx context.Context, env *Env, data map[string]any) []string {
	procs, err := env.processes(ctx)
	if err != nil {
		data["processes"] = "could not list processes: " + err.Error()
		return nil
	}
	return procs.Names()
}

// vpnExitNode asks Tailscale about its exit node, only when a Tailscale
// interface is up and addressed: without an exit node Tailscale is not on
// the path to the internet.
func vpnExitNode(ctx context.Context, h Host, ifaces []netstate.Interface, data map[string]any) *netstate.TailscaleExitNode {
	present := false
	for _, i := range ifaces {
		usable, _ := vpnid.Usable(i)
		if usable && vpnid.Classify(i).Vendor == vpnid.Tailscale {
			present = true
		}
	}
	if !present {
		return nil
	}
	st, err := h.TailscaleExitNode(ctx)
	if err != nil {
		data["tailscale"] = "could not ask Tailscale about its exit node: " + err.Error()
		return nil
	}
	data["tailscale"] = map[string]any{"exit_node_in_use": st.InUse, "exit_node_online": st.Online}
	return &st
}
