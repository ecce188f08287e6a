package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
)

// networkCheck decides whether the machine is online at all, before any
// other check blames DNS or OpenAI. It reads the routing table, resolves the
// witness with the system resolver, fetches the witness and the
// captive-portal URL, all at once. "Offline" is strict (docs/contracts.md):
// no default route, or nothing anywhere gets past TCP connect. Everything
// short of that (DNS failing, a login page, a witness refusing TLS) is
// reported as itself, so that the dependent checks still run.
var networkCheck = Check{
	Name:    "network",
	Timeout: func(c *config.Config) time.Duration { return c.Network.Timeout.D() },
	Run:     runNetwork,
}

// netOfflineBlock is the reason dependent checks are skipped.
const netOfflineBlock = "the machine is offline"

// netFirstPhaseShare is the share of the check's time the probes have to
// themselves; after it, while nothing has got past a connect, the TCP
// connects that decide "offline" run beside them.
const netFirstPhaseShare = 0.6

// netRouteState is what the routing table says about a way out.
type netRouteState int

const (
	netRoutesUnknown netRouteState = iota // no routing table on this OS, or it could not be read
	netRoutesPresent                      // a default or split-default route, IPv4 or IPv6
	netRoutesNone                         // the table was read and has no way out
)

type netRouteInfo struct {
	State      netRouteState
	Interfaces []string // of the default routes
	Err        error
}

// netOfflineInputs are the facts the offline decision rests on.
type netOfflineInputs struct {
	Routes netRouteState
	// PastConnect: some probe or TCP connect got past connect, which proves
	// the machine reaches something.
	PastConnect bool
	// ConnectFailed: some attempt reached the TCP connect and failed there.
	// Without it every failure was DNS, which is not offline by itself.
	ConnectFailed bool
}

// Reasons for offline, as written in evidence.why.
const (
	netWhyNoRoute = "no default route"
	netWhyNothing = "nothing answered"
)

// netOffline is the definition of offline, as a pure function:
// no default route (IPv4 nor IPv6), or no probe to any host got past TCP
// connect. A machine whose every lookup failed is not offline: the dns
// check reports that. A probe that got through outranks the routing table:
// policy routing (wg-quick's full tunnel) keeps the default route in a
// table of its own, invisible in the main table that is read here.
func netOffline(in netOfflineInputs) (bool, string) {
	switch {
	case in.PastConnect:
		return false, ""
	case in.Routes == netRoutesNone:
		return true, netWhyNoRoute
	case in.ConnectFailed:
		return true, netWhyNothing
	}
	return false, ""
}

// Verdicts of the captive-portal probe.
const (
	netPortalNone       = "none"       // the expected 204
	netPortalFound      = "portal"     // a redirect or a login page
	netPortalNoAnswer   = "no-answer"  // the probe failed; nothing can be said
	netPortalUnexpected = "unexpected" // an answer that is neither; not called a portal
)

type netCaptive struct {
	Verdict  string
	Status   int
	Location string // where the person logs in, for a portal
}

// netJudgeCaptive reads the captive-portal probe. The URL answers 204 when
// nothing intercepts plain HTTP; a portal redirects elsewhere, answers 511
// (RFC 6585), or serves its login page with a 200.
func netJudgeCaptive(probeURL string, r *probe.Response) netCaptive {
	if r == nil || r.Err != nil {
		return netCaptive{Verdict: netPortalNoAnswer}
	}
	c := netCaptive{Verdict: netPortalUnexpected, Status: r.Status}
	switch {
	case r.Status == http.StatusNoContent:
		c.Verdict = netPortalNone
	case r.Status >= 300 && r.Status < 400:
		loc := netResolveLocation(probeURL, r.Header.Get("Location"))
		// A redirect to the probe's own host is an HTTPS upgrade by a
		// middlebox, not a login page.
		if loc != "" && hostName(loc) != hostName(probeURL) {
			c.Verdict, c.Location = netPortalFound, loc
		}
	case r.Status == http.StatusNetworkAuthenticationRequired:
		c.Verdict, c.Location = netPortalFound, probeURL
		if loc := netResolveLocation(probeURL, r.Header.Get("Location")); loc != "" {
			c.Location = loc
		}
	case r.Status == http.StatusOK && netLooksHTML(r):
		// The login page is served in place: opening the probe URL in a
		// browser shows it.
		c.Verdict, c.Location = netPortalFound, probeURL
	}
	return c
}

