package check

import (
	"context"
	"fmt"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
)

// endpointsCheck probes OpenAI's hosts directly, times each phase, reads
// Cloudflare's trace, and says what the answers mean. The judging is
// probe.Classify's; this file gathers verdicts into findings.
var endpointsCheck = Check{
	Name:    "endpoints",
	Needs:   []string{"network"},
	Timeout: func(c *config.Config) time.Duration { return c.Endpoints.Timeout.D() },
	Run:     runEndpoints,
}

// hostResult is one probed host: its answer and what it means.
type hostResult struct {
	host    string // host[:port] of the URL, as a person knows it
	resp    *probe.Response
	verdict probe.Verdict
	held    bool // not asked: it rate-limited us and its wait is not over
}

// endpointData is one host's line in the check's data.
type endpointData struct {
	URL        string             `json:"url"`
	Host       string             `json:"host"`
	Status     int                `json:"status,omitempty"`
	Verdict    probe.Kind         `json:"verdict"`
	Reason     string             `json:"reason"`
	Stage      probe.Stage        `json:"stage,omitempty"`
	Timings    map[string]float64 `json:"timings"`
	HeldOff    bool               `json:"held_off,omitempty"`
	RemoteAddr string             `json:"remote_addr,omitempty"`
	CFRay      string             `json:"cf_ray,omitempty"`
	// phases are Timings unrounded, for EndpointProbes.
	phases probe.Timings
}

// EndpointProbe is one host's request as the endpoints check made it: the
// time each phase took (zero for one not reached) and the HTTP status
// (zero when no answer came).
type EndpointProbe struct {
	Host   string
	Phases probe.Timings
	Status int
}

// EndpointProbes are the requests an endpoints check's report made, in the
// order of the configuration; a host held off for rate limiting was not
// asked and is left out.
func EndpointProbes(r CheckReport) []EndpointProbe {
	hosts, _ := r.Data["hosts"].([]endpointData)
	var out []EndpointProbe
	for _, h := range hosts {
		if !h.HeldOff {
			out = append(out, EndpointProbe{Host: h.Host, Phases: h.phases, Status: h.Status})
		}
	}
	return out
}

func runEndpoints(ctx context.Context, env *Env) Result {
	cfg := env.Config.Endpoints
	if len(cfg.Hosts) == 0 {
		return Result{Status: Error, Summary: "no hosts to probe are configured"}
	}
	p := env.Probe
	var (
		hosts []hostResult
		trace *probe.Response
		wg    group
	)
	wg.Go(func() { hosts = probeHosts(ctx, env, cfg.Hosts) })
	// The trace is a request to an OpenAI host too: not while that host
	// holds us off.
	if _, held := env.Backoff.held(hostLabel(cfg.Trace), env.Now()); cfg.Trace != "" && !held {
		wg.Go(func() {
			trace = p.Do(ctx, probe.Request{URL: cfg.Trace, Header: map[string]string{"Accept": "text/plain"}})
		})
	}
	wg.Wait()
	logHosts(env, hosts)
	for _, h := range hosts {
		rememberAddr(env, h.resp.URL, h.resp)
	}
	rememberAddr(env, cfg.Trace, trace)

	data := map[string]any{"hosts": hostData(hosts)}
	tr := traceData(trace, data)
	witness, known := witnessReachable(env)
	others := witness || anyReached(hosts) || (trace != nil && trace.Reached())
	fs := endpointFindings(hosts, tr, others, env.Now())
	res := Result{Summary: endpointsSummary(hosts), Data: data, Findings: fs}
	if !others && allUnreachable(hosts) {
		res.Status, res.Summary = Fail, offlineSummary(hosts, known)
	}
	return res
}

// probeHosts probes every URL concurrently, asking for JSON so that
// Cloudflare answers with RFC 9457 errors where it can. A host that
// rate-limited the agent is left alone until its wait is over (env.Backoff).
func probeHosts(ctx context.Context, env *Env, urls []string) []hostResult {
	return concurrently(urls, func(u string) hostResult {
		host := hostLabel(u)
		if v, ok := env.Backoff.held(host, env.Now()); ok {
			return hostResult{host: host, resp: &probe.Response{URL: u}, verdict: v, held: true}
		}
		r := env.Probe.Do(ctx, probe.Request{URL: u, Header: map[string]string{"Accept": "application/json"}, JudgeOnly: true})
		v := probe.Classify(r)
		env.Backoff.observe(host, env.Now(), v)
		return hostResult{host: host, resp: r, verdict: v}
	})
}

func hostData(hosts []hostResult) []endpointData {
	out := make([]endpointData, len(hosts))
	for i, h := range hosts {
		out[i] = endpointData{
			URL: h.resp.URL, Host: h.host, Status: h.resp.Status,
			Verdict: h.verdict.Kind, Reason: h.verdict.Reason, Stage: h.verdict.Stage,
			Timings: h.resp.Timings.Millis(), RemoteAddr: h.resp.RemoteAddr, CFRay: h.verdict.RayID,
			HeldOff: h.held, phases: h.resp.Timings,
		}
	}
	return out
}

