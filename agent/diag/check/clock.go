package check

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/timesync"
)

// clockCheck measures the local clock against NTP servers (web servers'
// Date headers and certificate dates when UDP 123 is blocked) and asks the
// OS whether it keeps the clock in sync. The measuring and combining are in
// agent/ntpq; this file decides what to ask and what to tell.
var clockCheck = Check{
	Name:    "clock",
	Needs:   []string{"network"},
	Timeout: func(c *config.Config) time.Duration { return c.Clock.Timeout.D() },
	Run:     runClock,
}

// clockWebSources is how many web servers are asked for their Date when NTP
// is not enough: three can outvote one wrong clock, and stay cheap.
const clockWebSources = 3

func runClock(ctx context.Context, env *Env) Result {
	now := env.Now
	// The lookup is waited for only once it has sent (a lookup that ignores
	// ctx must not hold the result back); it sends even when it panics, and
	// Wait then raises the panic here.
	synced := make(chan clockSync, 1)
	lookup := group{Log: env.Log}
	lookup.Go(func() {
		var so clockSync
		defer func() { synced <- so }()
		so.ts, so.err = env.Host.TimeSync(ctx, env.processes)
	})
	m := measureClock(ctx, env, now)
	var so clockSync
	select {
	case so = <-synced:
		lookup.Wait()
	case <-ctx.Done():
		select {
		case so = <-synced:
			lookup.Wait()
		default:
			so.err = fmt.Errorf("time service status not read in time: %w", ctx.Err())
		}
	}
	return clockVerdict(env.Config.Clock, now(), m, so)
}

type clockSync struct {
	ts  timesync.State
	err error
}

// clockSource is one source's line in the check's data.
type clockSource struct {
	Source        string   `json:"source"`
	Status        string   `json:"status"` // used, falseticker, rejected, certificate
	OffsetSeconds *float64 `json:"offset_seconds,omitempty"`
	RTTMillis     *float64 `json:"rtt_ms,omitempty"`
	Stratum       int      `json:"stratum,omitempty"`
	Reason        string   `json:"reason,omitempty"`
}

// clockMeasurement is what the clock sources said, combined.
type clockMeasurement struct {
	method  string // "" when nothing could be measured
	offset  time.Duration
	atLeast bool // the offset is a lower bound (certificate dates)
	sources []string
	ntp     []*clockSource
	web     []*clockSource // nil when web servers were not asked
	notes   []string
	failure string // why nothing was measured
}

func measureClock(ctx context.Context, env *Env, now func() time.Time) clockMeasurement {
	cfg := env.Config.Clock
	var m clockMeasurement
	nctx, cancel := clockNTPContext(ctx)
	samples := clockQueryNTP(nctx, env, &m)
	cancel()
	if est := ntpq.Combine(samples); len(est.Used) >= cfg.MinAnswers {
		m.mark(est)
		m.conclude(ntpq.MethodNTP, est.Used)
		return m
	}
	// Too few time servers agree (UDP 123 blocked, or they disagree): web
	// servers' clocks join the vote.
	web, bounds := clockProbeDates(ctx, env, now, &m)
	est := ntpq.Combine(append(samples, web...))
	m.mark(est)
	usedNTP, usedWeb := clockByMethod(est.Used)
	switch {
	case len(usedNTP) > 0:
		m.conclude(ntpq.MethodNTP, usedNTP)
		if len(usedNTP) < cfg.MinAnswers {
			m.notes = append(m.notes, fmt.Sprintf("only %d of the %d wanted time servers gave a usable answer", len(usedNTP), cfg.MinAnswers))
		}
		if len(usedWeb) > 0 {
			m.notes = append(m.notes, "confirmed by "+finding.Plural(len(usedWeb), "web server"))
		}
	case len(usedWeb) > 0:
		m.conclude(ntpq.MethodHTTPSDate, usedWeb)
	default:
		if b, ok := ntpq.WeakestBound(bounds); ok {
			m.method, m.offset, m.atLeast = ntpq.MethodCertificate, b, true
			m.sources = clockCertSources(m.web)
		} else if est.Split {
			m.failure = "the time sources disagree with each other"
		} else {
			m.failure = "no time server gave a usable answer and no web server gave its time"
		}
	}
	return m
}

// clockNTPMaxWait is the longest wait for NTP answers: they come within a
// round trip, well under a second even over satellite.
const clockNTPMaxWait = 2 * time.Second

// clockNTPContext leaves at least half the check's time for the web
// fallback: a blocked UDP port must not use up the whole budget waiting.
func clockNTPContext(ctx context.Context) (context.Context, context.CancelFunc) {
	budget := clockNTPMaxWait
	if d, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(d)/2)
	}
	return context.WithTimeout(ctx, budget)
}

