package check

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/agent/diag/statefile"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/wallclock"
)

// NewEnv returns an environment that reaches the real network through the
// system resolver and roots, and reads this machine. Its TLS sessions are
// kept in memory, for the life of the process (the agent, the tray): root
// never reads them from a file. A one-shot run keeps them in a file of
// the person's (UseUserSessions).
func NewEnv(cfg *config.Config, log *slog.Logger) Env {
	resolver := dnsconf.SystemResolver()
	return Env{
		Config:  cfg,
		Log:     log,
		Now:     wallclock.Now,
		Probe:   &probe.Prober{Resolver: resolver, Sessions: &probe.SessionCache{}},
		Network: networkID,
		Lookup:  resolver,
		// One client for the life of the process: it remembers answers and
		// rate limits, so no server is asked more than once per 64 s.
		NTP:   &ntpq.Client{Resolver: resolver, Store: ntpq.UserStore(), SystemTime: wallclock.Now},
		Addrs: UserAddrMemory(),
		Host:  systemHost{},
	}
}

// UseUserSessions gives a one-shot run (`clearance check`) the TLS
// session memory of the person's last run: a private file in the user's
// cache directory, beside the NTP memory, loaded now and saved by
// Env.Close, used only on the network it was made on (networkName). The
// network is named once, here, for the file and for the run. In this
// process only when the user has no cache directory or the network cannot
// be told.
func (e *Env) UseUserSessions(ctx context.Context) {
	network := networkID(ctx)
	e.Network = func(context.Context) string { return network }
	path := statefile.UserPath("tls-sessions.json")
	if path == "" {
		e.Probe.Sessions = &probe.SessionCache{}
		return
	}
	e.Probe.Sessions = &probe.SessionCache{Path: path, Network: network}
	e.Probe.Sessions.Load()
}

// networkID names the network this machine is on now; "" when its routes
// cannot be read.
func networkID(ctx context.Context) string {
	routes, err := netstate.Routes(ctx)
	if err != nil {
		return ""
	}
	servers, _ := dnsconf.Servers(ctx) // without them, the routes alone
	return networkName(routes, servers)
}

// networkName is a short name for the network that the default routes
// (the halves of a split one too, as a VPN installs them), their
// interfaces and gateways, and the DNS servers describe. These change when
// the machine joins another network or a VPN comes up, and cost a file or
// a system call to read (netstat on macOS), where the network's own name
// (an SSID, the gateway's MAC address) would take a tool per OS. Two
// networks alike in all of them, such as two home routers with the same
// defaults, look alike: there a session made on the other is offered,
// which tells an observer this machine was seen before, and proves
// nothing to a server that did not issue it. Routes in a table of their
// own (Tailscale's exit node on Linux) go unseen. "" for a machine with no
// default route and no DNS server: offline, nothing to tell apart.
func networkName(routes []netstate.Route, servers []string) string {
	var lines []string
	for _, r := range routes {
		if r.IsDefault() || r.IsSplitDefault() {
			lines = append(lines, "route "+r.Destination.String()+" "+r.Interface+" "+r.Gateway.String())
		}
	}
	for _, s := range servers {
		lines = append(lines, "dns "+s)
	}
	if len(lines) == 0 {
		return ""
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:16])
}

// fillDefaults gives an Env built by hand (tests, callers that set only
// what they need) everything a check may use, so that checks never need
// fallbacks of their own.
func (e *Env) fillDefaults() {
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	// One resolver for the checks and the probes: the run's shared
	// lookups (package lookup) are kept per resolver.
	var system *net.Resolver
	if e.Lookup == nil || e.Probe == nil {
		system = dnsconf.SystemResolver()
	}
	if e.Lookup == nil {
		e.Lookup = system
	}
	if e.Probe == nil {
		e.Probe = &probe.Prober{Resolver: system}
	}
	if e.NTP == nil {
		// Each run then asks each server once, and remembers nothing.
		e.NTP = &ntpq.Client{}
	}
	if e.Host == nil {
		e.Host = systemHost{}
	}
}

// Close releases the environment's idle connections, and keeps its TLS
// sessions for the next run where they have a file (UseUserSessions): a
// session that cannot be kept costs the next run a full handshake, never
// this one.
func (e *Env) Close() {
	if e.Probe == nil {
		return
	}
	e.Probe.Close()
	if err := e.Probe.Sessions.Save(); err != nil && e.Log != nil {
		e.Log.Debug("tls sessions not kept for the next run", "err", err)
	}
}

// Forget makes the next run start afresh after a network change, a clock
// step or a resume: no connection opened before it, no TLS session made
// before it, and no network fact read before it (NetworkFacts) is used
// again.
func (e *Env) Forget() {
	if e.Probe != nil {
		e.Probe.Reset()
	}
	if n, ok := e.Host.(*NetworkFacts); ok {
		n.Forget()
	}
}
