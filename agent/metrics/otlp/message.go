package otlp

import (
	"math"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/clearance-app/clearance/agent/metrics"
)

// scopeName is the instrumentation scope the metrics are sent under.
const scopeName = "github.com/clearance-app/clearance/agent/metrics/otlp"

// message is what one push sends for s, observed at now: one resource, one
// scope, a metric per name that has a point, as metrics.Desc describes it.
// A metric with no point this time (no finding, no clock offset) is left
// out rather than repeated.
func (e *Exporter) message(s metrics.Snapshot, now time.Time) *metricpb.ResourceMetrics {
	// The counters count from the agent's start, which outlives this
	// Exporter when the endpoint changes: a start of their own would have
	// a collector see a reset that did not happen.
	start := s.Started
	if start.IsZero() {
		start = e.start
	}
	var order []*series
	byDesc := map[*metrics.Desc]*series{}
	for _, x := range s.Series() {
		m, ok := byDesc[x.Desc]
		if !ok {
			m = &series{desc: x.Desc}
			byDesc[x.Desc] = m
			order = append(order, m)
		}
		m.add(x)
	}
	scope := &metricpb.ScopeMetrics{Scope: &commonpb.InstrumentationScope{Name: scopeName}}
	for _, m := range order {
		scope.Metrics = append(scope.Metrics, m.metric(uint64(start.UnixNano()), uint64(now.UnixNano())))
	}
	return &metricpb.ResourceMetrics{
		Resource:     e.resource,
		ScopeMetrics: []*metricpb.ScopeMetrics{scope},
		SchemaUrl:    schemaURL,
	}
}

// series gathers one metric's points, one per set of attributes
// (Snapshot.Series gives each once).
type series struct {
	desc   *metrics.Desc
	points []*metricpb.NumberDataPoint
}

// add records x's point, its attributes in the order of the metric's
// label names (alphabetical, as an OTel SDK sorts them).
func (s *series) add(x metrics.Series) {
	p := &metricpb.NumberDataPoint{Value: &metricpb.NumberDataPoint_AsDouble{AsDouble: x.Value}}
	if s.desc.Int {
		p.Value = &metricpb.NumberDataPoint_AsInt{AsInt: toInt(x.Value)}
	}
	kv := make([]string, 0, 2*len(x.LabelValues))
	for i, v := range x.LabelValues {
		kv = append(kv, s.desc.Labels[i], v)
	}
	p.Attributes = attributes(kv)
	s.points = append(s.points, p)
}

// metric is the series as OTLP sends it; its points are stamped now, and a
// counter's also with its start: a counter is a cumulative monotonic sum
// counted since the agent started, anything else a gauge.
func (s *series) metric(start, now uint64) *metricpb.Metric {
	for _, p := range s.points {
		p.TimeUnixNano = now
		if s.desc.Counter {
			p.StartTimeUnixNano = start
		}
	}
	m := &metricpb.Metric{Name: s.desc.Name, Unit: s.desc.Unit, Description: s.desc.Help}
	if s.desc.Counter {
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

// toInt is a whole value as OTLP's signed integer; no counter grows large
// enough to reach the bound, nor to lose a unit as a float64 (2^53).
func toInt(v float64) int64 {
	if v >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}
