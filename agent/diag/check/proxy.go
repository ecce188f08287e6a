package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/platform/proxy"
)

// proxyCheck reports the proxies set for this user — in the environment and
// in the desktop or OS settings — and, when one carries ChatGPT's HTTPS
// traffic, compares chatgpt.com reached directly and through it: a
// difference between the two paths is the diagnosis. It needs nothing: a
// dead proxy is often why a machine looks offline. Credentials in proxy
// URLs are masked in everything it returns.
var proxyCheck = Check{
	Name:    "proxy",
	User:    true,
	Timeout: func(c *config.Config) time.Duration { return c.Network.Timeout.D() },
	Run:     runProxy,
}

// proxyMaxCompared bounds how many distinct proxies are probed through, to
// keep a run to a handful of requests.
const proxyMaxCompared = 3

// proxyEnvVars are the variables curl and Go read, in the order they are
// reported. Go ignores ALL_PROXY; curl and many other tools honour it.
var proxyEnvVars = []struct{ name, scheme string }{
	{"HTTPS_PROXY", proxy.SchemeHTTPS}, {"https_proxy", proxy.SchemeHTTPS},
	{"HTTP_PROXY", proxy.SchemeHTTP}, {"http_proxy", proxy.SchemeHTTP},
	{"ALL_PROXY", proxy.SchemeAll}, {"all_proxy", proxy.SchemeAll},
}

func runProxy(ctx context.Context, env *Env) Result {
	envSet, noProxy := proxyFromEnv(env.Host.Getenv)
	osSet, osErr := env.Host.ProxySettings(ctx)
	all := append(envSet, osSet...)
	unread := proxyUnread(osErr)

	settings := proxyDisplays(all)
	if len(envSet) == 0 {
		settings = append([]string{"environment: no proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY in either case)"}, settings...)
	}
	data := map[string]any{"settings": settings, "unread": NonNil(unread)}
	if noProxy != "" {
		data["no_proxy"] = proxy.MaskCredentials(noProxy)
	}
	var active []proxy.Setting
	for _, s := range all {
		if s.Mode != proxy.ModeNone && !proxyDefaultAutoDetect(s) {
			active = append(active, s)
		}
	}
	if len(active) == 0 {
		return Result{Status: Pass, Summary: proxyNoneSummary(osSet, unread), Data: data}
	}

	trace := env.Config.Endpoints.Trace
	data["trace_url"] = trace
	targets, notTested := proxyTargets(active, proxyHost(trace))
	data["not_tested"] = NonNil(notTested)
	cmp := proxyCompare(ctx, env, trace, targets)
	if len(cmp) > 0 {
		data["comparisons"] = proxyComparisonData(cmp)
	}
	f := proxyFinding(env.Now(), active, cmp)
	return Result{Summary: proxySummary(active, proxyHost(trace), cmp, unread), Data: data, Findings: []finding.Finding{f}}
}

// proxyFromEnv reads the proxy variables. Both cases are read; where both
// hold the same value (always, on Windows) it is reported once.
func proxyFromEnv(getenv func(string) string) ([]proxy.Setting, string) {
	noProxy := getenv("NO_PROXY")
	if noProxy == "" {
		noProxy = getenv("no_proxy")
	}
	bypass := strings.FieldsFunc(noProxy, func(r rune) bool { return r == ',' || r == ' ' })
	var out []proxy.Setting
	seen := map[string]bool{}
	for _, v := range proxyEnvVars {
		raw := strings.TrimSpace(getenv(v.name))
		if raw == "" || seen[v.scheme+" "+raw] {
			continue
		}
		seen[v.scheme+" "+raw] = true
		out = append(out, proxy.Setting{
			Source: "env " + v.name, Mode: proxy.ModeManual, Scheme: v.scheme,
			URL: proxyNormalize(raw), Bypass: bypass,
		})
	}
	return out, noProxy
}

// proxyNormalize gives a scheme-less proxy address the http:// that curl
// and Go assume.
func proxyNormalize(raw string) string {
	if strings.Contains(raw, "://") {
		return raw
	}
	return "http://" + raw
}

// proxyUnread lists the sources that could not be read, with the reason.
func proxyUnread(err error) []string {
	var out []string
	for _, e := range proxy.SourceErrors(err) {
		src := e.Source
		if src == "" {
			src = "system proxy settings"
		}
		out = append(out, src+": "+proxy.MaskCredentials(e.Err.Error()))
	}
	return out
}

