package check

import (
	"context"
	"net/netip"

	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/proxy"
	"github.com/clearance-app/clearance/platform/timesync"
)

// fakeHost is a machine described in plain fields, each read returning its
// own: a test that gives every check its own fakeHost runs in parallel with
// the others and never depends on the machine it runs on. The zero value
// is a machine with nothing: no interfaces, no routes, no processes, an
// unknown resolver, no time service, no proxy.
type fakeHost struct {
	interfaces    []netstate.Interface
	interfacesErr error
	routes        []netstate.Route
	routesErr     error
	// source is the local address towards every destination.
	source       netip.Addr
	sourceErr    error
	processes    []string
	processesErr error
	tailscale    netstate.TailscaleExitNode
	tailscaleErr error
	resolver     dnsconf.ResolverInfo
	resolverErr  error
	timeSync     timesync.State
	timeSyncErr  error
	proxies      []proxy.Setting
	proxiesErr   error
	env          map[string]string
}

func (h *fakeHost) Interfaces(context.Context) ([]netstate.Interface, error) {
	return h.interfaces, h.interfacesErr
}

func (h *fakeHost) Routes(context.Context) ([]netstate.Route, error) {
	return h.routes, h.routesErr
}

func (h *fakeHost) SourceAddr(context.Context, netip.Addr) (netip.Addr, error) {
	return h.source, h.sourceErr
}

func (h *fakeHost) ProcessNames(context.Context) ([]string, error) {
	return h.processes, h.processesErr
}

func (h *fakeHost) TailscaleExitNode(context.Context) (netstate.TailscaleExitNode, error) {
	return h.tailscale, h.tailscaleErr
}

func (h *fakeHost) Resolver(context.Context) (dnsconf.ResolverInfo, error) {
	return h.resolver, h.resolverErr
}

func (h *fakeHost) TimeSync(context.Context) (timesync.State, error) {
	return h.timeSync, h.timeSyncErr
}

func (h *fakeHost) ProxySettings(context.Context) ([]proxy.Setting, error) {
	return h.proxies, h.proxiesErr
}

func (h *fakeHost) Getenv(name string) string { return h.env[name] }
