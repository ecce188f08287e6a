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

	"github.com/clearance-app/clearance/agent/config"
	"github.com/clearance-app/clearance/agent/finding"
	"github.com/clearance-app/clearance/agent/probe"
	"github.com/clearance-app/clearance/platform"
)

// networkCheck decides whether the machine is online at all, before any
// other check blames DNS or OpenAI. It reads the routing table, resolves the
// witness with the system resolver, fetches the witness and the
// captive-portal URL, all at once. "Offline" follows the design strictly:
// no default route, or nothing anywhere gets past TCP connect. Everything
// short of that (DNS failing, a login page, a witness refusing TLS) is
// reported as itself, so that the dependent checks still run.
var networkCheck = Check{
	Name:    "network",
	Timeout: func(c *config.Config) time.Duration { return c.Network.Timeout.D() },
	Run:     runNetwork,
}

// netRoutes reads the routing table. Tests replace it (restoring it with
// t.Cleanup): the real table of the test machine says nothing about the case.
var netRoutes = platform.Routes

// netOfflineBlock is the reason dependent checks are skipped.
const netOfflineBlock = "the machine is offline"

// netFirstPhase is the share of the check's time given to the probes that
// run at once; the rest is kept for the TCP connects that confirm "offline"
// when the witness fails.
const netFirstPhase = 0.6

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

// netOffline is the design's definition of offline, as a pure function:
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
	DNS      *dnsLookup // the witness host by the system resolver; nil for an IP literal
	Connects []netConnect
}

func runNetwork(ctx context.Context, env *Env) Result {
	cfg := env.Config
	obs := netObserve(ctx, env)
	return netJudge(env.Now(), cfg, obs)
}

// netObserve runs the measurements: routes, DNS, witness and portal at
// once; the TCP connects only when neither probe got past connect.
func netObserve(ctx context.Context, env *Env) netObservations {
	cfg := env.Config
	prober := env.Probe
	first, cancel := netPhase(ctx, cfg.Network.Timeout.D())
	defer cancel()
	var obs netObservations
	var wg group
	wg.Go(func() { obs.Routes = netReadRoutes(first) })
	wg.Go(func() { obs.Witness = prober.Do(first, probe.Request{URL: cfg.Network.Witness}) })
	wg.Go(func() { obs.Portal = prober.Do(first, probe.Request{URL: cfg.Network.CaptivePortal}) })
	if h := hostName(cfg.Network.Witness); h != "" && !isIPLiteral(h) {
		wg.Go(func() {
			l := dnsResolve(first, env.Lookup, h)
			obs.DNS = &l
		})
	}
	wg.Wait()
	if !obs.Witness.PastConnect() && !obs.Portal.PastConnect() && obs.Routes.State != netRoutesNone {
		obs.Connects = netConnectAll(ctx, env.Lookup, cfg.Endpoints.Hosts)
	}
	return obs
}

// netPhase bounds the first phase to a share of the time left.
func netPhase(ctx context.Context, fallback time.Duration) (context.Context, context.CancelFunc) {
	left := fallback
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	return context.WithTimeout(ctx, time.Duration(float64(left)*netFirstPhase))
}

func netReadRoutes(ctx context.Context) netRouteInfo {
	rs, err := netRoutes(ctx)
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

// netConnect is one plain TCP connect to an endpoint host.
type netConnect struct {
	Host      string
	Connected bool
	// Reached: the connect was attempted (the name resolved). A failure
	// before that is DNS, which does not count towards offline.
	Reached bool
	Detail  string
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
	var d net.Dialer
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a.String(), port))
		if err == nil {
			conn.Close()
			c.Connected, c.Detail = true, "connected"
			return c
		}
		c.Detail = netConnectError(err)
	}
	return c
}

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
	for _, c := range obs.Connects {
		in.PastConnect = in.PastConnect || c.Connected
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
	for _, c := range obs.Connects {
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
		cs := map[string]any{}
		for _, c := range obs.Connects {
			cs[c.Host] = c.Detail
		}
		d["endpoint_connects"] = cs
	}
	return d
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
	m := map[string]any{"host": l.Name, "ms": float64(l.Took.Microseconds()) / 1000, "answers": platform.AddrStrings(l.Addrs)}
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
