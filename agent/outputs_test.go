package agent

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/agent/metrics"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/testbuf"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
	"github.com/clearance-app/clearance/platform/host"
)

// metricsWorld is an agent whose dns check fails with dns-failure, whose
// clock check measures the clock 92.5 s behind (clock-skew), and whose
// real endpoints check probes three loopback hosts: one answering 200,
// one 401, one refusing connections. cfg is the configuration it loads,
// which a test may change between runs.
type metricsWorld struct {
	a          *Agent
	cfg        atomic.Pointer[config.Config]
	ok, unauth string // host:port of the answering hosts
	closed     string
	log        *testbuf.Buffer
}

func newMetricsWorld(t *testing.T, edit func(*config.Config)) *metricsWorld {
	t.Helper()
	return newMetricsWorldThen(t, edit, func() {})
}

// newMetricsWorldThen calls ready once the loopback peers listen, just
// before the agent starts.
func newMetricsWorldThen(t *testing.T, edit func(*config.Config), ready func()) *metricsWorld {
	t.Helper()
	w := &metricsWorld{log: &testbuf.Buffer{}}
	ok, unauth := cftest.New(t, cftest.OK), cftest.New(t, cftest.Unauthorized)
	// Every probe dials afresh, as runs minutes apart do: a reused
	// connection has no connect or TLS phase to export.
	ok.Config.SetKeepAlivesEnabled(false)
	unauth.Config.SetKeepAlivesEnabled(false)
	w.ok, w.unauth, w.closed = epHostOf(ok.URL), epHostOf(unauth.URL), tcptest.Closed(t)
	cfg := config.Default()
	cfg.Endpoints.Hosts = []string{ok.URL + "/", unauth.URL + "/", "https://" + w.closed + "/"}
	cfg.Endpoints.Trace = ""
	cfg.Agent.ConfirmAfter = config.Duration(50 * time.Millisecond)
	edit(&cfg)
	w.cfg.Store(&cfg)

	dns := newScript("dns")
	dns.set(check.Fail, finding.DNSFailure)
	clock := check.Check{Name: "clock", Run: func(_ context.Context, env *check.Env) check.Result {
		return check.Result{Status: check.Warn, Summary: "92.5 s behind",
			Data:     map[string]any{"offset_seconds": -92.5},
			Findings: []finding.Finding{finding.ClockSkew.New(env.Now(), map[string]any{"offset_seconds": -92.5})}}
	}}
	var endpoints check.Check
	for _, c := range check.MachineChecks() {
		if c.Name == "endpoints" {
			endpoints = c
		}
	}
	endpoints.Needs = nil // the network check is not under test
	opts := testOptions(t, dns)
	opts.Checks = append(opts.Checks, clock, endpoints)
	opts.Version = "9.8.7-test"
	opts.Config = func() (config.Config, error) { return *w.cfg.Load(), nil }
	opts.Log = slog.New(slog.NewTextHandler(io.MultiWriter(w.log, os.Stderr), nil))
	pool := cftest.Pool(ok)
	opts.Env = func(cfg *config.Config, log *slog.Logger) check.Env {
		return check.Env{Config: cfg, Log: log, Probe: &probe.Prober{RootCAs: pool}}
	}
	ready()
	w.a = start(t, opts)
	return w
}

func epHostOf(u string) string { return strings.TrimPrefix(u, "https://") }

func (w *metricsWorld) set(edit func(*config.Config)) {
	c := *w.cfg.Load()
	edit(&c)
	w.cfg.Store(&c)
}

// until waits, with a generous deadline, for cond, asking for a run
// between looks; what is published is published after a run.
func until(t *testing.T, a *Agent, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		a.CheckNow()
		time.Sleep(20 * time.Millisecond)
	}
}

func parseExposition(t *testing.T, r io.Reader) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("not the text exposition format: %v", err)
	}
	return mfs
}

func scrapeMetrics(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	return parseExposition(t, resp.Body)
}

