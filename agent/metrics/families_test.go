package metrics

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
)

func offset(v float64) *float64 { return &v }

// known is a snapshot with one of everything, and a series twice.
var known = Snapshot{
	Version: "1.2.3",
	Findings: []Finding{
		{Code: "clock-skew", Severity: "warning"},
		{Code: "dns-failure", Severity: "critical"},
		{Code: "dns-failure", Severity: "critical"},
	},
	Checks: []Check{
		{Name: "clock", Status: "warn", Duration: 1500 * time.Millisecond},
		{Name: "dns", Status: "fail", Duration: 20 * time.Millisecond},
	},
	ClockOffset: offset(-92.5),
	Probes: []Probe{
		{Host: "chatgpt.com", DNS: 3 * time.Millisecond, Connect: 10 * time.Millisecond, TLS: 25 * time.Millisecond, FirstByte: 120 * time.Millisecond, HTTPStatus: 403},
		{Host: "api.openai.com", Connect: 11 * time.Millisecond},
	},
	FixRuns: []FixRuns{{Fix: "time-sync", Result: "fixed", Count: 2}, {Fix: "dns-flush", Result: "failed", Count: 1}},
	Runs:    41,
	Started: time.Unix(1700000000, 500_000_000),
}

// The served exposition, read by Prometheus' own parser: every metric with
// its type, labels and value; check statuses as an enum of 0 and 1; what
// was not measured absent, not 0; a series given twice exported once.
func TestExpositionOfAKnownSnapshot(t *testing.T) {
	e := New()
	e.Set(known)
	srv := e.serve(listenLoopback(t), quietLog(), nil, nil)
	t.Cleanup(func() { srv.Close() })
	mfs := scrape(t, "http://"+srv.Addr().String()+"/metrics")

	types := map[string]dto.MetricType{
		"clearance_finding": dto.MetricType_GAUGE, "clearance_check_status": dto.MetricType_GAUGE,
		"clearance_check_duration_seconds": dto.MetricType_GAUGE, "clearance_clock_offset_seconds": dto.MetricType_GAUGE,
		"clearance_probe_phase_seconds": dto.MetricType_GAUGE, "clearance_probe_http_status": dto.MetricType_GAUGE,
		"clearance_fix_runs_total": dto.MetricType_COUNTER, "clearance_runs_total": dto.MetricType_COUNTER,
		"clearance_build_info": dto.MetricType_GAUGE,
		"go_goroutines":        dto.MetricType_GAUGE, "go_memstats_heap_alloc_bytes": dto.MetricType_GAUGE,
		"process_start_time_seconds": dto.MetricType_GAUGE, "process_cpu_seconds_total": dto.MetricType_COUNTER,
	}
	for name, typ := range types {
		mf, ok := mfs[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if mf.GetType() != typ || mf.GetHelp() == "" {
			t.Errorf("%s: type %s, help %q; want %s with a help text", name, mf.GetType(), mf.GetHelp(), typ)
		}
	}
	counts := map[string]int{"clearance_finding": 2, "clearance_check_status": 10, "clearance_check_duration_seconds": 2,
		"clearance_clock_offset_seconds": 1, "clearance_probe_phase_seconds": 5, "clearance_probe_http_status": 1,
		"clearance_fix_runs_total": 2, "clearance_runs_total": 1, "clearance_build_info": 1}
	for name, n := range counts {
		if got := len(mfs[name].GetMetric()); got != n {
			t.Errorf("%s: %d series, want %d", name, got, n)
		}
	}
	want := []struct {
		name   string
		labels []string
		v      float64
	}{
		{"clearance_finding", []string{"code", "clock-skew", "severity", "warning"}, 1},
		{"clearance_finding", []string{"code", "dns-failure", "severity", "critical"}, 1},
		{"clearance_check_status", []string{"check", "clock", "status", "warn"}, 1},
		{"clearance_check_status", []string{"check", "clock", "status", "pass"}, 0},
		{"clearance_check_status", []string{"check", "dns", "status", "fail"}, 1},
		{"clearance_check_status", []string{"check", "dns", "status", "error"}, 0},
		{"clearance_check_duration_seconds", []string{"check", "clock"}, 1.5},
		{"clearance_check_duration_seconds", []string{"check", "dns"}, 0.02},
		{"clearance_clock_offset_seconds", nil, -92.5},
		{"clearance_probe_phase_seconds", []string{"host", "chatgpt.com", "phase", "dns"}, 0.003},
		{"clearance_probe_phase_seconds", []string{"host", "chatgpt.com", "phase", "connect"}, 0.01},
		{"clearance_probe_phase_seconds", []string{"host", "chatgpt.com", "phase", "tls"}, 0.025},
		{"clearance_probe_phase_seconds", []string{"host", "chatgpt.com", "phase", "first_byte"}, 0.12},
		{"clearance_probe_phase_seconds", []string{"host", "api.openai.com", "phase", "connect"}, 0.011},
		{"clearance_probe_http_status", []string{"host", "chatgpt.com"}, 403},
		{"clearance_fix_runs_total", []string{"fix", "time-sync", "result", "fixed"}, 2},
		{"clearance_fix_runs_total", []string{"fix", "dns-flush", "result", "failed"}, 1},
		{"clearance_runs_total", nil, 41},
		{"clearance_build_info", []string{"version", "1.2.3"}, 1},
	}
	for _, w := range want {
		if v, ok := series(mfs, w.name, w.labels...); !ok || v != w.v {
			t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, v, ok, w.v)
		}
	}
	if v, _ := series(mfs, "process_start_time_seconds"); v != 1700000000.5 {
		t.Errorf("process_start_time_seconds %v, want the snapshot's Started", v)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total"} {
		if v, ok := series(mfs, name); !ok || v < 0 {
			t.Errorf("%s = %v (present %v)", name, v, ok)
		}
	}
	if _, ok := series(mfs, "clearance_probe_http_status", "host", "api.openai.com"); ok {
		t.Error("a host that did not answer has an HTTP status")
	}
	if _, ok := series(mfs, "clearance_probe_phase_seconds", "host", "api.openai.com", "phase", "tls"); ok {
		t.Error("a phase not reached is exported")
	}

	problems, err := promlint.NewWithMetricFamilies(familyList(mfs)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	t.Logf("promlint: %d problems in %d families", len(problems), len(mfs))
}

// Before any run, and when the clock could not be measured, there is no
// offset: a 0 would read as a perfect clock.
func TestNoClockOffsetWhenNotMeasured(t *testing.T) {
	e := New()
	e.Set(Snapshot{Version: "1", Checks: []Check{{Name: "clock", Status: "error"}}})
	var buf bytes.Buffer
	for _, mf := range e.served() {
		fmt.Fprintln(&buf, mf.GetName())
	}
	if strings.Contains(buf.String(), "clearance_clock_offset_seconds") || strings.Contains(buf.String(), "clearance_finding\n") {
		t.Fatalf("families of an unmeasured clock:\n%s", buf.String())
	}
}

func familyList(mfs map[string]*dto.MetricFamily) []*dto.MetricFamily {
	var out []*dto.MetricFamily
	for _, mf := range mfs {
		out = append(out, mf)
	}
	return out
}
