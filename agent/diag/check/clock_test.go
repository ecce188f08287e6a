package check

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/timesync"
)

// clockWorld is a loopback world for the clock check: NTP responders, TLS
// web servers, and an environment pointing at them and nowhere else.
type clockWorld struct {
	t   *testing.T
	cfg config.Config
	// closed is the witness until a web server takes its place: nothing
	// listens there, so no probe leaves loopback.
	closed string
	pool   *x509.CertPool
	ntp    *ntpq.Client
	now    func() time.Time
	host   *fakeHost
}

func newClockWorld(t *testing.T) *clockWorld {
	t.Helper()
	cfg := config.Default()
	cfg.Clock.NTPServers = nil
	cfg.Clock.Timeout = config.Duration(10 * time.Second)
	cfg.Network.Witness = "https://" + tcptest.Closed(t) + "/"
	cfg.Endpoints.Hosts = nil
	return &clockWorld{
		t: t, cfg: cfg, closed: cfg.Network.Witness, pool: x509.NewCertPool(), ntp: &ntpq.Client{}, now: time.Now,
		host: &fakeHost{timeSync: timesync.State{Service: "chronyd", Active: true}},
	}
}

// ntpServer adds an NTP responder to the configuration.
func (w *clockWorld) ntpServer(opts ntptest.Options) *ntptest.Server {
	s := ntptest.Serve(w.t, opts)
	w.cfg.Clock.NTPServers = append(w.cfg.Clock.NTPServers, s.Addr)
	return s
}

// webServer adds a TLS server whose Date header is skew away from ours.
func (w *clockWorld) webServer(skew time.Duration) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
	}))
	srv.Config.ErrorLog = clockQuietLog
	srv.StartTLS()
	w.t.Cleanup(srv.Close)
	w.pool.AddCert(srv.Certificate())
	w.addWeb(srv.URL + "/")
}

// addWeb adds a web server: as the witness first (the check asks it first),
// then as an endpoint host.
func (w *clockWorld) addWeb(u string) {
	if w.cfg.Network.Witness == w.closed {
		w.cfg.Network.Witness = u
		return
	}
	w.cfg.Endpoints.Hosts = append(w.cfg.Endpoints.Hosts, u)
}

// certServer adds a TLS server with a certificate valid only between the dates.
func (w *clockWorld) certServer(notBefore, notAfter time.Time) {
	ca := cftest.NewCA(w.t, pkix.Name{CommonName: "clock test CA"})
	srv := cftest.NewServerWithCert(w.t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), ca.Leaf(w.t, notBefore, notAfter))
	w.pool.AddCert(ca.Cert)
	w.addWeb(srv.URL + "/")
}

func (w *clockWorld) env() *Env {
	return &Env{Config: &w.cfg, Now: w.now, NTP: w.ntp, Probe: &probe.Prober{RootCAs: w.pool, Now: w.now}, Host: w.host}
}

// run runs the check under its configured timeout, failing the test if it
// does not return well after that.
func (w *clockWorld) run() Result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), w.cfg.Clock.Timeout.D())
	defer cancel()
	done := make(chan Result, 1)
	go func() { done <- runClock(ctx, w.env()) }()
	select {
	case r := <-done:
		return r
	case <-time.After(w.cfg.Clock.Timeout.D() + 10*time.Second):
		w.t.Fatal("the clock check did not return after its deadline")
		return Result{}
	}
}

var clockQuietLog = log.New(io.Discard, "", 0)

func clockFinding(r Result, code finding.Code) (finding.Finding, bool) {
	for _, f := range r.Findings {
		if f.Code == code {
			return f, true
		}
	}
	return finding.Finding{}, false
}

func clockNear(t *testing.T, what string, got any, want, tolerance float64) {
	t.Helper()
	v, ok := got.(float64)
	if !ok || math.Abs(v-want) > tolerance {
		t.Errorf("%s = %v, want %v ± %v", what, got, want, tolerance)
	}
}

func clockSourceStatus(t *testing.T, r Result, key, source string) *clockSource {
	t.Helper()
	list, _ := r.Data[key].([]*clockSource)
	for _, s := range list {
		if s.Source == source {
			return s
		}
	}
	t.Fatalf("no %s source %q in data: %+v", key, source, r.Data[key])
	return nil
}

