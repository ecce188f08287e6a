package check

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/lookup"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
)

// dnsCheck resolves the probed OpenAI names with the system resolver and
// judges the answers: failures, sinkholes, and the fake IPs of proxy and
// VPN clients (evidence for the vpn and proxy checks, not a problem). It
// also names the resolver in use, which the dns-flush fix depends on.
var dnsCheck = Check{
	Name:    "dns",
	Needs:   []string{"network"},
	Timeout: func(c *config.Config) time.Duration { return c.DNS.Timeout.D() },
	Run:     runDNS,
}

// The sinkhole ranges (docs/contracts.md): answers that send a name nowhere useful, as
// ad blockers, parental controls and company filters do.
var dnsSinkholeRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
}

// The fake-IP ranges that proxy and VPN clients (Clash, Surge, Zscaler,
// WARP, Tailscale) answer with before tunnelling the connection: a sign
// of such a client, never a sinkhole. The vpn check reads them too.
var fakeIPRanges = []netip.Prefix{
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// Kinds of lookup failure, as written in data and evidence.
const (
	dnsNotFound    = "not-found"   // NXDOMAIN, or the name has no address (Go does not tell these apart)
	dnsServFail    = "servfail"    // the resolver answered SERVFAIL
	dnsTimeout     = "timeout"     // no answer in time
	dnsNoAnswer    = "no-answer"   // success without a single address
	dnsUnreachable = "unreachable" // the DNS server could not be reached at all
	dnsOther       = "error"       // anything else, such as a refused query
)

// dnsLookup is one name's resolution.
type dnsLookup struct {
	Name  string
	Addrs []netip.Addr
	Err   error
	Kind  string // "" when answered
	Took  time.Duration
}

func runDNS(ctx context.Context, env *Env) Result {
	names := dnsProbedNames(env.Config)
	var (
		wg      group
		info    dnsconf.ResolverInfo
		infoErr error
	)
	wg.Go(func() { info, infoErr = env.Host.Resolver(ctx, env.processes) })
	lookups := dnsLookupAll(ctx, env.Lookup, names)
	wg.Wait()
	res := dnsJudge(env.Now(), lookups, info, infoErr)
	dnsAddUplink(env, res.Findings)
	return res
}

// dnsAddUplink tells, in a dns-failure's evidence, which addresses the
// network check reached directly while names did not resolve: the proof
// that the network works and the resolver is what fails.
func dnsAddUplink(env *Env, fs []finding.Finding) {
	net, ok := env.Dep("network")
	if !ok {
		return
	}
	answered, _ := net.Data["answered_by_address"].([]string)
	if len(answered) == 0 {
		return
	}
	for i := range fs {
		if fs[i].Code == finding.DNSFailure.Code {
			fs[i].Evidence["answered_by_address"] = answered
		}
	}
}

// dnsProbedNames are the host names of the probed URLs, in configured order,
// without duplicates or IP literals (those need no DNS).
func dnsProbedNames(cfg *config.Config) []string {
	var names []string
	for _, u := range append(slices.Clone(cfg.Endpoints.Hosts), cfg.Endpoints.Trace) {
		h := hostName(u)
		if h == "" || isIPLiteral(h) || slices.Contains(names, h) {
			continue
		}
		names = append(names, h)
	}
	return names
}

// dnsLookupAll resolves every name concurrently; results keep the order of names.
func dnsLookupAll(ctx context.Context, r Resolver, names []string) []dnsLookup {
	return concurrently(names, func(name string) dnsLookup { return dnsResolve(ctx, r, name) })
}

func dnsResolve(ctx context.Context, r Resolver, name string) dnsLookup {
	a := timedLookup(ctx, r, name)
	l := dnsLookup{Name: name, Err: a.Err, Took: a.Took}
	for _, ip := range a.Addrs {
		if a, ok := netip.AddrFromSlice(ip.IP); ok {
			l.Addrs = append(l.Addrs, a.Unmap())
		}
	}
	switch {
	case l.Err != nil:
		l.Kind = dnsErrorKind(l.Err)
	case len(l.Addrs) == 0:
		l.Kind = dnsNoAnswer
	}
	return l
}

// timedLookup resolves name and says how long the lookup took. A lookup
// shared in the run reports its own duration, not this caller's wait for
// it (none at all when another check asked first).
func timedLookup(ctx context.Context, r Resolver, name string) lookup.Answer {
	if m, ok := r.(*lookup.Memo); ok {
		return m.Lookup(ctx, name)
	}
	start := time.Now()
	addrs, err := r.LookupIPAddr(ctx, name)
	return lookup.Answer{Addrs: addrs, Err: err, Took: time.Since(start)}
}

// dnsErrorKind tells the failures apart. Go reports SERVFAIL only by its
// text, "server misbehaving".
func dnsErrorKind(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return dnsNotFound
		case de.IsTimeout:
			return dnsTimeout
		case de.Err == "server misbehaving":
			return dnsServFail
		case dnsServerUnreachable(de.Err):
			return dnsUnreachable
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return dnsTimeout
	}
	return dnsOther
}