// value is the value of the series of name with exactly labels (sorted
// name, value pairs).
func value(mfs map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	for _, m := range mfs[name].GetMetric() {
		var got []string
		for _, l := range m.GetLabel() {
			got = append(got, l.GetName(), l.GetValue())
		}
		if !slices.Equal(got, labels) {
			continue
		}
		if m.Counter != nil {
			return m.GetCounter().GetValue(), true
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

// checkKnownState compares an exposition with what the world's agent
// knows: its visible findings, its checks, the clock's offset, the
// probes, the fixes run and the version.
func checkKnownState(t *testing.T, w *metricsWorld, mfs map[string]*dto.MetricFamily, fixRuns float64) {
	t.Helper()
	types := map[string]dto.MetricType{
		"clearance_finding": dto.MetricType_GAUGE, "clearance_check_status": dto.MetricType_GAUGE,
		"clearance_check_duration_seconds": dto.MetricType_GAUGE, "clearance_clock_offset_seconds": dto.MetricType_GAUGE,
		"clearance_probe_phase_seconds": dto.MetricType_GAUGE, "clearance_probe_http_status": dto.MetricType_GAUGE,
		"clearance_fix_runs_total": dto.MetricType_COUNTER, "clearance_runs_total": dto.MetricType_COUNTER,
		"clearance_build_info": dto.MetricType_GAUGE,
	}
	for name, typ := range types {
		if mf, ok := mfs[name]; !ok || mf.GetType() != typ {
			t.Errorf("%s: %v, want a %s", name, mf, typ)
		}
	}
	if n := len(mfs["clearance_finding"].GetMetric()); n != 2 {
		t.Errorf("%d findings, want dns-failure and clock-skew (openai-unreachable is explained by dns-failure)", n)
	}
	for _, f := range [][]string{{"dns-failure", "critical"}, {"clock-skew", "warning"}} {
		if v, ok := value(mfs, "clearance_finding", "code", f[0], "severity", f[1]); !ok || v != 1 {
			t.Errorf("finding %s: %v %v", f[0], v, ok)
		}
	}
	st := w.a.State()
	if len(st.Checks) != 3 {
		t.Fatalf("state checks %+v", st.Checks)
	}
	for _, c := range st.Checks {
		for _, s := range []check.Status{check.Pass, check.Warn, check.Fail, check.Skip, check.Error} {
			want := 0.0
			if c.Status == s {
				want = 1
			}
			if v, ok := value(mfs, "clearance_check_status", "check", c.Name, "status", string(s)); !ok || v != want {
				t.Errorf("check %s status %s: %v %v, want %v", c.Name, s, v, ok, want)
			}
		}
		// At least 0: a scripted check takes less than Windows's clock
		// tick, and reads 0 there.
		if v, ok := value(mfs, "clearance_check_duration_seconds", "check", c.Name); !ok || v < 0 {
			t.Errorf("check %s duration: %v %v", c.Name, v, ok)
		}
	}
	if v, _ := value(mfs, "clearance_check_status", "check", "dns", "status", "fail"); v != 1 {
		t.Error("the dns check's failure is not 1")
	}
	if v, ok := value(mfs, "clearance_clock_offset_seconds"); !ok || v != -92.5 {
		t.Errorf("clock offset %v %v", v, ok)
	}
	for host, status := range map[string]float64{w.ok: 200, w.unauth: 401} {
		if v, ok := value(mfs, "clearance_probe_http_status", "host", host); !ok || v != status {
			t.Errorf("%s status %v %v, want %v", host, v, ok, status)
		}
		for _, phase := range []string{"connect", "tls", "first_byte"} {
			if v, ok := value(mfs, "clearance_probe_phase_seconds", "host", host, "phase", phase); !ok || v <= 0 || v > 30 {
				t.Errorf("%s %s: %v %v", host, phase, v, ok)
			}
		}
		if _, ok := value(mfs, "clearance_probe_phase_seconds", "host", host, "phase", "dns"); ok {
			t.Errorf("%s: a dns phase for an address", host)
		}
	}
	if _, ok := value(mfs, "clearance_probe_http_status", "host", w.closed); ok {
		t.Error("a host that refused has an HTTP status")
	}
	for _, phase := range []string{"tls", "first_byte"} {
		if _, ok := value(mfs, "clearance_probe_phase_seconds", "host", w.closed, "phase", phase); ok {
			t.Errorf("a host that refused has a %s phase", phase)
		}
	}
	if v, ok := value(mfs, "clearance_fix_runs_total", "fix", fix.DNSFlush, "result", string(api.NotNeeded)); !ok || v != fixRuns {
		t.Errorf("dns-flush runs %v %v, want %v", v, ok, fixRuns)
	}
	// Every fix the agent runs, with every result, from 0: a counter's
	// first series at 1 would show no increase. A dry run is no run.
	if n, want := len(mfs["clearance_fix_runs_total"].GetMetric()), len(privileged)*len(api.Outcomes); n != want {
		t.Errorf("%d fix series, want %d (each fix the agent runs with each result)", n, want)
	}
	for id := range privileged {
		for _, r := range api.Outcomes {
			want := 0.0
			if id == fix.DNSFlush && r == api.NotNeeded {
				want = fixRuns
			}
			if v, ok := value(mfs, "clearance_fix_runs_total", "fix", id, "result", string(r)); !ok || v != want {
				t.Errorf("fix %s result %s: %v (present %v), want %v", id, r, v, ok, want)
			}
		}
	}
	if v, ok := value(mfs, "clearance_runs_total"); !ok || v < 2 {
		t.Errorf("runs %v %v, want the first and a confirmation at least", v, ok)
	}
	if v, ok := value(mfs, "clearance_build_info", "version", "9.8.7-test"); !ok || v != 1 {
		t.Errorf("build info %v %v", v, ok)
	}
}

// The agent serves its state on the configured address, parsed by
// Prometheus' own parser, with names promlint accepts and the
// agent process's own numbers beside Clearance's.
func TestMetricsServedFromTheAgentsState(t *testing.T) {
	w := newMetricsWorld(t, func(c *config.Config) { c.Metrics.Listen = "127.0.0.1:0" })
	a := w.a
	until(t, a, "the findings to be confirmed", func() bool { return len(a.State().Findings) == 2 })
	runFix(t, a, fix.DNSFlush, api.FixOptions{})
	runFix(t, a, fix.DNSFlush, api.FixOptions{})
	runFix(t, a, fix.DNSFlush, api.FixOptions{DryRun: true})
	var mfs map[string]*dto.MetricFamily
	until(t, a, "the fixes and findings to be published", func() bool {
		addr := a.metricsAddr()
		if addr == "" {
			return false
		}
		mfs = scrapeMetrics(t, addr)
		v, _ := value(mfs, "clearance_fix_runs_total", "fix", fix.DNSFlush, "result", string(api.NotNeeded))
		return v == 2 && len(mfs["clearance_finding"].GetMetric()) == 2
	})
	checkKnownState(t, w, mfs, 2)
	// The process's own, those this system tells (host.ReadUsage): Wine,
	// for one, gives no handle count.
	u := host.ReadUsage()
	for name, told := range map[string]bool{"go_goroutines": true, "go_memstats_heap_alloc_bytes": true, "process_start_time_seconds": true,
		"process_resident_memory_bytes": u.ResidentBytesKnown, "process_cpu_seconds_total": u.CPUSecondsKnown, "process_open_fds": u.OpenFilesKnown} {
		if _, ok := mfs[name]; ok != told {
			t.Errorf("%s present %v, want %v (the agent process's own, where the system tells it)", name, ok, told)
		}
	}
	var fams []*dto.MetricFamily
	for _, mf := range mfs {
		fams = append(fams, mf)
	}
	problems, err := promlint.NewWithMetricFamilies(fams).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	t.Logf("promlint: %d problems in %d families", len(problems), len(mfs))
}

// The textfile holds the same state, rewritten after each run, 0644, with
// nothing else left in its directory.
func TestMetricsTextfileFromTheAgentsState(t *testing.T) {
	dir := roottest.Dir(t)
	path := filepath.Join(dir, "clearance.prom")
	w := newMetricsWorld(t, func(c *config.Config) { c.Metrics.Textfile = path })
	a := w.a
	until(t, a, "the findings to be confirmed", func() bool { return len(a.State().Findings) == 2 })
	runFix(t, a, fix.DNSFlush, api.FixOptions{})
	var mfs map[string]*dto.MetricFamily
	until(t, a, "the textfile to show the fix and the findings", func() bool {
		f, err := os.Open(path)
		if err != nil {
			return false
		}
		defer f.Close()
		mfs = parseExposition(t, f)
		v, _ := value(mfs, "clearance_fix_runs_total", "fix", fix.DNSFlush, "result", string(api.NotNeeded))
		return v == 1 && len(mfs["clearance_finding"].GetMetric()) == 2
	})
	checkKnownState(t, w, mfs, 1)
	for name := range mfs {
		if !strings.HasPrefix(name, "clearance_") {
			t.Errorf("the textfile has %s, which node_exporter exports itself", name)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("textfile %v %v, want mode 0644", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %v, want only clearance.prom", entries)
	}
	if a.metricsAddr() != "" {
		t.Error("a listener was opened with only a textfile configured")
	}
}

// A textfile that may not be written is said once in the log, however
// many runs fail the same way, and once more when it works again.
func TestSecurityMetricsTextfileRefusalIsLoggedOnce(t *testing.T) {
	roottest.NeedRoot(t, "to make a directory others may write that root refuses")
	open := filepath.Join(roottest.Dir(t), "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(open, "clearance.prom")
	w := newMetricsWorld(t, func(c *config.Config) { c.Metrics.Textfile = path })
	a := w.a
	start := a.runs.Load()
	until(t, a, "five runs", func() bool { return a.runs.Load() >= start+5 })
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("written into a directory others may write: %v", err)
	}
	if n := strings.Count(w.log.String(), "could not write the metrics textfile"); n != 1 {
		t.Fatalf("the refusal was logged %d times over five runs, want once:\n%s", n, w.log)
	}
	if !strings.Contains(w.log.String(), "may be written by anyone") {
		t.Errorf("the log does not say why:\n%s", w.log)
	}
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	until(t, a, "the textfile once the directory is closed", func() bool { _, err := os.Stat(path); return err == nil })
	until(t, a, "the log to say so", func() bool { return strings.Contains(w.log.String(), "writing the metrics textfile again") })
}

// The listener follows the configuration at each run: moved when the
// address changes, closed when it is taken out; the old address is then
// refused.
func TestMetricsListenerFollowsTheConfiguration(t *testing.T) {
	w := newMetricsWorld(t, func(c *config.Config) { c.Metrics.Listen = "127.0.0.1:0" })
	a := w.a
	until(t, a, "the listener", func() bool { return a.metricsAddr() != "" })
	first := a.metricsAddr()
	scrapeMetrics(t, first)

	w.set(func(c *config.Config) { c.Metrics.Listen = "127.0.0.2:0" })
	until(t, a, "the listener to move", func() bool { return strings.HasPrefix(a.metricsAddr(), "127.0.0.2:") })
	second := a.metricsAddr()
	scrapeMetrics(t, second)
	refused(t, first)

	w.set(func(c *config.Config) { c.Metrics.Listen = "" })
	until(t, a, "the listener to close", func() bool { return a.metricsAddr() == "" })
	refused(t, second)
}

func refused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections", addr)
	}
}

// recordingPusher stands in for the OTLP exporter, which has tests of its
// own against a real receiver: it records what the agent hands it.
type recordingPusher struct {
	endpoint string
	mu       sync.Mutex
	pushes   []metrics.Snapshot
	err      error
	shut     bool
}

func (p *recordingPusher) Push(_ context.Context, s metrics.Snapshot) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pushes = append(p.pushes, s)
	return p.err
}

func (p *recordingPusher) Shutdown(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shut = true
	return nil
}

func (p *recordingPusher) state() (n int, last metrics.Snapshot, shut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pushes) > 0 {
		last = p.pushes[len(p.pushes)-1]
	}
	return len(p.pushes), last, p.shut
}

// A pusher is made for the configured endpoint, handed the snapshot after
// every run, made anew when the endpoint changes (the old one shut down),
// and its failures are logged once per change of error.
func TestMetricsPusherFollowsTheConfiguration(t *testing.T) {
	var mu sync.Mutex
	var made []*recordingPusher
	opts := testOptions(t)
	opts.Checks = []check.Check{{Name: "dns", Run: func(context.Context, *check.Env) check.Result {
		return check.Result{Status: check.Pass}
	}}}
	var cfg atomic.Pointer[config.Config]
	c := config.Default()
	// The endpoint carries a collector's credentials: the pusher gets them,
	// the log never shows them.
	c.OTLP.Endpoint = "http://ops:S3cretToken@127.0.0.1:1/a"
	cfg.Store(&c)
	opts.Config = func() (config.Config, error) { return *cfg.Load(), nil }
	log := &testbuf.Buffer{}
	opts.Log = slog.New(slog.NewTextHandler(log, nil))
	opts.NewPusher = func(endpoint string) (Pusher, error) {
		mu.Lock()
		defer mu.Unlock()
		p := &recordingPusher{endpoint: endpoint, err: errors.New("collector said 503")}
		made = append(made, p)
		return p, nil
	}
	pushers := func() []*recordingPusher { mu.Lock(); defer mu.Unlock(); return slices.Clone(made) }
	a := start(t, opts)
	until(t, a, "three pushes", func() bool {
		ps := pushers()
		if len(ps) != 1 {
			return false
		}
		n, _, _ := ps[0].state()
		return n >= 3
	})
	if _, last, _ := pushers()[0].state(); last.Runs < 1 || len(last.Checks) != 1 || last.Checks[0].Name != "dns" {
		t.Errorf("pushed %+v", last)
	}
	if n := strings.Count(log.String(), "could not push the metrics"); n != 1 {
		t.Errorf("a lasting push failure logged %d times, want once:\n%s", n, log)
	}
	if got := pushers()[0].endpoint; got != c.OTLP.Endpoint {
		t.Errorf("the pusher was made for %s, want the endpoint as configured", got)
	}
	if !strings.Contains(log.String(), "endpoint=http://ops:xxxxx@127.0.0.1:1/a") {
		t.Errorf("the push failure's log line does not name the endpoint, redacted:\n%s", log)
	}

	c2 := *cfg.Load()
	c2.OTLP.Endpoint = "http://S3cretToken@127.0.0.1:1/b"
	cfg.Store(&c2)
	until(t, a, "a pusher for the new endpoint", func() bool {
		ps := pushers()
		if len(ps) != 2 {
			return false
		}
		n, _, _ := ps[1].state()
		return n >= 1
	})
	ps := pushers()
	if _, _, shut := ps[0].state(); !shut || ps[1].endpoint != c2.OTLP.Endpoint {
		t.Errorf("the old pusher shut %v; the new one pushes to %s", shut, ps[1].endpoint)
	}

	c3 := *cfg.Load()
	c3.OTLP.Endpoint = ""
	cfg.Store(&c3)
	until(t, a, "the pusher to be shut down", func() bool { _, _, shut := pushers()[1].state(); return shut })
	if len(pushers()) != 2 {
		t.Errorf("%d pushers made", len(pushers()))
	}
	if strings.Contains(log.String(), "S3cretToken") {
		t.Errorf("the log shows the endpoint's credentials:\n%s", log)
	}
}
