package check

import (
	"context"
	"net/netip"
	"os"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/browser"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/proxy"
	"github.com/clearance-app/clearance/platform/timesync"
)

// Host is what the checks read of this machine's own state. Every such
// read goes through it, as every request to the network goes through the
// rest of Env, so that a test describes a machine in a value of its own
// and runs beside the others. It only reads; nothing here changes the
// system. This file is the one place in the package that calls platform:
// TestChecksReadTheOSOnlyThroughHost holds the others to it.
type Host interface {
	// Interfaces lists the network interfaces with their addresses.
	Interfaces(ctx context.Context) ([]netstate.Interface, error)
	// Routes reads the routing table.
	Routes(ctx context.Context) ([]netstate.Route, error)
	// SourceAddr is the local address the kernel would send from to reach
	// dst; nothing is sent.
	SourceAddr(ctx context.Context, dst netip.Addr) (netip.Addr, error)
	// Processes lists the running processes. A run reads them at most once
	// and hands that reading to every check (Env.processes).
	Processes(ctx context.Context) (host.Processes, error)
	// TailscaleExitNode asks Tailscale whether it sends all traffic through
	// an exit node.
	TailscaleExitNode(ctx context.Context) (netstate.TailscaleExitNode, error)
	// Resolver names the resolver in use and the servers it asks. It takes
	// the running processes from procs, and asks only where it needs them.
	Resolver(ctx context.Context, procs host.ProcessReader) (dnsconf.ResolverInfo, error)
	// TimeSync reads whether the OS time service keeps the clock in sync. It
	// takes the running processes from procs, and asks only where it needs
	// them.
	TimeSync(ctx context.Context, procs host.ProcessReader) (timesync.State, error)
	// ProxySettings reads this user's desktop or OS proxy settings (not the
	// environment's variables: Getenv).
	ProxySettings(ctx context.Context) ([]proxy.Setting, error)
	// Getenv reads a variable of this process's environment.
	Getenv(name string) string
	// Browsers finds the browsers of the person running the check, their
	// profiles and whether each runs, with an error for each that could
	// not be read; BrowserProfile reads one profile's extensions and own
	// network settings. Only a person's check calls them: the agent never
	// reads a profile.
	Browsers(ctx context.Context) ([]browser.Browser, []error)
	BrowserProfile(b browser.Browser, p browser.Profile) (BrowserProfile, []error)
}

// BrowserProfile is what the browser check reads of one profile.
type BrowserProfile struct {
	Extensions []browser.Extension
	Settings   browser.Settings
}

// systemHost is this machine, read through platform.
type systemHost struct{}

func (systemHost) Interfaces(ctx context.Context) ([]netstate.Interface, error) {
	return netstate.Interfaces(ctx)
}

func (systemHost) Routes(ctx context.Context) ([]netstate.Route, error) {
	return netstate.Routes(ctx)
}

func (systemHost) SourceAddr(ctx context.Context, dst netip.Addr) (netip.Addr, error) {
	return netstate.SourceAddr(ctx, dst)
}

func (systemHost) Processes(ctx context.Context) (host.Processes, error) {
	return host.ReadProcesses(ctx)
}

func (systemHost) TailscaleExitNode(ctx context.Context) (netstate.TailscaleExitNode, error) {
	return netstate.TailscaleStatus(ctx, platform.System)
}

func (systemHost) Resolver(ctx context.Context, procs host.ProcessReader) (dnsconf.ResolverInfo, error) {
	return dnsconf.Resolver(ctx, platform.System, procs)
}

func (systemHost) TimeSync(ctx context.Context, procs host.ProcessReader) (timesync.State, error) {
	return timesync.Read(ctx, platform.System, procs)
}

func (systemHost) ProxySettings(ctx context.Context) ([]proxy.Setting, error) {
	return proxy.Settings(ctx, platform.System)
}

func (systemHost) Getenv(name string) string { return os.Getenv(name) }

func (systemHost) Browsers(ctx context.Context) ([]browser.Browser, []error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, []error{err}
	}
	return browser.Discover(ctx, home)
}

func (systemHost) BrowserProfile(b browser.Browser, p browser.Profile) (BrowserProfile, []error) {
	exts, errs := b.Extensions(p)
	set, serrs := b.Settings(p)
	return BrowserProfile{Extensions: exts, Settings: set}, append(errs, serrs...)
}
