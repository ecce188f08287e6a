package metrics

import (
	"slices"
	"strings"

	"github.com/clearance-app/clearance/agent/diag/check"
)

// Desc is one of Clearance's metrics as both formats send it (README,
// Metrics): the Prometheus exposition (families.go) and OTLP
// (agent/metrics/otlp). One description for both, so that a metric, its
// help text or its labels cannot differ between them.
type Desc struct {
	// Name is the Prometheus name, unit and _total included; OTLP sends the
	// same, so that a collector exporting to Prometheus gives the same
	// names under every translation strategy and one dashboard reads both.
	Name string
	// Help is what a person browsing the metrics reads.
	Help string
	// Unit is "s" for the _seconds metrics and otherwise empty: OTLP sends
	// it, and a unit of "1" would have a collector add _ratio to the name.
	Unit string
	// Counter makes it a counter counted since the agent started (a
	// cumulative monotonic sum in OTLP); otherwise it is a gauge.
	Counter bool
	// Int says its values are whole numbers, sent as such where the format
	// tells them apart (OTLP).
	Int bool
	// Labels are the label names, in the order a Series gives their values.
	Labels []string
}

// Series is one point: a metric, its label values (in Desc.Labels order)
// and its value.
type Series struct {
	Desc        *Desc
	LabelValues []string
	Value       float64
}

var (
	findingDesc = Desc{Name: "clearance_finding",
		Help:   "A problem Clearance has confirmed and tells the person at this machine of: 1 for each visible finding, by its code and severity (README, Findings and fixes).",
		Int:    true,
		Labels: []string{"code", "severity"}}
	checkStatusDesc = Desc{Name: "clearance_check_status",
		Help:   "The outcome of each check's latest run: 1 for the current status (pass, warn, fail, skip or error), 0 for the others.",
		Int:    true,
		Labels: []string{"check", "status"}}
	checkDurationDesc = Desc{Name: "clearance_check_duration_seconds",
		Help:   "How long each check's latest run took.",
		Unit:   "s",
		Labels: []string{"check"}}
	clockOffsetDesc = Desc{Name: "clearance_clock_offset_seconds",
		Help: "How far this machine's clock is from true time (positive: ahead), as the clock check last measured it; absent when it could not measure.",
		Unit: "s"}
	probePhaseDesc = Desc{Name: "clearance_probe_phase_seconds",
		Help:   "How long each phase of the latest request to each OpenAI host took: dns, connect, tls, first_byte (from the request sent to the first byte of the answer); a phase not reached or not needed is absent.",
		Unit:   "s",
		Labels: []string{"host", "phase"}}
	probeStatusDesc = Desc{Name: "clearance_probe_http_status",
		Help:   "The HTTP status of the latest answer from each OpenAI host; absent when no answer came.",
		Int:    true,
		Labels: []string{"host"}}
	fixRunsDesc = Desc{Name: "clearance_fix_runs_total",
		Help:    "Fixes the agent ran since it started, by fix and result (fixed, not-needed, failed); every fix the agent runs has each result from 0.",
		Counter: true, Int: true,
		Labels: []string{"fix", "result"}}
	runsDesc = Desc{Name: "clearance_runs_total",
		Help:    "Check runs the agent completed since it started: full runs of every check, and the runs of some checks that confirm a finding before it is shown.",
		Counter: true, Int: true}
	buildInfoDesc = Desc{Name: "clearance_build_info",
		Help:   "Always 1; the label says which version of Clearance runs.",
		Int:    true,
		Labels: []string{"version"}}
)

// statuses are every check status, each exported with 0 or 1, so that a
// rule can count the checks that fail without knowing what else they
// could be, and a status that ends shows as a 0 rather than vanishing.
var statuses = []check.Status{check.Pass, check.Warn, check.Fail, check.Skip, check.Error}

// Series returns the snapshot's series, metric by metric in a fixed order
// and each metric's in the snapshot's; a metric with no series (no finding
// yet) is absent. A label set the snapshot gives twice (two findings of
// one code and severity) comes once, the first: a scraper refuses an
// exposition with a series twice, and a collector wants one value per
// series and push.
func (s Snapshot) Series() []Series {
	var out []Series
	seen := map[string]bool{}
	add := func(d *Desc, v float64, values ...string) {
		key := d.Name + "\xff" + strings.Join(values, "\xff")
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, Series{Desc: d, LabelValues: values, Value: v})
	}
	for _, x := range s.Findings {
		add(&findingDesc, 1, x.Code, x.Severity)
	}
	for _, k := range s.Checks {
		for _, st := range statuses {
			add(&checkStatusDesc, boolValue(k.Status == string(st)), k.Name, string(st))
		}
		if !slices.Contains(statuses, check.Status(k.Status)) {
			add(&checkStatusDesc, 1, k.Name, k.Status)
		}
	}
	for _, k := range s.Checks {
		add(&checkDurationDesc, k.Duration.Seconds(), k.Name)
	}
	if s.ClockOffset != nil {
		add(&clockOffsetDesc, *s.ClockOffset)
	}
	for _, p := range s.Probes {
		for _, ph := range []struct {
			name string
			d    float64
		}{{"dns", p.DNS.Seconds()}, {"connect", p.Connect.Seconds()}, {"tls", p.TLS.Seconds()}, {"first_byte", p.FirstByte.Seconds()}} {
			if ph.d > 0 {
				add(&probePhaseDesc, ph.d, p.Host, ph.name)
			}
		}
	}
	for _, p := range s.Probes {
		if p.HTTPStatus != 0 {
			add(&probeStatusDesc, float64(p.HTTPStatus), p.Host)
		}
	}
	for _, x := range s.FixRuns {
		add(&fixRunsDesc, float64(x.Count), x.Fix, x.Result)
	}
	add(&runsDesc, float64(s.Runs))
	add(&buildInfoDesc, 1, s.Version)
	return out
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