// clockQueryNTP asks every configured server at once and returns the valid
// answers; every server's answer or reason goes into m.
func clockQueryNTP(ctx context.Context, env *Env, m *clockMeasurement) []ntpq.Sample {
	results := ntpq.QueryAll(ctx, env.NTP, env.Config.Clock.NTPServers)
	m.ntp = make([]*clockSource, len(results))
	for i, r := range results {
		src := &clockSource{Source: r.Server, Status: "rejected", Reason: r.Reason()}
		if r.Err == nil {
			src.Stratum = int(r.Sample.Stratum)
			src.OffsetSeconds = new(roundSeconds(r.Sample.Offset, time.Millisecond))
			src.RTTMillis = new(floatMillis(r.Sample.RTT))
		}
		m.ntp[i] = src
	}
	return ntpq.Samples(results)
}

// clockProbeDates asks a few web servers (the witness first) for their Date.
// Certificates refused for their dates are evidence too; their bounds are
// returned separately because they only say "at least".
func clockProbeDates(ctx context.Context, env *Env, now func() time.Time, m *clockMeasurement) ([]ntpq.Sample, []time.Duration) {
	urls := unique(append([]string{env.Config.Network.Witness}, env.Config.Endpoints.Hosts...), hostLabel)
	urls = urls[:min(len(urls), clockWebSources)]
	m.web = make([]*clockSource, len(urls))
	samples := make([]*ntpq.Sample, len(urls))
	bounds := make([]*time.Duration, len(urls))
	var wg group
	for i, u := range urls {
		wg.Go(func() {
			m.web[i] = &clockSource{Source: hostLabel(u), Status: "rejected"}
			t0 := now()
			r := env.Probe.Do(ctx, probe.Request{Method: http.MethodHead, URL: u})
			t1 := now()
			if date, ok := r.Date(); ok && r.Reached() {
				sent, received := clockDateWindow(t0, t1, r.Timings)
				s := ntpq.DateSample(m.web[i].Source, date, sent, received)
				samples[i] = &s
				m.web[i].OffsetSeconds = new(roundSeconds(s.Offset, 100*time.Millisecond))
				return
			}
			if b, ok := clockCertBound(t1, r.Cert); ok {
				bounds[i] = &b
				m.web[i].Status = "certificate"
				m.web[i].OffsetSeconds = new(truncSeconds(b))
				m.web[i].Reason = fmt.Sprintf("certificate refused as %s: the clock is %s", r.Cert.Problem, finding.DescribeOffset(b, true))
				return
			}
			m.web[i].Reason = clockWebFailure(r)
		})
	}
	wg.Wait()
	return compact(samples), compact(bounds)
}

// clockDateWindow narrows the local times between which the server stamped its
// Date: from the request being written to the first response byte, when
// the prober measured them; otherwise the whole exchange.
func clockDateWindow(t0, t1 time.Time, tm probe.Timings) (sent, received time.Time) {
	if tm.FirstByte <= 0 {
		return t0, t1
	}
	sent = t0.Add(tm.DNS + tm.Connect + tm.TLS)
	received = sent.Add(tm.FirstByte)
	if received.After(t1) {
		return t0, t1
	}
	return sent, received
}

func clockCertBound(now time.Time, cf *probe.CertFailure) (time.Duration, bool) {
	if cf == nil || (cf.Problem != probe.CertNotYetValid && cf.Problem != probe.CertExpired) {
		return 0, false
	}
	return ntpq.CertificateBound(now, cf.NotBefore, cf.NotAfter)
}

func clockWebFailure(r *probe.Response) string {
	switch {
	case r.Err == nil:
		return "no Date header in the answer"
	}
	return probe.Classify(r).Reason
}

// mark records in the reports which samples were used and which not.
func (m *clockMeasurement) mark(est ntpq.Estimate) {
	find := func(s ntpq.Sample) *clockSource {
		list := m.ntp
		if s.Method == ntpq.MethodHTTPSDate {
			list = m.web
		}
		for _, r := range list {
			if r.Source == s.Source {
				return r
			}
		}
		return &clockSource{}
	}
	for _, s := range est.Used {
		find(s).Status = "used"
	}
	for _, s := range est.Falsetickers {
		r := find(s)
		r.Status = "falseticker"
		r.Reason = fmt.Sprintf("%.1f s away from the sources that agree", (s.Offset - est.Offset).Seconds())
		if est.Split {
			r.Reason = "no majority of the sources agrees"
		}
	}
}

func (m *clockMeasurement) conclude(method string, used []ntpq.Sample) {
	m.method, m.offset = method, ntpq.Median(used)
	for _, s := range used {
		m.sources = append(m.sources, s.Source)
	}
}

func clockByMethod(ss []ntpq.Sample) (ntp, web []ntpq.Sample) {
	for _, s := range ss {
		if s.Method == ntpq.MethodNTP {
			ntp = append(ntp, s)
		} else {
			web = append(web, s)
		}
	}
	return ntp, web
}

func clockCertSources(web []*clockSource) []string {
	var out []string
	for _, r := range web {
		if r.Status == "certificate" {
			out = append(out, r.Source)
		}
	}
	return out
}

