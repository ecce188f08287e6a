package metrics

import (
	"cmp"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/agent/diag/check"
	dto "github.com/prometheus/client_model/go"
)

// desc is one metric's name, help, type and label names: what a person
// browsing a Prometheus server reads (README, Metrics). Label names are
// in the order their values are given.
type desc struct {
	name, help string
	typ        dto.MetricType
	labels     []string
}

var (
	findingDesc = desc{"clearance_finding",
		"A problem Clearance has confirmed and tells the person at this machine of: 1 for each visible finding, by its code and severity (README, Findings and fixes).",
		dto.MetricType_GAUGE, []string{"code", "severity"}}
	checkStatusDesc = desc{"clearance_check_status",
		"The outcome of each check's latest run: 1 for the current status (pass, warn, fail, skip or error), 0 for the others.",
		dto.MetricType_GAUGE, []string{"check", "status"}}
	checkDurationDesc = desc{"clearance_check_duration_seconds",
		"How long each check's latest run took.",
		dto.MetricType_GAUGE, []string{"check"}}
	clockOffsetDesc = desc{"clearance_clock_offset_seconds",
		"How far this machine's clock is from true time (positive: ahead), as the clock check last measured it; absent when it could not measure.",
		dto.MetricType_GAUGE, nil}
	probePhaseDesc = desc{"clearance_probe_phase_seconds",
		"How long each phase of the latest request to each OpenAI host took: dns, connect, tls, first_byte (from the request sent to the first byte of the answer); a phase not reached or not needed is absent.",
		dto.MetricType_GAUGE, []string{"host", "phase"}}
	probeStatusDesc = desc{"clearance_probe_http_status",
		"The HTTP status of the latest answer from each OpenAI host; absent when no answer came.",
		dto.MetricType_GAUGE, []string{"host"}}
	fixRunsDesc = desc{"clearance_fix_runs_total",
		"Fixes the agent ran since it started, by fix and result (fixed, not-needed, failed); every fix the agent runs has each result from 0.",
		dto.MetricType_COUNTER, []string{"fix", "result"}}
	runsDesc = desc{"clearance_runs_total",
		"Check runs the agent completed since it started: full runs of every check, and the runs of some checks that confirm a finding before it is shown.",
		dto.MetricType_COUNTER, nil}
	buildInfoDesc = desc{"clearance_build_info",
		"Always 1; the label says which version of Clearance runs.",
		dto.MetricType_GAUGE, []string{"version"}}
)

// statuses are every check status, each exported with 0 or 1, so that a
// rule can count the checks that fail without knowing what else they
// could be, and a status that ends shows as a 0 rather than vanishing.
var statuses = []check.Status{check.Pass, check.Warn, check.Fail, check.Skip, check.Error}

// families gathers series into the messages the exposition formats
// encode, ordered as Prometheus' own client orders them (families by name,
// series by label values), so that one state always reads the same.
type families struct {
	byName map[string]*dto.MetricFamily
	seen   map[string]bool
}

func newFamilies() *families {
	return &families{byName: map[string]*dto.MetricFamily{}, seen: map[string]bool{}}
}

// add adds one series of d. A scraper refuses an exposition with one
// series twice; the snapshot is the agent's to fill, so a second is
// dropped here rather than trusted away.
func (f *families) add(d desc, v float64, values ...string) {
	key := d.name + "\xff" + strings.Join(values, "\xff")
	if f.seen[key] {
		return
	}
	f.seen[key] = true
	mf, ok := f.byName[d.name]
	if !ok {
		mf = &dto.MetricFamily{Name: &d.name, Help: &d.help, Type: d.typ.Enum()}
		f.byName[d.name] = mf
	}
	m := &dto.Metric{}
	for i, name := range d.labels {
		m.Label = append(m.Label, &dto.LabelPair{Name: &name, Value: &values[i]})
	}
	slices.SortFunc(m.Label, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	if d.typ == dto.MetricType_COUNTER {
		m.Counter = &dto.Counter{Value: &v}
	} else {
		m.Gauge = &dto.Gauge{Value: &v}
	}
	mf.Metric = append(mf.Metric, m)
}

// sorted returns the families by name, each one's series by their label
// values.
func (f *families) sorted() []*dto.MetricFamily {
	out := make([]*dto.MetricFamily, 0, len(f.byName))
	for _, mf := range f.byName {
		slices.SortStableFunc(mf.Metric, func(a, b *dto.Metric) int {
			return slices.CompareFunc(a.Label, b.Label, func(x, y *dto.LabelPair) int {
				return cmp.Or(strings.Compare(x.GetName(), y.GetName()), strings.Compare(x.GetValue(), y.GetValue()))
			})
		})
		out = append(out, mf)
	}
	slices.SortFunc(out, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out
}

// addTo adds Clearance's own metrics of s to f. A family with no series
// (no findings yet) is absent.
func (s Snapshot) addTo(f *families) {
	for _, x := range s.Findings {
		f.add(findingDesc, 1, x.Code, x.Severity)
	}
	for _, k := range s.Checks {
		for _, st := range statuses {
			f.add(checkStatusDesc, boolValue(k.Status == string(st)), k.Name, string(st))
		}
		if !slices.Contains(statuses, check.Status(k.Status)) {
			f.add(checkStatusDesc, 1, k.Name, k.Status)
		}
		f.add(checkDurationDesc, k.Duration.Seconds(), k.Name)
	}
	if s.ClockOffset != nil {
		f.add(clockOffsetDesc, *s.ClockOffset)
	}
	for _, p := range s.Probes {
		for _, ph := range []struct {
			name string
			d    float64
		}{{"dns", p.DNS.Seconds()}, {"connect", p.Connect.Seconds()}, {"tls", p.TLS.Seconds()}, {"first_byte", p.FirstByte.Seconds()}} {
			if ph.d > 0 {
				f.add(probePhaseDesc, ph.d, p.Host, ph.name)
			}
		}
		if p.HTTPStatus != 0 {
			f.add(probeStatusDesc, float64(p.HTTPStatus), p.Host)
		}
	}
	for _, x := range s.FixRuns {
		f.add(fixRunsDesc, float64(x.Count), x.Fix, x.Result)
	}
	f.add(runsDesc, float64(s.Runs))
	f.add(buildInfoDesc, 1, s.Version)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
