package otlp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/clearance-app/clearance/agent/metrics"
	"github.com/clearance-app/clearance/internal/testworld/otlptest"
)

func ptr[T any](v T) *T { return &v }

// known is a snapshot with a value in every field.
func known() metrics.Snapshot {
	return metrics.Snapshot{
		Version:  "1.2.3-test",
		Findings: []metrics.Finding{{Code: "clock-skew", Severity: "warning"}, {Code: "vpn-blocking", Severity: "critical"}},
		Checks: []metrics.Check{
			{Name: "clock", Status: "warn", Duration: 1500 * time.Millisecond},
			{Name: "endpoints", Status: "pass", Duration: 250 * time.Millisecond},
		},
		ClockOffset: ptr(-42.5),
		Probes: []metrics.Probe{
			{Host: "chatgpt.com", DNS: 10 * time.Millisecond, Connect: 20 * time.Millisecond, TLS: 30 * time.Millisecond, FirstByte: 40 * time.Millisecond, HTTPStatus: 200},
			{Host: "cdn.oaistatic.com", DNS: 5 * time.Millisecond}, // refused at connect: no later phase, no answer
		},
		FixRuns: []metrics.FixRuns{{Fix: "dns-flush", Result: "ok", Count: 2}, {Fix: "clock-sync", Result: "failed", Count: 1}},
		Runs:    7,
	}
}

type want struct {
	kind, unit string
	points     map[string]float64
}

// wantKnown is what a collector must receive for known().
var wantKnown = map[string]want{
	"clearance_finding": {"gauge", "", map[string]float64{
		"code=clock-skew,severity=warning": 1, "code=vpn-blocking,severity=critical": 1}},
	"clearance_check_status": {"gauge", "", map[string]float64{
		"check=clock,status=pass": 0, "check=clock,status=warn": 1, "check=clock,status=fail": 0,
		"check=clock,status=skip": 0, "check=clock,status=error": 0,
		"check=endpoints,status=pass": 1, "check=endpoints,status=warn": 0, "check=endpoints,status=fail": 0,
		"check=endpoints,status=skip": 0, "check=endpoints,status=error": 0}},
	"clearance_check_duration_seconds": {"gauge", "s", map[string]float64{
		"check=clock": 1.5, "check=endpoints": 0.25}},
	"clearance_clock_offset_seconds": {"gauge", "s", map[string]float64{"": -42.5}},
	"clearance_probe_phase_seconds": {"gauge", "s", map[string]float64{
		"host=chatgpt.com,phase=dns": 0.01, "host=chatgpt.com,phase=connect": 0.02,
		"host=chatgpt.com,phase=tls": 0.03, "host=chatgpt.com,phase=first_byte": 0.04,
		"host=cdn.oaistatic.com,phase=dns": 0.005}},
	"clearance_probe_http_status": {"gauge", "", map[string]float64{"host=chatgpt.com": 200}},
	"clearance_fix_runs_total": {"counter", "", map[string]float64{
		"fix=dns-flush,result=ok": 2, "fix=clock-sync,result=failed": 1}},
	"clearance_runs_total": {"counter", "", map[string]float64{"": 7}},
	"clearance_build_info": {"gauge", "", map[string]float64{"version=1.2.3-test": 1}},
}

// A push of a known snapshot reaches a collector with every metric's name,
// type, unit, attributes and value, and the resource that says which
// machine it is from; and nothing of it is left running afterwards.
func TestPushSendsTheSnapshot(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	base := runtime.NumGoroutine()
	e, err := New(r.Srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	if err := e.Push(context.Background(), known()); err != nil {
		t.Fatal(err)
	}
	got := r.Next(t)
	if got.Path != "/v1/metrics" {
		t.Errorf("posted to %s, want /v1/metrics under a base URL", got.Path)
	}
	byName, res := otlptest.MetricsOf(t, got.Body)
	checkMetrics(t, byName, wantKnown)
	// The texts a person reads are the Prometheus side's help, word for
	// word, as its known exposition shows them.
	prom, err := os.ReadFile("../testdata/known.prom")
	if err != nil {
		t.Fatal(err)
	}
	help := map[string]string{}
	for line := range strings.Lines(string(prom)) {
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, text, _ := strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
			help[name] = text
		}
	}
	for name, m := range byName {
		if m.GetDescription() != help[name] {
			t.Errorf("%s is described %q, want the Prometheus help %q", name, m.GetDescription(), help[name])
		}
	}

	host, _ := os.Hostname()
	wantRes := map[string]string{
		"service.name": "clearance", "service.version": "1.2.3-test",
		"host.name": host, "service.instance.id": host,
		"os.type": map[string]string{"linux": "linux", "windows": "windows", "darwin": "darwin"}[runtime.GOOS],
	}
	if !maps.Equal(res, wantRes) {
		t.Errorf("resource attributes %v, want %v", res, wantRes)
	}
	otlptest.Settle(t, base)
}