func logHosts(env *Env, hosts []hostResult) {
	if env.Log == nil {
		return
	}
	for _, h := range hosts {
		env.Log.Debug("endpoint probed", "host", h.host, "verdict", h.verdict.Kind, "status", h.resp.Status, "err", h.resp.Err)
	}
}

// traceData puts the trace, or why there is none, into data.
func traceData(r *probe.Response, data map[string]any) probe.Trace {
	if r == nil {
		return probe.Trace{}
	}
	if !r.Reached() {
		data["trace_error"] = probe.Classify(r).Reason
		return probe.Trace{}
	}
	if r.Status != 200 {
		data["trace_error"] = fmt.Sprintf("HTTP %d", r.Status)
		return probe.Trace{}
	}
	t, err := probe.ParseTrace(r.Body)
	if err != nil {
		data["trace_error"] = "the answer is not a Cloudflare trace"
		return probe.Trace{}
	}
	data["trace"] = t.Data()
	return t
}

// witnessReachable reads the network check's verdict on the witness
// endpoint; known is false when it gave none.
func witnessReachable(env *Env) (reachable, known bool) {
	r, ok := env.Dep("network")
	if !ok {
		return false, false
	}
	reachable, known = r.Data["witness_reachable"].(bool)
	return reachable, known
}

func anyReached(hosts []hostResult) bool {
	for _, h := range hosts {
		if h.resp.Reached() {
			return true
		}
	}
	return false
}

// allUnreachable reports whether every host failed in a way that says
// nothing by itself (no certificate evidence).
func allUnreachable(hosts []hostResult) bool {
	for _, h := range hosts {
		if !pathFailure(h.verdict.Kind) {
			return false
		}
	}
	return true
}

// pathFailure is a failure of the way to a host rather than an answer.
func pathFailure(k probe.Kind) bool { return k == probe.KindDNS || k == probe.KindUnreachable }

func offlineSummary(hosts []hostResult, witnessKnown bool) string {
	first := hosts[0]
	if allNamesFailed(hosts) {
		return fmt.Sprintf("no host's name resolves (%s: %s): see the dns check", first.host, first.verdict.Reason)
	}
	if witnessKnown {
		return fmt.Sprintf("no host answered (%s: %s), and neither did the witness site: this computer's connection is down, not OpenAI", first.host, first.verdict.Reason)
	}
	return fmt.Sprintf("no host answered (%s: %s); whether other sites work is unknown", first.host, first.verdict.Reason)
}

// endpointsSummary is one line for a person: the first host's problem, or
// how many hosts answered and how fast the first did.
func endpointsSummary(hosts []hostResult) string {
	var bad []hostResult
	for _, h := range hosts {
		if h.verdict.Kind.Problem() {
			bad = append(bad, h)
		}
	}
	if len(bad) == 0 {
		first := hosts[0]
		return fmt.Sprintf("%d %s reachable; %s %d ms", len(hosts), plural(len(hosts), "host", "hosts"), first.host, first.resp.Timings.Total.Milliseconds())
	}
	worst := bad[0]
	for _, h := range bad[1:] {
		if severityOf(h.verdict.Kind).Rank() > severityOf(worst.verdict.Kind).Rank() {
			worst = h
		}
	}
	s := fmt.Sprintf("%s: %s", worst.host, worst.verdict.Reason)
	if n := len(bad) - 1; n > 0 {
		s += fmt.Sprintf("; %d more %s with problems", n, plural(n, "host", "hosts"))
	}
	return s
}