func proxyDisplays(s []proxy.Setting) []string {
	out := []string{}
	for _, p := range s {
		out = append(out, p.Display())
	}
	return out
}

// proxyTargets picks the proxies that carry ChatGPT's HTTPS traffic and
// that Go can speak (HTTP, HTTPS, SOCKS5), once each; the rest are listed
// with the reason they are only reported.
func proxyTargets(active []proxy.Setting, host string) (map[string]*url.URL, []string) {
	targets := map[string]*url.URL{}
	var notTested []string
	for _, s := range active {
		u, why := proxyTestable(s, host)
		if why != "" {
			notTested = append(notTested, s.Display()+": "+why)
			continue
		}
		if _, dup := targets[u.String()]; !dup && len(targets) == proxyMaxCompared {
			notTested = append(notTested, fmt.Sprintf("%s: not tested (only %d proxies are tried per run)", s.Display(), proxyMaxCompared))
			continue
		}
		targets[u.String()] = u
	}
	return targets, notTested
}

// proxyTestable returns the proxy URL to probe through, or why not.
func proxyTestable(s proxy.Setting, host string) (*url.URL, string) {
	switch {
	case s.Mode == proxy.ModePAC:
		return nil, "a proxy auto-config script chooses per address; reported, not evaluated"
	case s.Mode == proxy.ModeWPAD:
		return nil, "automatic proxy discovery is reported, not evaluated"
	case s.Mode == proxy.ModeEnv:
		return nil, "it follows the environment variables, read separately"
	case !s.AppliesToHTTPS():
		return nil, "it applies to plain-HTTP addresses only, not to ChatGPT"
	case proxyBypassed(host, s.Bypass):
		return nil, host + " is in its exception list, so it goes direct"
	}
	u, err := url.Parse(s.URL)
	if err != nil || u.Host == "" {
		return nil, "not a valid proxy address"
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
		return u, ""
	}
	return nil, fmt.Sprintf("Clearance cannot test %s proxies", u.Scheme)
}

// proxyBypassed reports whether host matches an exception list in any of
// the forms the sources write: "*", "<local>", "example.com",
// ".example.com", "*.example.com", "192.168.*", "10.0.0.0/8".
func proxyBypassed(host string, list []string) bool {
	host = strings.ToLower(host)
	ip := net.ParseIP(host)
	for _, e := range list {
		e = strings.ToLower(strings.TrimSpace(e))
		if h, _, err := net.SplitHostPort(e); err == nil {
			e = h
		}
		switch {
		case e == "":
		case e == "*":
			return true
		case e == "<local>":
			if !strings.Contains(host, ".") {
				return true
			}
		case strings.Contains(e, "/"):
			if _, n, err := net.ParseCIDR(e); err == nil && ip != nil && n.Contains(ip) {
				return true
			}
		case strings.Contains(e, "*"):
			if ok, _ := path.Match(e, host); ok || (strings.HasPrefix(e, "*.") && host == e[2:]) {
				return true
			}
		default:
			e = strings.TrimPrefix(e, ".")
			if host == e || strings.HasSuffix(host, "."+e) {
				return true
			}
		}
	}
	return false
}

func proxyHost(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Hostname()
}

// proxyPath is how one path to chatgpt.com went.
type proxyPath struct {
	Reached bool
	Status  int    // HTTP status from chatgpt.com, when reached
	Refused int    // the proxy's own non-200 answer to CONNECT
	AtProxy bool   // the proxied path failed at the proxy itself
	Failure string // plain words, when not reached
	Err     string // the underlying error, masked, for the data only
}

func (p proxyPath) summary() string {
	switch {
	case p.Reached:
		return fmt.Sprintf("HTTP %d", p.Status)
	case p.Refused == http.StatusProxyAuthRequired:
		return "the proxy asks for a password (HTTP 407)"
	case p.Refused != 0:
		return fmt.Sprintf("the proxy refused the connection (HTTP %d)", p.Refused)
	case p.AtProxy:
		return p.Failure // "the proxy itself could not be reached"
	}
	return "not reached: " + p.Failure
}

func (p proxyPath) evidence() map[string]any {
	m := map[string]any{"reached": p.Reached, "summary": p.summary()}
	if p.Reached {
		m["status"] = p.Status
	}
	if p.Refused != 0 {
		m["proxy_status"] = p.Refused
	}
	if p.AtProxy {
		m["at_proxy"] = true
	}
	return m
}

// proxyComparison is chatgpt.com reached directly and through one proxy.
type proxyComparison struct {
	proxy   *url.URL
	direct  proxyPath
	proxied proxyPath
}