func checkMetrics(t *testing.T, byName map[string]*metricpb.Metric, wants map[string]want) {
	t.Helper()
	for name, w := range wants {
		m := byName[name]
		if m == nil {
			t.Errorf("%s missing", name)
			continue
		}
		if k := otlptest.Kind(m); k != w.kind {
			t.Errorf("%s is a %s, want a %s", name, k, w.kind)
		}
		if m.Unit != w.unit {
			t.Errorf("%s has unit %q, want %q", name, m.Unit, w.unit)
		}
		if p := otlptest.Points(t, m); !maps.Equal(p, w.points) {
			t.Errorf("%s points:\n got %v\nwant %v", name, p, w.points)
		}
	}
	for name := range byName {
		if _, ok := wants[name]; !ok {
			t.Errorf("unexpected metric %s: %v", name, otlptest.Points(t, byName[name]))
		}
	}
}

// Two pushes: the counters carry on from the same start and rise, and what
// the second snapshot no longer has (the findings, the clock offset, a fix
// outcome) is gone from the second push rather than repeated.
func TestPushTwice(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	e, err := New(r.Srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	if err := e.Push(context.Background(), known()); err != nil {
		t.Fatal(err)
	}
	first, _ := otlptest.MetricsOf(t, r.Next(t).Body)

	later := known()
	later.Findings = nil
	later.ClockOffset = nil
	later.FixRuns = []metrics.FixRuns{{Fix: "dns-flush", Result: "ok", Count: 5}}
	later.Runs = 8
	if err := e.Push(context.Background(), later); err != nil {
		t.Fatal(err)
	}
	second, _ := otlptest.MetricsOf(t, r.Next(t).Body)

	wants := maps.Clone(wantKnown)
	delete(wants, "clearance_finding")
	delete(wants, "clearance_clock_offset_seconds")
	wants["clearance_fix_runs_total"] = want{"counter", "", map[string]float64{"fix=dns-flush,result=ok": 5}}
	wants["clearance_runs_total"] = want{"counter", "", map[string]float64{"": 8}}
	checkMetrics(t, second, wants)

	for _, name := range []string{"clearance_runs_total", "clearance_fix_runs_total"} {
		a, b := first[name].GetSum().DataPoints[0], second[name].GetSum().DataPoints[0]
		if a.StartTimeUnixNano != b.StartTimeUnixNano || a.StartTimeUnixNano == 0 {
			t.Errorf("%s: start time %d then %d, want one cumulative start", name, a.StartTimeUnixNano, b.StartTimeUnixNano)
		}
		if b.TimeUnixNano < a.TimeUnixNano {
			t.Errorf("%s: second point's time %d is before the first's %d", name, b.TimeUnixNano, a.TimeUnixNano)
		}
	}
}

// The agent's environment does not configure the push: nothing here reads
// OTEL_* variables, and this keeps it so. Each setting an OTel SDK would
// take from one is set to something else, and the push still goes where the
// config says, as the config says.
func TestPushIgnoresTheOTELEnvironment(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	var strays atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { strays.Add(1) }))
	t.Cleanup(elsewhere.Close)
	for k, v := range map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":                       elsewhere.URL,
		"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT":               elsewhere.URL + "/v1/metrics",
		"OTEL_EXPORTER_OTLP_HEADERS":                        "x-leak=env",
		"OTEL_EXPORTER_OTLP_METRICS_HEADERS":                "x-leak=env",
		"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION":            "none",
		"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "delta",
		"OTEL_RESOURCE_ATTRIBUTES":                          "leak=env,host.name=env-host",
		"OTEL_SERVICE_NAME":                                 "env-service",
	} {
		t.Setenv(k, v)
	}

	e, err := New(r.Srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	for range 2 {
		if err := e.Push(context.Background(), known()); err != nil {
			t.Fatal(err)
		}
		got := r.Next(t)
		if got.Header.Get("X-Leak") != "" || got.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("headers from the environment: %v", got.Header)
		}
		byName, res := otlptest.MetricsOf(t, got.Body)
		checkMetrics(t, byName, wantKnown) // cumulative, not delta
		host, _ := os.Hostname()
		if res["leak"] != "" || res["service.name"] != "clearance" || res["host.name"] != host {
			t.Errorf("resource taken from the environment: %v", res)
		}
	}
	if n := strays.Load(); n != 0 {
		t.Errorf("%d requests went where the environment said", n)
	}
}