func TestClockThresholdsAndSign(t *testing.T) {
	for _, tc := range []struct {
		name       string
		serverSkew time.Duration // how far the time servers are from our clock
		want       float64       // offset_seconds: local − true
		severity   finding.Severity
		title      string
	}{
		{"servers 42 s ahead: we are 42 s behind", 42 * time.Second, -42, finding.Warning, "The clock is 42 seconds behind"},
		{"servers 92 s behind: we are 92 s ahead", -92 * time.Second, 92, finding.Critical, "The clock is 92 seconds ahead"},
		{"just over the warning line", -16 * time.Second, 16, finding.Warning, "The clock is 16 seconds ahead"},
		{"hours off", 3*time.Hour + 10*time.Second, -10810, finding.Critical, "The clock is about 3 hours behind"},
		{"within tolerance", 5 * time.Second, -5, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newClockWorld(t)
			for range 3 {
				w.ntpServer(ntptest.Options{Offset: tc.serverSkew})
			}
			r := w.run()
			clockNear(t, "offset_seconds", r.Data["offset_seconds"], tc.want, 0.5)
			if r.Data["method"] != ntpq.MethodNTP || len(r.Data["sources"].([]string)) != 3 {
				t.Errorf("method %v, sources %v; want ntp from 3 servers", r.Data["method"], r.Data["sources"])
			}
			f, ok := clockFinding(r, finding.ClockSkew.Code)
			if tc.severity == "" {
				if ok || r.Status != "" {
					t.Fatalf("unexpected finding %+v, status %q", f, r.Status)
				}
				return
			}
			if !ok {
				t.Fatalf("no clock-skew finding; summary %q", r.Summary)
			}
			if f.Severity != tc.severity || f.Title != tc.title {
				t.Errorf("finding %q %q, want %q %q", f.Severity, f.Title, tc.severity, tc.title)
			}
			clockNear(t, "evidence.offset_seconds", f.Evidence["offset_seconds"], tc.want, 0.5)
			if f.Evidence["method"] != "ntp" || len(f.Evidence["sources"].([]string)) != 3 {
				t.Errorf("evidence = %v", f.Evidence)
			}
			if !strings.Contains(r.Summary, strings.TrimPrefix(tc.title, "The clock is ")) {
				t.Errorf("summary %q does not say %q", r.Summary, tc.title)
			}
		})
	}
}

func TestClockLocalTimeIsInjected(t *testing.T) {
	w := newClockWorld(t)
	w.now = func() time.Time { return time.Now().Add(92 * time.Second) }
	w.ntp = &ntpq.Client{SystemTime: w.now}
	for range 3 {
		w.ntpServer(ntptest.Options{})
	}
	r := w.run()
	clockNear(t, "offset_seconds", r.Data["offset_seconds"], 92, 0.5)
	if f, ok := clockFinding(r, finding.ClockSkew.Code); !ok || f.Severity != finding.Critical {
		t.Errorf("findings = %+v, want critical clock-skew", r.Findings)
	}
}

func TestClockFalsetickerDiscarded(t *testing.T) {
	w := newClockWorld(t)
	for range 3 {
		w.ntpServer(ntptest.Options{})
	}
	liar := w.ntpServer(ntptest.Options{Offset: 300 * time.Second})
	r := w.run()
	if len(r.Findings) != 0 {
		t.Fatalf("findings %+v from one falseticker", r.Findings)
	}
	clockNear(t, "offset_seconds", r.Data["offset_seconds"], 0, 0.5)
	if s := clockSourceStatus(t, r, "ntp", liar.Addr); s.Status != "falseticker" || !strings.Contains(s.Reason, "300") {
		t.Errorf("liar reported as %+v", s)
	}
	if slices.Contains(r.Data["sources"].([]string), liar.Addr) {
		t.Errorf("sources %v include the falseticker", r.Data["sources"])
	}
}