// differs is proxy-configured's "the proxied path differs": one path reaches
// chatgpt.com and the other does not, the answers' classes differ, or the
// proxied path failed at the proxy itself. A dead proxy is a cause of
// trouble in its own right, even when the direct path fails too: the
// machine then looks offline, and the proxy is part of why.
func (c proxyComparison) differs() bool {
	d, p := c.direct, c.proxied
	return p.AtProxy || d.Reached != p.Reached || (d.Reached && d.Status/100 != p.Status/100)
}

// proxyCompare probes the trace URL once directly and once through each
// target, concurrently, each bounded by ctx.
func proxyCompare(ctx context.Context, env *Env, trace string, targets map[string]*url.URL) []proxyComparison {
	if len(targets) == 0 || env.Probe == nil {
		return nil
	}
	var (
		wg      group
		direct  proxyPath
		results = make([]proxyComparison, 0, len(targets))
		mu      sync.Mutex
	)
	wg.Go(func() { direct = proxyDirectPath(env.Probe.Do(ctx, probe.Request{URL: trace, Limit: probe.PageLimit})) })
	for _, u := range targets {
		wg.Go(func() {
			p := proxyThrough(ctx, env.Probe, u, trace)
			mu.Lock()
			results = append(results, proxyComparison{proxy: u, proxied: p})
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := range results {
		results[i].direct = direct
	}
	// Report in a stable order: the differing first, then by address.
	sort.Slice(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if da, db := a.differs(), b.differs(); da != db {
			return da
		}
		return a.proxy.String() < b.proxy.String()
	})
	return results
}

// proxyDirectPath reads the direct probe's response.
func proxyDirectPath(r *probe.Response) proxyPath {
	if r.Reached() {
		return proxyPath{Reached: true, Status: r.Status}
	}
	words := map[probe.Stage]string{
		probe.StageDNS:     "the name did not resolve",
		probe.StageConnect: "no connection could be made",
		probe.StageTLS:     "the secure connection (TLS) failed",
		probe.StageHTTP:    "no HTTP answer came",
	}[r.Stage]
	if r.Timeout {
		words += " (timed out)"
	}
	return proxyPath{Failure: words, Err: proxy.MaskCredentials(fmt.Sprint(r.Err))}
}

// proxyThrough requests target through the proxy: a prober of its own —
// the shared one goes direct — with the shared prober's resolver, roots and
// clock, so that both paths are judged alike (stages, no redirects, bounded
// body).
func proxyThrough(ctx context.Context, base *probe.Prober, via *url.URL, target string) proxyPath {
	p := &probe.Prober{Proxy: http.ProxyURL(via), Resolver: base.Resolver, RootCAs: base.RootCAs, Now: base.Now}
	defer p.Close()
	r := p.Do(ctx, probe.Request{URL: target, Limit: probe.PageLimit})
	if r.Reached() {
		return proxyPath{Reached: true, Status: r.Status}
	}
	return proxyPath{Refused: r.ProxyStatus, AtProxy: r.AtProxy, Failure: proxyFailure(r), Err: proxy.MaskCredentials(r.Err.Error())}
}

// proxyFailure puts a failed proxied request in plain words.
func proxyFailure(r *probe.Response) string {
	var op *net.OpError
	switch {
	case r.AtProxy && errors.As(r.Err, &op) && strings.HasPrefix(op.Op, "socks"):
		return "the SOCKS proxy did not connect to the site"
	case r.AtProxy && r.Timeout:
		return "the proxy itself could not be reached (no answer in time)"
	case r.AtProxy:
		return "the proxy itself could not be reached"
	case r.Timeout:
		return "no answer in time through the proxy"
	case r.Cert != nil:
		return "the secure connection through the proxy failed its certificate check (the proxy may intercept HTTPS)"
	case r.Stage == probe.StageTLS:
		return "the secure connection (TLS) through the proxy failed"
	}
	return "the request through the proxy failed"
}

func proxyComparisonData(cmp []proxyComparison) []map[string]any {
	out := make([]map[string]any, 0, len(cmp))
	for _, c := range cmp {
		d, p := c.direct.evidence(), c.proxied.evidence()
		if c.direct.Err != "" {
			d["error"] = c.direct.Err
		}
		if c.proxied.Err != "" {
			p["error"] = c.proxied.Err
		}
		out = append(out, map[string]any{
			"proxy":   proxy.MaskCredentials(c.proxy.String()),
			"direct":  d,
			"proxied": p,
			"differs": c.differs(),
		})
	}
	return out
}

// proxyShown is a setting as evidence shows it: the proxy, credentials masked.
func proxyShown(s proxy.Setting) string {
	switch s.Mode {
	case proxy.ModeWPAD:
		return "automatic proxy discovery (WPAD)"
	case proxy.ModeEnv:
		return "the proxy environment variables"
	}
	return proxy.MaskCredentials(s.URL)
}

// proxyLead is the setting named first: the first that carries HTTPS.
func proxyLead(active []proxy.Setting) proxy.Setting {
	for _, s := range active {
		if s.AppliesToHTTPS() {
			return s
		}
	}
	return active[0]
}

// proxyFinding gathers every active proxy in one finding; it is a warning
// when chatgpt.com answers differently through a proxy than directly.
func proxyFinding(now time.Time, active []proxy.Setting, cmp []proxyComparison) finding.Finding {
	lead := proxyLead(active)
	ev := map[string]any{"proxy": proxyShown(lead), "source": lead.Source}
	var differing *proxyComparison
	for i := range cmp {
		if cmp[i].differs() {
			differing = &cmp[i]
			break
		}
	}
	if differing != nil {
		shown := proxy.MaskCredentials(differing.proxy.String())
		for _, s := range active {
			if proxy.MaskCredentials(s.URL) == shown {
				ev["proxy"], ev["source"] = shown, s.Source
				break
			}
		}
		ev["direct"] = differing.direct.evidence()
		ev["proxied"] = differing.proxied.evidence()
	}
	if len(active) > 1 {
		var list []map[string]any
		for _, s := range active {
			item := map[string]any{"proxy": proxyShown(s), "source": s.Source, "mode": string(s.Mode)}
			if s.Scheme != "" {
				item["applies_to"] = s.Scheme
			}
			list = append(list, item)
		}
		ev["proxies"] = list
	}
	f := finding.ProxyConfigured.New(now, ev)
	if differing != nil {
		f.Severity = finding.Warning
	}
	return f
}

func proxyNoneSummary(osSet []proxy.Setting, unread []string) string {
	read := []string{"the environment"}
	seen := map[string]bool{}
	for _, s := range osSet {
		if !seen[s.Source] {
			seen[s.Source] = true
			read = append(read, s.Source)
		}
	}
	sum := "no proxy is set (read: " + strings.Join(read, ", ") + ")"
	for _, s := range osSet {
		if proxyDefaultAutoDetect(s) {
			sum += "; Windows' automatic proxy detection is on, as it is by default"
			break
		}
	}
	return sum + proxyUnreadSuffix(unread)
}

func proxyUnreadSuffix(unread []string) string {
	if len(unread) == 0 {
		return ""
	}
	return "; could not read " + strings.Join(unread, "; ")
}

func proxySummary(active []proxy.Setting, host string, cmp []proxyComparison, unread []string) string {
	first := proxyLead(active)
	sum := fmt.Sprintf("proxy set: %s (%s)", proxyShown(first), first.Source)
	switch n := len(active) - 1; {
	case n == 1:
		sum += " and 1 more setting"
	case n > 1:
		sum += fmt.Sprintf(" and %d more settings", n)
	}
	for _, c := range cmp {
		shown := proxy.MaskCredentials(c.proxy.String())
		switch {
		case !c.direct.Reached && !c.proxied.Reached:
			// Whether the proxy failed too is in the proxied path's words.
			sum += fmt.Sprintf("; neither path reached %s — directly: %s; through %s: %s", host, c.direct.summary(), shown, c.proxied.summary())
		case c.differs():
			sum += fmt.Sprintf("; %s answers differently through %s — directly: %s; through the proxy: %s", host, shown, c.direct.summary(), c.proxied.summary())
		default:
			sum += fmt.Sprintf("; %s answers the same through %s (%s)", host, shown, c.proxied.summary())
		}
	}
	return sum + proxyUnreadSuffix(unread)
}

// proxyDefaultAutoDetect is Windows' "Automatically detect settings",
// which is on by default: it uses a proxy only on a network that publishes
// a proxy script, which nothing here can see. Counted as a proxy it would
// be a finding on nearly every Windows PC, so it stays in the data only.
// (On macOS auto-discovery is off by default: turned on, it counts.)
func proxyDefaultAutoDetect(s proxy.Setting) bool {
	return s.Mode == proxy.ModeWPAD && s.Source == proxy.SourceWindows
}
