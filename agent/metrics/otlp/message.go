package otlp

import (
	"math"
	"slices"
	"strings"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/metrics"
)

// The names are the Prometheus side's, underscores, units and _total
// included, rather than OpenTelemetry's dotted style: a collector that
// exports to Prometheus then gives the same names under every translation
// strategy (it adds a unit or _total suffix only where it is missing, and
// keeps dots under the UTF-8 strategies), so one dashboard reads both.
// Units are set only where they are seconds: "1" would add _ratio.
const (
	nameFinding       = "clearance_finding"
	nameCheckStatus   = "clearance_check_status"
	nameCheckDuration = "clearance_check_duration_seconds"
	nameClockOffset   = "clearance_clock_offset_seconds"
	nameProbePhase    = "clearance_probe_phase_seconds"
	nameProbeStatus   = "clearance_probe_http_status"
	nameFixRuns       = "clearance_fix_runs_total"
	nameRuns          = "clearance_runs_total"
	nameBuildInfo     = "clearance_build_info"
)

// statuses are every check status, each sent with 0 or 1 as the
// Prometheus side exports them (agent/metrics), so that one alert rule
// reads both: it can count the checks that fail without knowing what else
// they could be, and a status that ends shows as a 0 rather than
// vanishing.
var statuses = []check.Status{check.Pass, check.Warn, check.Fail, check.Skip, check.Error}

// scopeName is the instrumentation scope the metrics are sent under.
const scopeName = "github.com/clearance-app/clearance/agent/metrics/otlp"

// message is what one push sends for s, observed at now: one resource, one
// scope, a metric per name that has a point. A metric with no point this
// time (no finding, no clock offset) is left out rather than repeated.
func (e *Exporter) message(s metrics.Snapshot, now time.Time) *metricpb.ResourceMetrics {
	finding := gauge(nameFinding, "", "1 for each finding a person is shown, by code and severity.")
	status := gauge(nameCheckStatus, "", "The outcome of each check's latest run: 1 for the current status (pass, warn, fail, skip or error), 0 for the others.")
	duration := gauge(nameCheckDuration, "s", "How long each check's latest run took.")
	offset := gauge(nameClockOffset, "s", "The clock's measured offset; absent when the last run could not measure it.")
	phase := gauge(nameProbePhase, "s", "How long each phase of an endpoint request took (dns, connect, tls, first_byte); absent when not reached.")
	httpStatus := gauge(nameProbeStatus, "", "The HTTP status each endpoint answered; absent when no answer came.")
	fixRuns := counter(nameFixRuns, "Fixes run since the agent started, by fix and result.")
	runs := counter(nameRuns, "Check runs the agent completed since it started, full or of some checks (a confirmation).")
	build := gauge(nameBuildInfo, "", "1, with the program's version.")

	for _, f := range s.Findings {
		finding.add(intPoint(1), "code", f.Code, "severity", f.Severity)
	}
	for _, c := range s.Checks {
		for _, st := range statuses {
			status.add(intPoint(boolValue(c.Status == string(st))), "check", c.Name, "status", string(st))
		}
		if !slices.Contains(statuses, check.Status(c.Status)) {
			status.add(intPoint(1), "check", c.Name, "status", c.Status)
		}
		duration.add(seconds(c.Duration), "check", c.Name)
	}
	if s.ClockOffset != nil {
		offset.add(doublePoint(*s.ClockOffset))
	}
	for _, p := range s.Probes {
		for _, ph := range []struct {
			name string
			d    time.Duration
		}{{"dns", p.DNS}, {"connect", p.Connect}, {"tls", p.TLS}, {"first_byte", p.FirstByte}} {
			if ph.d > 0 {
				phase.add(seconds(ph.d), "host", p.Host, "phase", ph.name)
			}
		}
		if p.HTTPStatus != 0 {
			httpStatus.add(intPoint(int64(p.HTTPStatus)), "host", p.Host)
		}
	}
	for _, f := range s.FixRuns {
		fixRuns.add(count(f.Count), "fix", f.Fix, "result", f.Result)
	}
	runs.add(count(s.Runs))
	build.add(intPoint(1), "version", s.Version)

	// The counters count from the agent's start, which outlives this
	// Exporter when the endpoint changes: a start of their own would have
	// a collector see a reset that did not happen.
	start := s.Started
	if start.IsZero() {
		start = e.start
	}
	scope := &metricpb.ScopeMetrics{Scope: &commonpb.InstrumentationScope{Name: scopeName}}
	for _, m := range []*series{finding, status, duration, offset, phase, httpStatus, fixRuns, runs, build} {
		if len(m.points) > 0 {
			scope.Metrics = append(scope.Metrics, m.metric(uint64(start.UnixNano()), uint64(now.UnixNano())))
		}
	}
	return &metricpb.ResourceMetrics{
		Resource:     e.resource,
		ScopeMetrics: []*metricpb.ScopeMetrics{scope},
		SchemaUrl:    schemaURL,
	}
}

// series gathers one metric's points, one per set of attributes: a second
// point with the same attributes replaces the first, so a collector never
// gets two values for one series in one push.
type series struct {
	name, unit, desc string
	// counter makes the metric a cumulative monotonic sum counted since
	// the agent started; otherwise it is a gauge.
	counter bool
	points  []*metricpb.NumberDataPoint
	index   map[string]int
}

func gauge(name, unit, desc string) *series {
	return &series{name: name, unit: unit, desc: desc, index: map[string]int{}}
}

func counter(name, desc string) *series {
	return &series{name: name, desc: desc, counter: true, index: map[string]int{}}
}

// add records p with the attributes kv, alternating keys and values with
// the keys in order (as an OTel SDK sorts them).
func (s *series) add(p *metricpb.NumberDataPoint, kv ...string) {
	p.Attributes = attributes(kv)
	key := strings.Join(kv, "\x00")
	if i, ok := s.index[key]; ok {
		s.points[i] = p
		return
	}
	s.index[key] = len(s.points)
	s.points = append(s.points, p)
}

// metric is the series as OTLP sends it; its points are stamped now, and a
// counter's also with its start.
func (s *series) metric(start, now uint64) *metricpb.Metric {
	for _, p := range s.points {
		p.TimeUnixNano = now
		if s.counter {
			p.StartTimeUnixNano = start
		}
	}
	m := &metricpb.Metric{Name: s.name, Unit: s.unit, Description: s.desc}
	if s.counter {
		m.Data = &metricpb.Metric_Sum{Sum: &metricpb.Sum{
			DataPoints:             s.points,
			AggregationTemporality: metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE,
			IsMonotonic:            true,
		}}
	} else {
		m.Data = &metricpb.Metric_Gauge{Gauge: &metricpb.Gauge{DataPoints: s.points}}
	}
	return m
}

func intPoint(v int64) *metricpb.NumberDataPoint {
	return &metricpb.NumberDataPoint{Value: &metricpb.NumberDataPoint_AsInt{AsInt: v}}
}

func boolValue(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func doublePoint(v float64) *metricpb.NumberDataPoint {
	return &metricpb.NumberDataPoint{Value: &metricpb.NumberDataPoint_AsDouble{AsDouble: v}}
}

func seconds(d time.Duration) *metricpb.NumberDataPoint {
	return doublePoint(d.Seconds())
}

// count is a counter's value as OTLP's signed integer; no agent runs long
// enough to reach the bound.
func count(n uint64) *metricpb.NumberDataPoint {
	return intPoint(int64(min(n, math.MaxInt64)))
}