func TestClockPoliteToServers(t *testing.T) {
	w := newClockWorld(t)
	var honest []*ntptest.Server
	for range 3 {
		honest = append(honest, w.ntpServer(ntptest.Options{}))
	}
	kiss := w.ntpServer(ntptest.Options{Kiss: "RATE", Poll: 10})
	for range 2 {
		r := w.run()
		if r.Data["method"] != ntpq.MethodNTP || len(r.Findings) != 0 {
			t.Fatalf("result %q %+v", r.Summary, r.Findings)
		}
		if s := clockSourceStatus(t, r, "ntp", kiss.Addr); s.Status != "rejected" || !strings.Contains(s.Reason, "slow down") {
			t.Errorf("kissing server reported as %+v", s)
		}
	}
	for _, s := range append(honest, kiss) {
		if s.Queries() != 1 {
			t.Errorf("%s asked %d times in two runs within 64 s, want once", s.Addr, s.Queries())
		}
	}
}

func TestClockGarbageAndBrokenServersRejected(t *testing.T) {
	w := newClockWorld(t)
	for range 3 {
		w.ntpServer(ntptest.Options{Offset: -20 * time.Second})
	}
	bad := map[string]string{
		w.ntpServer(ntptest.Options{Garbage: true}).Addr: "malformed",
		w.ntpServer(ntptest.Options{Leap: 3}).Addr:       "not synchronized",
		w.ntpServer(ntptest.Options{Stratum: 16}).Addr:   "stratum",
	}
	r := w.run()
	clockNear(t, "offset_seconds", r.Data["offset_seconds"], 20, 0.5)
	for addr, why := range bad {
		if s := clockSourceStatus(t, r, "ntp", addr); s.Status != "rejected" || !strings.Contains(s.Reason, why) {
			t.Errorf("%s reported as %+v, want rejected: %s", addr, s, why)
		}
	}
}

func TestClockHTTPSDateWhenNTPBlocked(t *testing.T) {
	w := newClockWorld(t)
	w.cfg.Clock.Timeout = config.Duration(10 * time.Second) // TLS is slow under -race
	w.ntpServer(ntptest.Options{Silent: true})
	w.ntpServer(ntptest.Options{Silent: true})
	for range 3 {
		w.webServer(-30 * time.Second) // web servers 30 s behind: we are 30 s ahead
	}
	r := w.run()
	if r.Data["method"] != ntpq.MethodHTTPSDate {
		t.Fatalf("method %v, summary %q", r.Data["method"], r.Summary)
	}
	clockNear(t, "offset_seconds", r.Data["offset_seconds"], 30, 1.5)
	f, ok := clockFinding(r, finding.ClockSkew.Code)
	if !ok || f.Severity != finding.Warning || f.Evidence["method"] != "https-date" || len(f.Evidence["sources"].([]string)) != 3 {
		t.Fatalf("finding %+v", f)
	}
	if !strings.Contains(r.Summary, "web server") {
		t.Errorf("summary %q does not say the web servers measured it", r.Summary)
	}
}

func TestClockFewNTPAnswersSaySoAndAreCorroborated(t *testing.T) {
	w := newClockWorld(t)
	w.cfg.Clock.Timeout = config.Duration(10 * time.Second) // TLS is slow under -race
	w.ntpServer(ntptest.Options{Offset: 70 * time.Second})
	w.ntpServer(ntptest.Options{Silent: true})
	w.webServer(70 * time.Second)
	r := w.run()
	if r.Data["method"] != ntpq.MethodNTP || !strings.Contains(r.Summary, "only 1 of the 3") {
		t.Fatalf("method %v, summary %q", r.Data["method"], r.Summary)
	}
	clockNear(t, "offset_seconds", r.Data["offset_seconds"], -70, 0.5)
	web, _ := r.Data["https"].([]*clockSource)
	if len(web) != 1 || web[0].Status != "used" {
		t.Errorf("web corroboration %+v", web)
	}
}