func netLooksHTML(r *probe.Response) bool {
	if strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "text/html") {
		return true
	}
	body := strings.ToLower(strings.TrimSpace(string(r.Body)))
	return strings.HasPrefix(body, "<!doctype html") || strings.Contains(body, "<html")
}

func netResolveLocation(base, loc string) string {
	if loc == "" {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return loc
	}
	l, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return b.ResolveReference(l).String()
}

// netObservations is everything measured in one run.
type netObservations struct {
	Routes   netRouteInfo
	Witness  *probe.Response
	Portal   *probe.Response
	DNS      *dnsLookup   // the witness host by the system resolver; nil for an IP literal
	Connects []netConnect // to the endpoint hosts by name
	// ByAddress are connects to addresses, made when no name resolved in
	// time: only they can tell a dead resolver from a dead uplink.
	ByAddress []netConnect
}

func runNetwork(ctx context.Context, env *Env) Result {
	cfg := env.Config
	obs := netObserve(ctx, env)
	rememberAddr(env, cfg.Network.Witness, obs.Witness)
	return netJudge(env.Now(), cfg, obs)
}

// rememberAddr keeps the address a probe reached its host at, for the
// connects by address of a later run.
func rememberAddr(env *Env, rawURL string, r *probe.Response) {
	if r != nil && r.Reached() && !r.AtProxy {
		env.Addrs.Remember(hostLabel(rawURL), r.RemoteAddr, env.Now())
	}
}

// netObserve runs the measurements. The routes, the witness, the portal
// and the witness's name are looked at together, each for as long as the
// check lasts (the name for as long as the dns check would wait): a slow
// answer is not a failure. If nothing has got past a TCP connect when the
// first phase ends, TCP connects start beside them to decide "offline":
// to the endpoint hosts by name, and, when the names are not resolving in
// time, to addresses.
func netObserve(ctx context.Context, env *Env) netObservations {
	cfg := env.Config
	var obs netObservations
	var wg group
	routed := make(chan struct{})
	wg.Go(func() { defer close(routed); obs.Routes = netReadRoutes(ctx, env.Host) })

	var (
		probes          group
		probed          = make(chan struct{})
		witness, portal *probe.Response
	)
	probes.Go(func() { witness = env.Probe.Do(ctx, probe.Request{URL: cfg.Network.Witness}) })
	probes.Go(func() { portal = env.Probe.Do(ctx, probe.Request{URL: cfg.Network.CaptivePortal}) })
	wg.Go(func() { defer close(probed); probes.Wait() })

	var resolved chan struct{} // closed once obs.DNS is set; nil for an IP literal
	if h := hostName(cfg.Network.Witness); h != "" && !isIPLiteral(h) {
		resolved = make(chan struct{})
		wg.Go(func() {
			defer close(resolved)
			dctx, cancel := context.WithTimeout(ctx, cfg.DNS.Timeout.D())
			defer cancel()
			l := dnsResolve(dctx, env.Lookup, h)
			obs.DNS = &l
		})
	}

	phase := time.NewTimer(netFirstPhase(ctx, cfg.Network.Timeout.D()))
	defer phase.Stop()
	pastConnect := false
	select {
	case <-probed:
		pastConnect = witness.PastConnect() || portal.PastConnect()
	case <-phase.C:
	case <-ctx.Done():
	}
	<-routed
	if !pastConnect && obs.Routes.State != netRoutesNone && ctx.Err() == nil {
		wg.Go(func() { obs.Connects = netConnectAll(ctx, env.Lookup, cfg.Endpoints.Hosts) })
		if netNamesStalled(resolved, &obs) {
			wg.Go(func() { obs.ByAddress = netConnectAddrs(ctx, netFallbackAddrs(ctx, env)) })
		}
	}
	wg.Wait()
	obs.Witness, obs.Portal = witness, portal
	return obs
}