// ClockOffset is what a clock check's report measured, in seconds (local −
// true): its data's offset_seconds, read here by those who act on it (the
// time fix, the metrics) rather than each digging in the map. False when
// the run could not measure the clock.
func ClockOffset(r CheckReport) (float64, bool) {
	switch v := r.Data["offset_seconds"].(type) {
	case float64:
		return v, true
	case *float64:
		if v != nil {
			return *v, true
		}
	}
	return 0, false
}

// clockVerdict turns the measurement and the time-service status into a result.
func clockVerdict(cfg config.Clock, now time.Time, m clockMeasurement, so clockSync) Result {
	res := Result{Data: map[string]any{"ntp": m.ntp}}
	if m.web != nil {
		res.Data["https"] = m.web
	}
	var summary []string
	if m.method == "" {
		summary = append(summary, "could not measure the clock: "+m.failure)
		res.Status = Error
	} else {
		off := clockOffsetSeconds(m)
		res.Data["method"], res.Data["offset_seconds"], res.Data["sources"] = m.method, off, m.sources
		summary = append(summary, clockDescribe(m))
		if f, ok := clockSkewFinding(cfg, now, m, off); ok {
			res.Findings = append(res.Findings, f)
		}
	}
	summary = append(summary, m.notes...)
	ts, f, note := clockTimeSyncPart(now, so)
	res.Data["time_sync"] = ts
	if f != nil {
		res.Findings = append(res.Findings, *f)
		res.Status = "" // the finding decides, even when the measurement failed
	}
	if note != "" {
		summary = append(summary, note)
	}
	res.Summary = strings.Join(summary, "; ")
	return res
}

func clockSkewFinding(cfg config.Clock, now time.Time, m clockMeasurement, off float64) (finding.Finding, bool) {
	abs := math.Abs(off)
	if abs < cfg.WarningSeconds {
		return finding.Finding{}, false
	}
	ev := map[string]any{"offset_seconds": off, "sources": m.sources, "method": m.method}
	if m.atLeast {
		ev["lower_bound"] = true
	}
	f := finding.ClockSkew.New(now, ev)
	if abs >= cfg.CriticalSeconds {
		f.Severity = finding.Critical
	}
	return f, true
}

// clockTimeSync is the OS time service's state in the check's data.
type clockTimeSync struct {
	Service      string `json:"service,omitempty"`
	Active       bool   `json:"active"`
	Synchronized *bool  `json:"synchronized,omitempty"`
	Virtualized  string `json:"virtualized,omitempty"`
	Detail       string `json:"detail,omitempty"`
	Error        string `json:"error,omitempty"`
}

// clockTimeSyncPart reads the OS time-service status. Inside a container or WSL
// the host keeps the time, so an idle service there is no problem.
func clockTimeSyncPart(now time.Time, so clockSync) (clockTimeSync, *finding.Finding, string) {
	ts := so.ts
	rep := clockTimeSync{Service: ts.Service, Active: ts.Active, Synchronized: ts.Synchronized, Virtualized: ts.Virtualized, Detail: ts.Detail}
	switch {
	case errors.Is(so.err, platform.ErrNotSupported):
		rep.Error = "not supported on this operating system yet"
		return rep, nil, "whether the OS keeps the clock in sync is not checked on this operating system yet"
	case so.err != nil:
		rep.Error = so.err.Error()
		return rep, nil, "could not read whether the OS keeps the clock in sync"
	case ts.Virtualized != "":
		return rep, nil, fmt.Sprintf("time is kept by the host (%s)", ts.Virtualized)
	case !ts.Active:
		f := finding.ClockUnsynced.New(now, map[string]any{"service": ts.Service, "detail": ts.Detail})
		if ts.Service == "" {
			return rep, &f, "no time service is installed"
		}
		return rep, &f, ts.Service + " is not running"
	}
	return rep, nil, ""
}

// clockOffsetSeconds rounds the offset to what the method can tell: NTP to the
// millisecond, a Date header (whole seconds) to the second, and a
// certificate bound down to the second, since it only says "at least".
func clockOffsetSeconds(m clockMeasurement) float64 {
	switch m.method {
	case ntpq.MethodNTP:
		return roundSeconds(m.offset, time.Millisecond)
	case ntpq.MethodHTTPSDate:
		return roundSeconds(m.offset, time.Second)
	}
	return truncSeconds(m.offset)
}

func clockDescribe(m clockMeasurement) string {
	var how string
	switch m.method {
	case ntpq.MethodNTP:
		how = fmt.Sprintf("measured against %s", finding.Plural(len(m.sources), "time server"))
	case ntpq.MethodHTTPSDate:
		how = fmt.Sprintf("measured from the clocks of %s (too few time servers answered)", finding.Plural(len(m.sources), "web server"))
	default:
		how = "judged from certificate dates (no time or web server gave the time)"
	}
	if !m.atLeast && m.offset.Abs() < time.Second {
		return "the clock is correct, " + how
	}
	return "the clock is " + finding.DescribeOffset(m.offset, m.atLeast) + ", " + how
}