func severityOf(k probe.Kind) finding.Severity {
	if d := definitionOf(k); d != nil {
		return d.Severity
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// definitionOf maps a verdict to its finding; nil for verdicts that are
// not problems.
func definitionOf(k probe.Kind) *finding.Definition {
	switch k {
	case probe.KindBlocked:
		return finding.CloudflareBlocked
	case probe.KindChallenge:
		return finding.CloudflareChallenge
	case probe.KindRateLimited:
		return finding.RateLimited
	case probe.KindServerError:
		return finding.OpenAIError
	case probe.KindRegionUnsupported:
		return finding.RegionUnsupported
	case probe.KindProbeLimited:
		return finding.ProbeLimited
	case probe.KindIntercepted:
		return finding.TLSIntercepted
	case probe.KindCertDates, probe.KindDNS, probe.KindUnreachable:
		return finding.OpenAIUnreachable
	}
	return nil
}

// endpointFindings raises one finding per code, gathering every affected
// host. A path failure is raised whether or not other sites work (the
// evidence says which): when the machine is offline the network check has
// skipped this one, and DNS, a portal or the clock explain it away.
func endpointFindings(hosts []hostResult, tr probe.Trace, othersWork bool, now time.Time) []finding.Finding {
	groups := map[*finding.Definition][]hostResult{}
	var order []*finding.Definition
	for _, h := range hosts {
		d := definitionOf(h.verdict.Kind)
		if d == nil {
			continue
		}
		if groups[d] == nil {
			order = append(order, d)
		}
		groups[d] = append(groups[d], h)
	}
	fs := make([]finding.Finding, 0, len(order))
	for _, d := range order {
		ev := endpointEvidence(d, groups[d], tr, now)
		if d == finding.OpenAIUnreachable {
			ev["other_sites_reachable"] = othersWork
		}
		f := d.New(now, ev)
		f.ExplainedBy = explainedBy(groups[d])
		fs = append(fs, f)
	}
	return fs
}

// explainedBy returns the codes that explain every affected host: a
// certificate date error is the clock's, a failed lookup is DNS's. One host
// that neither explains keeps the finding visible.
func explainedBy(hs []hostResult) []*finding.Definition {
	var common *finding.Definition
	for _, h := range hs {
		c := explanationOf(h.verdict.Kind)
		if c == nil || (common != nil && c != common) {
			return nil
		}
		common = c
	}
	if common == nil {
		return nil
	}
	return []*finding.Definition{common}
}

// explanationOf names the finding that explains a failure, if any.
func explanationOf(k probe.Kind) *finding.Definition {
	switch k {
	case probe.KindCertDates:
		return finding.ClockSkew
	case probe.KindDNS:
		return finding.DNSFailure
	}
	return nil
}

// endpointEvidence gathers the measured facts of one finding: the first
// affected host's, and every affected host's name.
func endpointEvidence(d *finding.Definition, hs []hostResult, tr probe.Trace, now time.Time) map[string]any {
	first := hs[0].verdict
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.host
	}
	ev := map[string]any{"host": names[0], "hosts": names, "reason": first.Reason}
	if first.Status != 0 {
		ev["status"] = first.Status
	}
	switch d {
	case finding.CloudflareBlocked, finding.ProbeLimited, finding.CloudflareChallenge:
		addRay(ev, hs)
		addCode(ev, first)
	case finding.RateLimited:
		addCode(ev, first)
		addRetryAfter(ev, hs)
	case finding.OpenAIError:
		addRay(ev, hs)
		addCode(ev, first)
		addRetryAfter(ev, hs)
	case finding.RegionUnsupported:
		if tr.Loc != "" {
			ev["country"] = tr.Loc
		}
		addCode(ev, first)
	case finding.TLSIntercepted:
		ev["issuer"] = first.Cert.Issuer
		if first.Vendor != "" {
			ev["vendor"] = first.Vendor
		}
	case finding.OpenAIUnreachable:
		addFailure(ev, first, now)
	}
	return ev
}

func addRay(ev map[string]any, hs []hostResult) {
	for _, h := range hs {
		if h.verdict.RayID != "" {
			ev["ray_id"] = h.verdict.RayID
			return
		}
	}
}

func addCode(ev map[string]any, v probe.Verdict) {
	if v.ErrorCode != 0 {
		ev["error_code"] = v.ErrorCode
	}
	if v.ErrorName != "" {
		ev["error_name"] = v.ErrorName
	}
}

// addRetryAfter records the longest wait asked for: honouring it for every
// host means waiting for the longest.
func addRetryAfter(ev map[string]any, hs []hostResult) {
	longest, found := time.Duration(0), false
	for _, h := range hs {
		if h.verdict.HasRetryAfter && h.verdict.RetryAfter >= longest {
			longest, found = h.verdict.RetryAfter, true
		}
	}
	if found {
		ev["retry_after_seconds"] = int(longest / time.Second)
	}
}

func addFailure(ev map[string]any, v probe.Verdict, now time.Time) {
	ev["stage"] = v.Stage
	ev["timeout"] = v.Timeout
	if v.Kind != probe.KindCertDates || v.Cert == nil {
		return
	}
	ev["certificate"] = v.Cert.Problem
	ev["not_before"] = v.Cert.NotBefore.UTC().Format(time.RFC3339)
	ev["not_after"] = v.Cert.NotAfter.UTC().Format(time.RFC3339)
	ev["local_time"] = now.UTC().Format(time.RFC3339)
	ev["explanation"] = "The certificate's dates do not include this computer's time, so the computer's clock is probably wrong."
}

// allNamesFailed reports whether every host failed at name resolution: a
// DNS problem, not a connection that is down.
func allNamesFailed(hosts []hostResult) bool {
	for _, h := range hosts {
		if h.verdict.Kind != probe.KindDNS {
			return false
		}
	}
	return len(hosts) > 0
}
