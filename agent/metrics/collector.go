package metrics

import (
	"slices"
	"strings"
	"sync"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/prometheus/client_golang/prometheus"
)

// The metrics' descriptions: names and help texts are what a person
// browsing a Prometheus server reads (README, Metrics).
var (
	findingDesc = prometheus.NewDesc("clearance_finding",
		"A problem Clearance has confirmed and tells the person at this machine of: 1 for each visible finding, by its code and severity (README, Findings and fixes).",
		[]string{"code", "severity"}, nil)
	checkStatusDesc = prometheus.NewDesc("clearance_check_status",
		"The outcome of each check's latest run: 1 for the current status (pass, warn, fail, skip or error), 0 for the others.",
		[]string{"check", "status"}, nil)
	checkDurationDesc = prometheus.NewDesc("clearance_check_duration_seconds",
		"How long each check's latest run took.",
		[]string{"check"}, nil)
	clockOffsetDesc = prometheus.NewDesc("clearance_clock_offset_seconds",
		"How far this machine's clock is from true time (positive: ahead), as the clock check last measured it; absent when it could not measure.",
		nil, nil)
	probePhaseDesc = prometheus.NewDesc("clearance_probe_phase_seconds",
		"How long each phase of the latest request to each OpenAI host took: dns, connect, tls, first_byte (from the request sent to the first byte of the answer); a phase not reached or not needed is absent.",
		[]string{"host", "phase"}, nil)
	probeStatusDesc = prometheus.NewDesc("clearance_probe_http_status",
		"The HTTP status of the latest answer from each OpenAI host; absent when no answer came.",
		[]string{"host"}, nil)
	fixRunsDesc = prometheus.NewDesc("clearance_fix_runs_total",
		"Fixes the agent ran since it started, by fix and result (fixed, not-needed, failed).",
		[]string{"fix", "result"}, nil)
	runsDesc = prometheus.NewDesc("clearance_runs_total",
		"Check runs the agent completed since it started.",
		nil, nil)
	buildInfoDesc = prometheus.NewDesc("clearance_build_info",
		"Always 1; the label says which version of Clearance runs.",
		[]string{"version"}, nil)
)

// statuses are every check status, each exported with 0 or 1, so that a
// rule can count the checks that fail without knowing what else they
// could be, and a status that ends shows as a 0 rather than vanishing.
var statuses = []check.Status{check.Pass, check.Warn, check.Fail, check.Skip, check.Error}

// collector is a prometheus.Collector of the latest Snapshot. A scrape
// reads the snapshot under the lock and computes nothing else.
type collector struct {
	mu sync.Mutex
	s  Snapshot
}

func (c *collector) set(s Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = s
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{findingDesc, checkStatusDesc, checkDurationDesc, clockOffsetDesc,
		probePhaseDesc, probeStatusDesc, fixRunsDesc, runsDesc, buildInfoDesc} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	s := c.s
	c.mu.Unlock()
	// A registry refuses a scrape with one series twice; the snapshot is
	// the agent's to fill, so twice is dropped here rather than trusted
	// away.
	seen := map[string]bool{}
	emit := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		key := d.String() + "\xff" + strings.Join(labels, "\xff")
		if seen[key] {
			return
		}
		seen[key] = true
		ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
	}
	for _, f := range s.Findings {
		emit(findingDesc, prometheus.GaugeValue, 1, f.Code, f.Severity)
	}
	for _, k := range s.Checks {
		for _, st := range statuses {
			emit(checkStatusDesc, prometheus.GaugeValue, boolValue(k.Status == string(st)), k.Name, string(st))
		}
		if !slices.Contains(statuses, check.Status(k.Status)) {
			emit(checkStatusDesc, prometheus.GaugeValue, 1, k.Name, k.Status)
		}
		emit(checkDurationDesc, prometheus.GaugeValue, k.Duration.Seconds(), k.Name)
	}
	if s.ClockOffset != nil {
		emit(clockOffsetDesc, prometheus.GaugeValue, *s.ClockOffset)
	}
	for _, p := range s.Probes {
		for _, ph := range []struct {
			name string
			d    float64
		}{{"dns", p.DNS.Seconds()}, {"connect", p.Connect.Seconds()}, {"tls", p.TLS.Seconds()}, {"first_byte", p.FirstByte.Seconds()}} {
			if ph.d > 0 {
				emit(probePhaseDesc, prometheus.GaugeValue, ph.d, p.Host, ph.name)
			}
		}
		if p.HTTPStatus != 0 {
			emit(probeStatusDesc, prometheus.GaugeValue, float64(p.HTTPStatus), p.Host)
		}
	}
	for _, f := range s.FixRuns {
		emit(fixRunsDesc, prometheus.CounterValue, float64(f.Count), f.Fix, f.Result)
	}
	emit(runsDesc, prometheus.CounterValue, float64(s.Runs))
	emit(buildInfoDesc, prometheus.GaugeValue, 1, s.Version)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