// netNamesStalled reports whether the system resolver has failed to
// answer in time so far: the witness's lookup is still out, or ran out of
// time. Then the connects by name wait on the same resolver, and only
// addresses can tell whether the uplink works. A resolver that answers,
// even "no such name", is alive.
func netNamesStalled(resolved <-chan struct{}, obs *netObservations) bool {
	if resolved == nil {
		return false // the witness is an address: no name to wait for
	}
	select {
	case <-resolved:
		return obs.DNS.Kind == dnsTimeout
	default:
		return true
	}
}

// netFirstPhase is the wait, a share of the time left, before the
// connects that decide "offline" start beside the probes still running.
func netFirstPhase(ctx context.Context, fallback time.Duration) time.Duration {
	left := fallback
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	return time.Duration(float64(left) * netFirstPhaseShare)
}

func netReadRoutes(ctx context.Context, h Host) netRouteInfo {
	rs, err := h.Routes(ctx)
	if err != nil {
		return netRouteInfo{State: netRoutesUnknown, Err: err}
	}
	info := netRouteInfo{State: netRoutesNone}
	for _, r := range rs {
		if r.IsDefault() || r.IsSplitDefault() {
			info.State = netRoutesPresent
			if r.Interface != "" && !slices.Contains(info.Interfaces, r.Interface) {
				info.Interfaces = append(info.Interfaces, r.Interface)
			}
		}
	}
	slices.Sort(info.Interfaces)
	return info
}

// netConnect is one plain TCP connect, to a host by name or to an address.
type netConnect struct {
	Host      string // host[:port], or ip:port
	Connected bool
	// Reached: the connect was attempted (the name resolved). A failure
	// before that is DNS, which does not count towards offline.
	Reached bool
	// Local: the address is on this side of the uplink (a home router, a
	// LAN resolver), so an answer from it proves nothing beyond.
	Local  bool
	Detail string
}

// netConnectAll connects to each host's HTTPS port at once. It only opens
// and closes a TCP connection: enough to tell "offline" from "the witness
// is down or blocked".
func netConnectAll(ctx context.Context, r Resolver, urls []string) []netConnect {
	return concurrently(urls, func(u string) netConnect { return netConnectOne(ctx, r, u) })
}

func netConnectOne(ctx context.Context, r Resolver, rawURL string) netConnect {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return netConnect{Host: rawURL, Detail: "not a URL"}
	}
	c := netConnect{Host: u.Host}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	addrs, err := netAddrsOf(ctx, r, u.Hostname())
	if err != nil {
		c.Detail = "name did not resolve: " + dnsKindWords(dnsErrorKind(err))
		return c
	}
	c.Reached = true
	for _, a := range addrs {
		if c.Connected, c.Detail = netDial(ctx, net.JoinHostPort(a.String(), port)); c.Connected {
			return c
		}
	}
	return c
}

// netDial opens and closes one TCP connection, and says how it went.
func netDial(ctx context.Context, addr string) (bool, string) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false, netConnectError(err)
	}
	conn.Close()
	return true, "connected"
}

// netConnectAddrs connects to every address at once.
func netConnectAddrs(ctx context.Context, addrs []netip.AddrPort) []netConnect {
	return concurrently(addrs, func(a netip.AddrPort) netConnect {
		c := netConnect{Host: a.String(), Reached: true, Local: netLocalAddr(a.Addr())}
		c.Connected, c.Detail = netDial(ctx, c.Host)
		return c
	})
}

// netCGNAT is the carrier-grade NAT range (RFC 6598): a provider's inner
// network, short of the internet.
var netCGNAT = netip.MustParsePrefix("100.64.0.0/10")

// netLocalAddr reports whether an address is reached without the uplink:
// private, link-local, carrier-grade NAT or unique-local. The home router
// that is also the resolver answers from such an address while its own
// link to the internet is down. (Loopback is never tried unless the
// configuration names it — a probed host or an uplink address on this
// machine — and is then taken as asked.)
func netLocalAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLinkLocalUnicast() || netCGNAT.Contains(a)
}