// A collector that answers 503 is asked again a few times within the push's
// bound, not for a minute; one that asks to wait longer than the bound is
// not waited for; and the push ends with an error and leaves nothing
// running.
func TestPushToAnUnavailableCollector(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string
	}{{"503", ""}, {"503 retry in an hour", "3600"}} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				n.Add(1)
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				http.Error(w, "collector overloaded", http.StatusServiceUnavailable)
			}))
			t.Cleanup(srv.Close)
			base := runtime.NumGoroutine()
			e, err := newExporter(srv.URL, "1.2.3-test", settings{timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.Shutdown(context.Background()) })
			err = e.Push(context.Background(), known())
			t.Logf("%d requests, then: %v", n.Load(), err)
			if err == nil {
				t.Fatal("a push to a collector that answers 503 succeeded")
			}
			if got := n.Load(); got < 1 || got > 10 {
				t.Errorf("%d requests in one push, want a few", got)
			}
			if tc.retryAfter != "" && n.Load() != 1 {
				t.Errorf("%d requests, want one: the collector asked to wait beyond the bound", n.Load())
			}
			otlptest.Settle(t, base)
		})
	}
}

// A collector that is unavailable for a moment gets the push on a retry,
// within the push's bound; when it says when to come back (Retry-After,
// longer than the first backoff of a fifth of the bound), it is asked
// again no sooner.
func TestPushRetriesABriefOutage(t *testing.T) {
	for _, tc := range []struct {
		retryAfter string
		atLeast    time.Duration
	}{{"", 0}, {"1", time.Second}} {
		t.Run("retry after "+tc.retryAfter, func(t *testing.T) {
			var n atomic.Int32
			var first atomic.Pointer[time.Time]
			r := otlptest.NewReceiver(t, false)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if n.Add(1) == 1 {
					first.Store(ptr(time.Now()))
					if tc.retryAfter != "" {
						w.Header().Set("Retry-After", tc.retryAfter)
					}
					http.Error(w, "collector starting", http.StatusServiceUnavailable)
					return
				}
				if gap := time.Since(*first.Load()); gap < tc.atLeast {
					t.Errorf("asked again after %s, want at least %s", gap, tc.atLeast)
				}
				r.Srv.Config.Handler.ServeHTTP(w, req)
			}))
			t.Cleanup(srv.Close)
			e, err := newExporter(srv.URL, "1.2.3-test", settings{timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.Shutdown(context.Background()) })
			if err := e.Push(context.Background(), known()); err != nil {
				t.Fatalf("after %d requests: %v", n.Load(), err)
			}
			byName, _ := otlptest.MetricsOf(t, r.Next(t).Body)
			checkMetrics(t, byName, wantKnown)
		})
	}
}

