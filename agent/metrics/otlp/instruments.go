package otlp

import (
	"context"
	"math"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
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

// register creates the instruments and the one callback that observes the
// snapshot Push stored; the SDK calls it from reader.Collect, inside Push,
// with e.mu held.
func (e *Exporter) register() error {
	m := e.provider.Meter("github.com/clearance-app/clearance/agent/metrics/otlp")
	var errs []error
	gauge := func(name, desc string) metric.Int64ObservableGauge {
		g, err := m.Int64ObservableGauge(name, metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	seconds := func(name, desc string) metric.Float64ObservableGauge {
		g, err := m.Float64ObservableGauge(name, metric.WithDescription(desc), metric.WithUnit("s"))
		errs = append(errs, err)
		return g
	}
	counter := func(name, desc string) metric.Int64ObservableCounter {
		c, err := m.Int64ObservableCounter(name, metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	finding := gauge(nameFinding, "1 for each finding a person is shown, by code and severity.")
	status := gauge(nameCheckStatus, "1 for each check's latest status.")
	duration := seconds(nameCheckDuration, "How long each check's latest run took.")
	offset := seconds(nameClockOffset, "The clock's measured offset; absent when the last run could not measure it.")
	phase := seconds(nameProbePhase, "How long each phase of an endpoint request took (dns, connect, tls, first_byte); absent when not reached.")
	httpStatus := gauge(nameProbeStatus, "The HTTP status each endpoint answered; absent when no answer came.")
	fixRuns := counter(nameFixRuns, "Fixes run since the agent started, by fix and result.")
	runs := counter(nameRuns, "Full runs completed since the agent started.")
	build := gauge(nameBuildInfo, "1, with the program's version.")
	for _, err := range errs {
		if err != nil {
			return err
		}
	}

	_, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := e.snap
		for _, f := range s.Findings {
			o.ObserveInt64(finding, 1, attrs(attribute.String("code", f.Code), attribute.String("severity", f.Severity)))
		}
		for _, c := range s.Checks {
			check := attribute.String("check", c.Name)
			o.ObserveInt64(status, 1, attrs(check, attribute.String("status", c.Status)))
			o.ObserveFloat64(duration, c.Duration.Seconds(), attrs(check))
		}
		if s.ClockOffset != nil {
			o.ObserveFloat64(offset, *s.ClockOffset)
		}
		for _, p := range s.Probes {
			host := attribute.String("host", p.Host)
			for _, ph := range []struct {
				name string
				d    time.Duration
			}{{"dns", p.DNS}, {"connect", p.Connect}, {"tls", p.TLS}, {"first_byte", p.FirstByte}} {
				if ph.d > 0 {
					o.ObserveFloat64(phase, ph.d.Seconds(), attrs(host, attribute.String("phase", ph.name)))
				}
			}
			if p.HTTPStatus != 0 {
				o.ObserveInt64(httpStatus, int64(p.HTTPStatus), attrs(host))
			}
		}
		for _, f := range s.FixRuns {
			o.ObserveInt64(fixRuns, count(f.Count), attrs(attribute.String("fix", f.Fix), attribute.String("result", f.Result)))
		}
		o.ObserveInt64(runs, count(s.Runs))
		o.ObserveInt64(build, 1, attrs(attribute.String("version", s.Version)))
		return nil
	}, finding, status, duration, offset, phase, httpStatus, fixRuns, runs, build)
	return err
}

func attrs(kv ...attribute.KeyValue) metric.MeasurementOption {
	return metric.WithAttributes(kv...)
}

// count is a counter's value as OTLP's signed integer; no agent runs long
// enough to reach the bound.
func count(n uint64) int64 {
	return int64(min(n, math.MaxInt64))
}