func TestClockCertificateEvidence(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name          string
		before, after time.Time
		want          float64
		title         string
	}{
		{"not yet valid", now.Add(3*time.Hour + time.Minute), now.Add(90 * 24 * time.Hour), -3 * 3600, "The clock is at least 3 hours behind"},
		{"expired", now.Add(-90 * 24 * time.Hour), now.Add(-49 * time.Hour), 49 * 3600, "The clock is at least 2 days ahead"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newClockWorld(t)
			w.cfg.Clock.Timeout = config.Duration(10 * time.Second) // TLS is slow under -race
			w.ntpServer(ntptest.Options{Silent: true})
			w.certServer(tc.before, tc.after)
			r := w.run()
			if r.Data["method"] != ntpq.MethodCertificate {
				t.Fatalf("method %v, summary %q", r.Data["method"], r.Summary)
			}
			f, ok := clockFinding(r, finding.ClockSkew.Code)
			if !ok || f.Severity != finding.Critical || f.Title != tc.title || f.Evidence["lower_bound"] != true {
				t.Fatalf("finding %+v", f)
			}
			// A bound is rounded towards zero: it only says "at least".
			clockNear(t, "offset_seconds", f.Evidence["offset_seconds"], tc.want, 120)
			if v := f.Evidence["offset_seconds"].(float64); math.Abs(v) > math.Abs(tc.want)+60 {
				t.Errorf("bound %v overstates the evidence", v)
			}
		})
	}
}

func TestClockNoEvidenceIsAnError(t *testing.T) {
	w := newClockWorld(t)
	w.cfg.Clock.Timeout = config.Duration(2 * time.Second)
	w.ntpServer(ntptest.Options{Silent: true})
	w.ntpServer(ntptest.Options{Garbage: true})
	// A web server that accepts and never answers: the check must still end.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	w.addWeb("https://" + l.Addr().String() + "/")
	r := w.run()
	if r.Status != Error || len(r.Findings) != 0 || !strings.Contains(r.Summary, "could not measure the clock") {
		t.Fatalf("status %q, summary %q, findings %+v", r.Status, r.Summary, r.Findings)
	}
	if _, ok := r.Data["offset_seconds"]; ok {
		t.Errorf("an offset without evidence: %v", r.Data["offset_seconds"])
	}
}

func TestClockTwoServersDisagreeingIsNoVerdict(t *testing.T) {
	w := newClockWorld(t)
	w.cfg.Clock.Timeout = config.Duration(6 * time.Second)
	w.ntpServer(ntptest.Options{})
	w.ntpServer(ntptest.Options{Offset: 100 * time.Second})
	r := w.run()
	if r.Status != Error || len(r.Findings) != 0 || !strings.Contains(r.Summary, "disagree") {
		t.Fatalf("status %q, summary %q, findings %+v", r.Status, r.Summary, r.Findings)
	}
}

func TestClockTimeService(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name     string
		ts       timesync.State
		err      error
		unsynced bool
		summary  string
		dataErr  string
	}{
		{"running", timesync.State{Service: "systemd-timesyncd", Active: true, Synchronized: &yes}, nil, false, "", ""},
		{"stopped", timesync.State{Service: "systemd-timesyncd"}, nil, true, "systemd-timesyncd is not running", ""},
		{"none installed", timesync.State{}, nil, true, "no time service", ""},
		{"container: the host keeps time", timesync.State{Virtualized: "docker"}, nil, false, "kept by the host (docker)", ""},
		{"not supported", timesync.State{}, platform.ErrNotSupported, false, "not checked on this operating system", "not supported on this operating system yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newClockWorld(t)
			w.host.timeSync, w.host.timeSyncErr = tc.ts, tc.err
			for range 3 {
				w.ntpServer(ntptest.Options{})
			}
			r := w.run()
			// The measurement runs whatever the time service says.
			if r.Data["method"] != ntpq.MethodNTP {
				t.Errorf("method %v", r.Data["method"])
			}
			f, ok := clockFinding(r, finding.ClockUnsynced.Code)
			if ok != tc.unsynced {
				t.Fatalf("clock-unsynced raised: %v, want %v (findings %+v)", ok, tc.unsynced, r.Findings)
			}
			if ok && (f.Severity != finding.Warning || r.Status != "") {
				t.Errorf("finding %+v, status %q", f, r.Status)
			}
			if !strings.Contains(r.Summary, tc.summary) {
				t.Errorf("summary %q does not say %q", r.Summary, tc.summary)
			}
			if ts := r.Data["time_sync"].(clockTimeSync); ts.Error != tc.dataErr {
				t.Errorf("time_sync.error = %q, want %q", ts.Error, tc.dataErr)
			}
		})
	}
}