// A collector that takes the push but rejects some of its points (an OTLP
// partial success) makes the push fail with the count and its reason, and
// is not asked again.
func TestPushReportsRejectedPoints(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n.Add(1)
		if _, err := otlptest.Decode(req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceResponse{PartialSuccess: &colmetricpb.ExportMetricsPartialSuccess{
			RejectedDataPoints: 3, ErrorMessage: "too many series for clearance_probe_phase_seconds",
		}})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	e, err := New(srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	err = e.Push(context.Background(), known())
	t.Logf("push: %v", err)
	if err == nil || !strings.Contains(err.Error(), "rejected 3 ") || !strings.Contains(err.Error(), "too many series for clearance_probe_phase_seconds") {
		t.Errorf("push answered with a partial success: %v, want an error with the count and the reason", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want one: a partial success is not retried", n.Load())
	}
}

// A collector that refuses the push (400, with the google.rpc.Status an
// OTLP/HTTP server answers with) is not asked again, and its message is in
// the error.
func TestPushToARefusingCollector(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		out, _ := proto.Marshal(&statuspb.Status{Code: 3, Message: "metrics are not accepted on this pipeline"})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusBadRequest)
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	e, err := New(srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	err = e.Push(context.Background(), known())
	t.Logf("push: %v", err)
	if err == nil || !strings.Contains(err.Error(), "400 Bad Request: metrics are not accepted on this pipeline") {
		t.Errorf("push refused with 400: %v, want an error with the status and the collector's message", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want one: a refusal is not retried", n.Load())
	}
}

// A snapshot that names one series twice (two equal findings, a fix
// outcome counted twice) sends one point for it, the last, as a collector
// takes a second point for one series in one push as a conflict.
func TestPushSendsOnePointPerSeries(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	e, err := New(r.Srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	s := known()
	s.Findings = append(s.Findings, s.Findings[0])
	s.FixRuns = append(s.FixRuns, metrics.FixRuns{Fix: "dns-flush", Result: "ok", Count: 3})
	if err := e.Push(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	byName, _ := otlptest.MetricsOf(t, r.Next(t).Body) // points fails on a repeated series
	wants := maps.Clone(wantKnown)
	// The first of a repeated series is sent, as Prometheus is served it.
	wants["clearance_fix_runs_total"] = want{"counter", "", map[string]float64{"fix=dns-flush,result=ok": 2, "fix=clock-sync,result=failed": 1}}
	checkMetrics(t, byName, wants)
}

// A collector that takes the request and never answers costs the push its
// bound, then an error; the connection is not left behind.
func TestPushToAHangingCollector(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		// Read the push, as a collector would, so that the server sees the
		// client hang up (it watches the connection once the body is read).
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	base := runtime.NumGoroutine()
	e, err := newExporter(srv.URL, "1.2.3-test", settings{timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	err = e.Push(context.Background(), known())
	if err == nil {
		t.Fatal("a push to a collector that never answers succeeded")
	}
	t.Logf("push: %v", err)
	otlptest.Settle(t, base)
}

// Over https, the collector's certificate is checked (a test CA here, the
// system's roots in the agent) and the push goes through once it is
// trusted.
func TestPushOverHTTPS(t *testing.T) {
	r := otlptest.NewReceiver(t, true)
	untrusted, err := newExporter(r.Srv.URL, "1.2.3-test", settings{timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { untrusted.Shutdown(context.Background()) })
	var unknownCA x509.UnknownAuthorityError
	if err := untrusted.Push(context.Background(), known()); !errors.As(err, &unknownCA) {
		t.Fatalf("push to a collector with an unknown CA: %v, want x509.UnknownAuthorityError", err)
	}

	roots := x509.NewCertPool()
	roots.AddCert(r.Srv.Certificate())
	e, err := newExporter(r.Srv.URL, "1.2.3-test", settings{timeout: pushTimeout, tlsConfig: &tls.Config{RootCAs: roots}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	if err := e.Push(context.Background(), known()); err != nil {
		t.Fatal(err)
	}
	byName, _ := otlptest.MetricsOf(t, r.Next(t).Body)
	checkMetrics(t, byName, wantKnown)
}

// An endpoint with a path is the metrics endpoint itself: the push goes
// there, not to a /v1/metrics added under it.
func TestPushToAnEndpointWithAPath(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	e, err := New(r.Srv.URL+"/otlp/metrics", "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	if err := e.Push(context.Background(), known()); err != nil {
		t.Fatal(err)
	}
	if got := r.Next(t); got.Path != "/otlp/metrics" {
		t.Errorf("posted to %s, want /otlp/metrics", got.Path)
	}
}

func TestMetricsURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://collector.example:4318":            "http://collector.example:4318/v1/metrics",
		"http://collector.example:4318/":           "http://collector.example:4318/v1/metrics",
		" https://collector.example ":              "https://collector.example/v1/metrics",
		"https://gw.example/v1/metrics":            "https://gw.example/v1/metrics",
		"https://gw.example/tenant/a/v1/metrics":   "https://gw.example/tenant/a/v1/metrics",
		"http://[::1]:4318":                        "http://[::1]:4318/v1/metrics",
		"collector.example:4318":                   "",
		"ftp://collector.example":                  "",
		"":                                         "",
		"http://":                                  "",
		"grpc://collector.example:4317":            "",
		"http://collector.example:4318/%zz":        "",
		"unix:///run/otel.sock":                    "",
		"http://collector.example:4318/v1/metrics": "http://collector.example:4318/v1/metrics",
	} {
		u, err := metricsURL(in)
		switch {
		case want == "" && err == nil:
			t.Errorf("%q: accepted as %s, want an error", in, u)
		case want != "" && err != nil:
			t.Errorf("%q: %v", in, err)
		case want != "" && u.String() != want:
			t.Errorf("%q: %s, want %s", in, u, want)
		}
	}
	if _, err := New("collector.example:4318", "x"); err == nil || !strings.Contains(err.Error(), "[otlp] endpoint") {
		t.Errorf("New with a bare host: %v, want an error that names the setting", err)
	}
}

// After Shutdown, a push fails and sends nothing: the agent shuts the
// exporter down when it stops or when the config turns OTLP off.
func TestPushAfterShutdown(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	e, err := New(r.Srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.Push(context.Background(), known()); err == nil {
		t.Error("a push after Shutdown succeeded")
	}
	select {
	case got := <-r.Reqs:
		t.Errorf("the receiver got a push after Shutdown: %v", got.Path)
	default:
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"3":                             3 * time.Second,
		" 3 ":                           3 * time.Second,
		"99999999999":                   24 * time.Hour,
		"Sun, 01 Mar 2026 12:00:30 GMT": 30 * time.Second,
		"Sun, 01 Mar 2026 11:00:00 GMT": 0,
		"soon":                          0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %s, want %s", h, got, want)
		}
	}
}

// The counters count from when the agent started, as the snapshot says,
// not from when the Exporter was made: a new endpoint makes a new Exporter
// while the counts carry on, and a collector must not take it for a reset.
// A snapshot that does not say falls back to the Exporter's making.
func TestPushCountsFromTheAgentsStart(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	started := time.Now().Add(-time.Hour).Truncate(time.Second)
	s := known()
	s.Started = started
	for i := range 2 { // the second as after an endpoint change
		e, err := New(r.Srv.URL+[]string{"/a", "/b"}[i], "1.2.3-test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Shutdown(context.Background()) })
		if err := e.Push(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		byName, _ := otlptest.MetricsOf(t, r.Next(t).Body)
		for _, name := range []string{"clearance_runs_total", "clearance_fix_runs_total"} {
			for _, p := range byName[name].GetSum().GetDataPoints() {
				if got := time.Unix(0, int64(p.StartTimeUnixNano)); !got.Equal(started) {
					t.Errorf("exporter %d: %s starts at %s, want the agent's start %s", i, name, got, started)
				}
			}
		}
	}

	before := time.Now()
	e, err := New(r.Srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	if err := e.Push(context.Background(), known()); err != nil {
		t.Fatal(err)
	}
	byName, _ := otlptest.MetricsOf(t, r.Next(t).Body)
	p := byName["clearance_runs_total"].GetSum().GetDataPoints()[0]
	if got := time.Unix(0, int64(p.StartTimeUnixNano)); got.Before(before) || got.After(after) {
		t.Errorf("with no agent start, the counter starts at %s, want when the Exporter was made (%s to %s)", got, before, after)
	}
}

// What is zero is sent as a zero, not left out: a fix outcome counted 0
// times, no run yet, a check's statuses other than its own; and a status
// the list does not know is sent as 1 beside the five known ones at 0, as
// the Prometheus side does.
func TestPushSendsZeros(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	e, err := New(r.Srv.URL, "1.2.3-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Shutdown(context.Background()) })
	s := metrics.Snapshot{
		Version: "1.2.3-test",
		Checks:  []metrics.Check{{Name: "dns", Status: "timeout"}},
		FixRuns: []metrics.FixRuns{{Fix: "dns-flush", Result: "fixed", Count: 0}, {Fix: "dns-flush", Result: "failed", Count: 0}},
	}
	if err := e.Push(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	byName, _ := otlptest.MetricsOf(t, r.Next(t).Body)
	checkMetrics(t, byName, map[string]want{
		"clearance_check_status": {"gauge", "", map[string]float64{
			"check=dns,status=pass": 0, "check=dns,status=warn": 0, "check=dns,status=fail": 0,
			"check=dns,status=skip": 0, "check=dns,status=error": 0, "check=dns,status=timeout": 1}},
		"clearance_check_duration_seconds": {"gauge", "s", map[string]float64{"check=dns": 0}},
		"clearance_fix_runs_total": {"counter", "", map[string]float64{
			"fix=dns-flush,result=fixed": 0, "fix=dns-flush,result=failed": 0}},
		"clearance_runs_total": {"counter", "", map[string]float64{"": 0}},
		"clearance_build_info": {"gauge", "", map[string]float64{"version=1.2.3-test": 1}},
	})
}