// netFallbackAddrs are the addresses tried when no name resolves: where
// the probed hosts last answered, the resolver's own servers (on the DNS
// port; a resolver on this machine proves nothing about the uplink), then
// the configured public ones.
func netFallbackAddrs(ctx context.Context, env *Env) []netip.AddrPort {
	out := env.Addrs.Recall(netRecalled, env.Now())
	if info, err := env.Host.Resolver(ctx, env.processes); err == nil {
		for _, s := range info.Servers {
			if a, err := netip.ParseAddr(s); err == nil && !a.IsLoopback() && !a.IsUnspecified() {
				out = append(out, netip.AddrPortFrom(a.Unmap().WithZone(""), 53))
			}
		}
	}
	for _, s := range env.Config.Network.UplinkAddresses {
		if a, err := netip.ParseAddrPort(s); err == nil {
			out = append(out, a)
		}
	}
	var unique []netip.AddrPort
	for _, a := range out {
		if !slices.Contains(unique, a) {
			unique = append(unique, a)
		}
	}
	return unique
}

// netRecalled is how many remembered addresses are tried: a few hosts
// behind one anycast network answer alike.
const netRecalled = 4

// netAddrsOf returns the host's addresses (itself for an IP literal).
func netAddrsOf(ctx context.Context, r Resolver, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	l := dnsResolve(ctx, r, host)
	if l.Err != nil {
		return nil, l.Err
	}
	if len(l.Addrs) == 0 {
		return nil, &net.DNSError{Err: "no address", Name: host, IsNotFound: true}
	}
	return l.Addrs, nil
}

func netConnectError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case strings.Contains(err.Error(), "refused"):
		return "refused"
	case strings.Contains(err.Error(), "unreachable"):
		return "unreachable"
	}
	return err.Error()
}

// netJudge turns the observations into the result.
func netJudge(now time.Time, cfg *config.Config, obs netObservations) Result {
	captive := netJudgeCaptive(cfg.Network.CaptivePortal, obs.Portal)
	in := netOfflineInputs{Routes: obs.Routes.State}
	for _, r := range []*probe.Response{obs.Witness, obs.Portal} {
		in.PastConnect = in.PastConnect || r.PastConnect()
		in.ConnectFailed = in.ConnectFailed || (r.Err != nil && r.Stage == probe.StageConnect)
	}
	for _, c := range slices.Concat(obs.Connects, obs.ByAddress) {
		in.PastConnect = in.PastConnect || (c.Connected && !c.Local)
		in.ConnectFailed = in.ConnectFailed || (c.Reached && !c.Connected)
	}
	offline, why := netOffline(in)

	res := Result{Data: netData(cfg, obs, captive)}
	switch {
	case offline:
		ev := map[string]any{"why": why, "default_route": res.Data["default_route"]}
		if why == netWhyNothing {
			ev["tried"] = netTried(cfg, obs)
		}
		res.Findings = []finding.Finding{finding.NetworkOffline.New(now, ev)}
		res.Blocks = netOfflineBlock
		res.Status = Fail
		res.Data["offline_reason"] = why
	case captive.Verdict == netPortalFound:
		res.Findings = []finding.Finding{finding.CaptivePortal.New(now, map[string]any{
			"location": captive.Location, "status": captive.Status, "probe": cfg.Network.CaptivePortal,
		})}
		res.Status = Warn
	case !obs.Witness.Reached() || (obs.DNS != nil && obs.DNS.Kind != ""):
		// Online, yet something is off; no finding of its own (the dns and
		// endpoints checks judge), but not a plain pass either.
		res.Status = Warn
	default:
		res.Status = Pass
	}
	res.Summary = netSummary(cfg, obs, captive, offline, why)
	return res
}

// netTried lists what was tried before concluding "nothing answered".
func netTried(cfg *config.Config, obs netObservations) []string {
	tried := []string{cfg.Network.Witness, cfg.Network.CaptivePortal}
	for _, c := range slices.Concat(obs.Connects, obs.ByAddress) {
		tried = append(tried, "tcp://"+c.Host)
	}
	return tried
}