// dnsServerUnreachable reads the socket error Go puts in DNSError.Err as
// text only (UnwrapErr stays nil for these).
func dnsServerUnreachable(msg string) bool {
	for _, s := range []string{"connection refused", "network is unreachable", "no route to host"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// dnsInRanges returns the addresses that fall in one of the ranges.
func dnsInRanges(addrs []netip.Addr, ranges []netip.Prefix) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		for _, p := range ranges {
			if p.Contains(a) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// dnsJudge turns the lookups into findings, data and a summary.
func dnsJudge(now time.Time, lookups []dnsLookup, info dnsconf.ResolverInfo, infoErr error) Result {
	failed := map[string]any{}
	sinkholed := map[string]any{}
	fake := map[string]any{}
	var failNames, sinkNames, fakeNames []string
	data := make([]map[string]any, 0, len(lookups))
	for _, l := range lookups {
		data = append(data, dnsLookupData(l))
		if l.Kind != "" {
			failed[l.Name] = l.Kind
			failNames = append(failNames, l.Name)
			continue
		}
		if s := dnsInRanges(l.Addrs, dnsSinkholeRanges); len(s) > 0 {
			sinkholed[l.Name] = dnsconf.AddrStrings(s)
			sinkNames = append(sinkNames, l.Name)
		}
		if f := dnsInRanges(l.Addrs, fakeIPRanges); len(f) > 0 {
			fake[l.Name] = dnsconf.AddrStrings(f)
			fakeNames = append(fakeNames, l.Name)
		}
	}

	res := Result{Data: map[string]any{"lookups": data, "resolver": dnsResolverData(info, infoErr)}}
	if len(fake) > 0 {
		res.Data["fake_ip"] = fake
	}
	if len(failNames) > 0 {
		res.Findings = append(res.Findings, finding.DNSFailure.New(now, map[string]any{
			"names": failNames, "errors": failed, "resolver": string(info.Kind),
		}))
	}
	if len(sinkNames) > 0 {
		res.Findings = append(res.Findings, finding.DNSSinkhole.New(now, map[string]any{
			"names": sinkNames, "answers": sinkholed, "resolver": string(info.Kind),
		}))
	}
	res.Status = statusOf(res.Findings)
	res.Summary = dnsSummary(lookups, failNames, failed, sinkNames, fakeNames, info, infoErr)
	return res
}

func dnsLookupData(l dnsLookup) map[string]any {
	m := map[string]any{
		"name":      l.Name,
		"addresses": dnsconf.AddrStrings(l.Addrs),
		"ms":        float64(l.Took.Microseconds()) / 1000,
	}
	if l.Kind != "" {
		m["error"] = l.Kind
	}
	if l.Err != nil {
		m["detail"] = l.Err.Error()
	}
	return m
}

// dnsResolverData reports the resolver, or why it is unknown.
func dnsResolverData(info dnsconf.ResolverInfo, err error) map[string]any {
	switch {
	case errors.Is(err, platform.ErrNotSupported):
		return map[string]any{"detail": "resolver detection: not supported on this operating system yet"}
	case err != nil:
		return map[string]any{"detail": "the resolver could not be identified", "error": err.Error()}
	}
	return info.Data()
}

// dnsKindWords says a failure kind in plain words.
func dnsKindWords(kind string) string {
	switch kind {
	case dnsNotFound:
		return "no such name"
	case dnsServFail:
		return "the resolver failed"
	case dnsTimeout:
		return "no answer in time"
	case dnsNoAnswer:
		return "no address"
	case dnsUnreachable:
		return "the DNS server cannot be reached"
	}
	return "lookup error"
}

func dnsSummary(lookups []dnsLookup, failNames []string, failed map[string]any, sinkNames, fakeNames []string, info dnsconf.ResolverInfo, infoErr error) string {
	if len(lookups) == 0 {
		return "no host names to resolve (the probed hosts are IP addresses)"
	}
	var parts []string
	// Names failing the same way share one phrase, in the order probed.
	var kinds []string
	byKind := map[string][]string{}
	for _, n := range failNames {
		k := failed[n].(string)
		if byKind[k] == nil {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], n)
	}
	for _, k := range kinds {
		verb := "does not resolve"
		if len(byKind[k]) > 1 {
			verb = "do not resolve"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", strings.Join(byKind[k], ", "), verb, dnsKindWords(k)))
	}
	if len(sinkNames) > 0 {
		parts = append(parts, strings.Join(sinkNames, ", ")+" resolve to a blocked or private address")
	}
	if len(fakeNames) > 0 {
		parts = append(parts, strings.Join(fakeNames, ", ")+" resolve to fake IPs of a proxy or VPN client")
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d names resolve normally", len(lookups)))
	}
	s := strings.Join(parts, "; ")
	if infoErr == nil && info.Kind != "" {
		s += " (resolver: " + resolverWords(info.Kind) + ")"
	}
	return s
}

// resolverWords names the resolver for a person: the software's own name,
// as the fixes give it, or what kind of server it is.
func resolverWords(k dnsconf.ResolverKind) string {
	switch k {
	case dnsconf.ResolverUpstream:
		return "the network's DNS server, no local cache"
	case dnsconf.ResolverLocal:
		return "a local DNS server"
	}
	return cmp.Or(k.Name(), string(k))
}
