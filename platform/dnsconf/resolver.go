package dnsconf

import (
	"context"
	"strings"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// ResolverKind names the software that answers this machine's DNS queries
// or caches them on the way. The dns-flush fix picks its method from it.
type ResolverKind string

const (
	// ResolverSystemdResolved: glibc asks systemd-resolved (stub 127.0.0.53
	// or nss-resolve); flush with resolvectl or D-Bus FlushCaches.
	ResolverSystemdResolved ResolverKind = "systemd-resolved"
	// ResolverDnsmasq: a local dnsmasq (often started by NetworkManager);
	// SIGHUP clears its cache.
	ResolverDnsmasq ResolverKind = "dnsmasq"
	// ResolverUnbound: a local unbound; unbound-control flushes it.
	ResolverUnbound ResolverKind = "unbound"
	// ResolverNscd: the name service cache daemon caches host lookups in
	// front of glibc; nscd -i hosts invalidates it.
	ResolverNscd ResolverKind = "nscd"
	// ResolverLocal: some other DNS server on this machine answers
	// (a loopback name server we cannot name).
	ResolverLocal ResolverKind = "local"
	// ResolverUpstream: queries go straight to the configured servers; the
	// OS keeps no cache, so a flush has nothing to clear.
	ResolverUpstream ResolverKind = "upstream"
	// ResolverWindowsDNSClient: the Windows DNS Client service (Dnscache).
	ResolverWindowsDNSClient ResolverKind = "windows-dns-client"
	// ResolverMDNSResponder: macOS's system resolver and cache.
	ResolverMDNSResponder ResolverKind = "mDNSResponder"
)

// Name names, for a person, the software that answers or caches queries:
// "systemd-resolved", "Windows DNS Client". It is "" where there is no
// software to name (queries go to the network's servers, or to a local
// server Clearance cannot name): the check and the fixes word those
// themselves.
func (k ResolverKind) Name() string {
	switch k {
	case ResolverWindowsDNSClient:
		return "Windows DNS Client"
	case ResolverUpstream, ResolverLocal:
		return ""
	}
	return string(k)
}

// ResolverInfo says which resolver this machine uses.
type ResolverInfo struct {
	// Kind is what answers the system's queries first.
	Kind ResolverKind
	// Caches are the OS-level caches a query meets, in order (nscd before
	// systemd-resolved, for example). Empty means the OS caches nothing and
	// a DNS flush is a no-op.
	Caches []ResolverKind
	// Servers are the name servers the system is configured with, as the
	// OS reports them (for systemd-resolved in stub mode: 127.0.0.53).
	Servers []string
	// Owner is what writes the resolver configuration, when it says so
	// ("systemd-resolved", "NetworkManager", "resolvconf").
	Owner string
	// Running is whether the resolver's service or process runs; nil when
	// that could not be learnt.
	Running *bool
	// Detail is a one-line account for the report.
	Detail string
}

// Resolver detects the resolver in use. It only reads (files, service state,
// process names); it never sends a query or activates a service. The
// process names come from procs, asked only where the decision needs them
// (Linux), so that a caller can share one reading among all who need it.
// Per OS: resolver_linux.go etc.
func Resolver(ctx context.Context, run platform.Runner, procs host.ProcessReader) (ResolverInfo, error) {
	return resolver(ctx, run, procs)
}

// Servers lists the DNS servers this machine is configured with and, where
// a resolver on this machine names only itself (systemd-resolved's stub),
// the servers it asks, which the network gave. It reads a file or two, or
// asks the OS once: cheaper than Resolver, which also looks for the
// software that answers. Per OS: resolver_linux.go etc.
func Servers(ctx context.Context) ([]string, error) { return servers(ctx) }

// Data renders the info for a check's data, with stable keys.
func (r ResolverInfo) Data() map[string]any {
	caches := make([]string, len(r.Caches))
	for i, c := range r.Caches {
		caches[i] = string(c)
	}
	servers := r.Servers
	if servers == nil {
		servers = []string{}
	}
	m := map[string]any{"kind": string(r.Kind), "caches": caches, "servers": servers, "detail": r.Detail}
	if r.Owner != "" {
		m["owner"] = r.Owner
	}
	if r.Running != nil {
		m["running"] = *r.Running
	}
	return m
}

// describeResolver writes the one-line Detail from the other fields.
func describeResolver(r ResolverInfo) string {
	var b strings.Builder
	switch r.Kind {
	case ResolverSystemdResolved:
		b.WriteString("systemd-resolved answers and caches DNS")
	case ResolverDnsmasq:
		b.WriteString("a local dnsmasq answers and caches DNS")
	case ResolverUnbound:
		b.WriteString("a local unbound answers and caches DNS")
	case ResolverNscd:
		b.WriteString("nscd caches host lookups in front of the name servers")
	case ResolverLocal:
		b.WriteString("a DNS server on this machine answers")
	case ResolverUpstream:
		b.WriteString("queries go straight to the name servers; the system keeps no DNS cache")
	case ResolverWindowsDNSClient:
		b.WriteString("the Windows DNS Client service answers and caches DNS")
	case ResolverMDNSResponder:
		b.WriteString("mDNSResponder answers and caches DNS")
	default:
		b.WriteString("the resolver could not be identified")
	}
	if r.Running != nil && !*r.Running {
		b.WriteString(", but it is not running")
	}
	if len(r.Servers) > 0 {
		b.WriteString(" (servers: " + strings.Join(r.Servers, ", ") + ")")
	}
	return b.String()
}