func netData(cfg *config.Config, obs netObservations, captive netCaptive) map[string]any {
	w := obs.Witness
	witness := map[string]any{"url": cfg.Network.Witness, "reachable": w.Reached(), "timings": w.Timings.Millis()}
	if w.Err == nil {
		witness["status"] = w.Status
	} else {
		witness["failed_at"] = string(w.Stage)
		witness["error"] = w.Err.Error()
	}
	if w.RemoteAddr != "" {
		witness["remote"] = w.RemoteAddr
	}
	portal := map[string]any{"url": cfg.Network.CaptivePortal, "verdict": captive.Verdict}
	if captive.Status != 0 {
		portal["status"] = captive.Status
	}
	if captive.Location != "" {
		portal["location"] = captive.Location
	}
	if obs.Portal.Err != nil {
		portal["error"] = obs.Portal.Err.Error()
	}
	d := map[string]any{
		"witness_reachable": w.Reached(),
		"witness":           witness,
		"captive_portal":    portal,
		"default_route":     netRouteWords(obs.Routes),
		"system_dns":        netDNSData(obs.DNS),
	}
	if obs.Routes.State == netRoutesPresent {
		d["default_route_interfaces"] = obs.Routes.Interfaces
	}
	if len(obs.Connects) > 0 {
		d["endpoint_connects"] = netConnectData(obs.Connects)
	}
	if len(obs.ByAddress) > 0 {
		d["address_connects"] = netConnectData(obs.ByAddress)
		d["answered_by_address"] = netAnswered(obs.ByAddress)
	}
	return d
}

func netConnectData(cs []netConnect) map[string]any {
	m := map[string]any{}
	for _, c := range cs {
		m[c.Host] = c.Detail
	}
	return m
}

// netAddrList names the addresses tried, for a summary.
func netAddrList(cs []netConnect) string {
	hosts := make([]string, len(cs))
	for i, c := range cs {
		hosts[i] = c.Host
	}
	return strings.Join(hosts, ", ")
}

// netAnswered lists the connects that got through to beyond the uplink.
func netAnswered(cs []netConnect) []string {
	out := []string{}
	for _, c := range cs {
		if c.Connected && !c.Local {
			out = append(out, c.Host)
		}
	}
	return out
}

func netRouteWords(r netRouteInfo) string {
	switch {
	case r.State == netRoutesPresent:
		return "present"
	case r.State == netRoutesNone:
		return "none"
	case errors.Is(r.Err, platform.ErrNotSupported):
		return "unknown on this OS"
	case r.Err != nil:
		return "unknown: " + r.Err.Error()
	}
	return "unknown"
}

func netDNSData(l *dnsLookup) map[string]any {
	if l == nil {
		return map[string]any{"detail": "not needed: the witness is an IP address"}
	}
	m := map[string]any{"host": l.Name, "ms": float64(l.Took.Microseconds()) / 1000, "answers": dnsconf.AddrStrings(l.Addrs)}
	if l.Kind != "" {
		m["error"] = l.Kind
		m["detail"] = "system DNS does not answer: " + dnsKindWords(l.Kind)
	}
	return m
}

// netSummary is one line for a person.
func netSummary(cfg *config.Config, obs netObservations, captive netCaptive, offline bool, why string) string {
	witness := hostName(cfg.Network.Witness)
	switch {
	case offline && why == netWhyNoRoute:
		return "offline: there is no default route (no network connection)"
	case offline && len(obs.ByAddress) > 0:
		return "offline: nothing answered — no name resolved in time, and " + netAddrList(obs.ByAddress) + " did not accept a connection either"
	case offline:
		return "offline: nothing answered — " + witness + " and the OpenAI hosts did not accept a connection"
	}
	var parts []string
	if captive.Verdict == netPortalFound {
		parts = append(parts, "a network login page intercepts web traffic ("+captive.Location+")")
	}
	if obs.Witness.Reached() {
		parts = append(parts, "online: "+witness+" answers")
	} else {
		parts = append(parts, fmt.Sprintf("%s cannot be reached (%s)", witness, probe.Classify(obs.Witness).Reason))
	}
	if obs.DNS != nil && obs.DNS.Kind != "" {
		parts = append(parts, "system DNS cannot resolve "+witness+" ("+dnsKindWords(obs.DNS.Kind)+")")
	}
	if answered := netAnswered(obs.ByAddress); len(answered) > 0 {
		parts = append(parts, "the network itself works ("+strings.Join(answered, ", ")+" answered by address)")
	}
	switch obs.Routes.State {
	case netRoutesPresent:
		if len(obs.Routes.Interfaces) > 0 {
			parts = append(parts, "default route via "+strings.Join(obs.Routes.Interfaces, ", "))
		}
	case netRoutesUnknown:
		parts = append(parts, "default route: "+netRouteWords(obs.Routes))
	}
	// Summaries start lower-case: the first word may be a host name.
	return strings.Join(parts, "; ")
}
