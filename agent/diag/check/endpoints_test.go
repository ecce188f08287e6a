package check

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
)

// epSetup describes one run of the endpoints check against loopback peers.
type epSetup struct {
	hosts   []string
	trace   string        // default: a trace server answering loc=DE
	witness any           // the network check's witness_reachable; nil: it says nothing
	prober  *probe.Prober // default: trusts the cftest servers
	timeout time.Duration // default: the configured one
}

// epRun runs the endpoints check through the engine, with a stub network
// check in place of the real one, and returns its line of the report and
// the visible findings.
func epRun(t *testing.T, s epSetup) (CheckReport, []finding.Finding) {
	t.Helper()
	cfg := config.Default()
	cfg.Endpoints.Hosts = s.hosts
	cfg.Endpoints.Trace = s.trace
	if s.trace == "" {
		cfg.Endpoints.Trace = cftest.New(t, cftest.TraceCase).URL + "/cdn-cgi/trace"
	}
	if s.timeout > 0 {
		cfg.Endpoints.Timeout = config.Duration(s.timeout)
	}
	p := s.prober
	if p == nil {
		p = &probe.Prober{RootCAs: epPool(t)}
	}
	t.Cleanup(p.Close)
	network := Check{Name: "network", Run: func(context.Context, *Env) Result {
		data := map[string]any{}
		if s.witness != nil {
			data["witness_reachable"] = s.witness
		}
		return Result{Status: Pass, Summary: "stub", Data: data}
	}}
	rep := Run(t.Context(), Env{Config: &cfg, Probe: p}, []Check{network, endpointsCheck})
	for _, c := range rep.Checks {
		if c.Name == "endpoints" {
			return c, rep.Findings
		}
	}
	t.Fatal("the report has no endpoints check")
	return CheckReport{}, nil
}

// epPool trusts every httptest TLS server (they share one certificate).
func epPool(t *testing.T) *x509.CertPool {
	t.Helper()
	return cftest.Pool(cftest.New(t, cftest.OK))
}

// epServer starts one host answering as a case does and returns its URL.
func epServer(t *testing.T, c cftest.Case) string {
	t.Helper()
	return cftest.New(t, c).URL + "/"
}

func epHost(u string) string { return strings.TrimSuffix(strings.TrimPrefix(u, "https://"), "/") }

// epOnly returns the one finding with that code, failing otherwise.
func epOnly(t *testing.T, fs []finding.Finding, code finding.Code) finding.Finding {
	t.Helper()
	var got []finding.Finding
	for _, f := range fs {
		if f.Code == code {
			got = append(got, f)
		}
	}
	if len(got) != 1 || len(fs) != 1 {
		t.Fatalf("findings %v; want exactly one %s", epCodes(fs), code)
	}
	return got[0]
}

func epCodes(fs []finding.Finding) []finding.Code {
	out := []finding.Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestEndpointsDeclaration(t *testing.T) {
	cfg := config.Default()
	cfg.Endpoints.Timeout = config.Duration(3 * time.Second)
	c, ok := Lookup("endpoints")
	if !ok || c.Name != "endpoints" || !slices.Equal(c.Needs, []string{"network"}) || c.Timeout(&cfg) != 3*time.Second {
		t.Errorf("endpoints check declared as %+v", c)
	}
}

func TestEndpointsAllReachable(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	hosts := []string{cftest.URL(srv, cftest.OK), cftest.URL(srv, cftest.Unauthorized), cftest.URL(srv, cftest.Redirect), cftest.URL(srv, cftest.NotFound)}
	rep, fs := epRun(t, epSetup{hosts: hosts, trace: srv.URL + "/cdn-cgi/trace", witness: true})
	if rep.Status != Pass || len(fs) != 0 {
		t.Fatalf("status %s findings %v: %s", rep.Status, epCodes(fs), rep.Summary)
	}
	if want := "4 hosts reachable; " + epHost(srv.URL) + " "; !strings.HasPrefix(rep.Summary, want) || !strings.HasSuffix(rep.Summary, " ms") {
		t.Errorf("summary %q; want %q… ms", rep.Summary, want)
	}
	trace, _ := rep.Data["trace"].(map[string]any)
	if trace["loc"] != cftest.Loc || trace["ip"] != cftest.TraceIP || trace["colo"] != cftest.Colo || trace["warp"] != "off" {
		t.Errorf("trace data %v", trace)
	}

	// The data as scripts read it: JSON.
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Data struct {
			Hosts []map[string]any `json:"hosts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Data.Hosts) != 4 {
		t.Fatalf("hosts data %s", raw)
	}
	wantStatus := []float64{200, 401, 302, 404}
	for i, h := range out.Data.Hosts {
		timings, _ := h["timings"].(map[string]any)
		if h["url"] != hosts[i] || h["status"] != wantStatus[i] || h["verdict"] != "ok" || h["cf_ray"] != cftest.Ray ||
			h["remote_addr"] != epHost(srv.URL) || timings["first_byte_ms"] == nil || timings["tls_ms"] == nil {
			t.Errorf("host %d data %v", i, h)
		}
	}
}

func TestEndpointsCloudflareAnswers(t *testing.T) {
	tests := []struct {
		c        cftest.Case
		code     finding.Code
		status   Status
		evidence map[string]any
		summary  string
	}{
		{cftest.Block1020Text, "cloudflare-blocked", Fail, map[string]any{"ray_id": cftest.Ray, "error_code": 1020}, "Access denied (Error 1020)"},
		{cftest.Block1020HTML, "cloudflare-blocked", Fail, map[string]any{"ray_id": cftest.Ray, "error_code": 1020}, "Access denied (Error 1020)"},
		{cftest.Block1020JSON, "cloudflare-blocked", Fail, map[string]any{"ray_id": cftest.Ray, "error_code": 1020, "error_name": "firewall_rule_blocked"}, "Access denied (Error 1020)"},
		{cftest.WAFBlock, "cloudflare-blocked", Fail, map[string]any{"ray_id": cftest.Ray, "status": 403}, "you have been blocked"},
		{cftest.Challenge, "cloudflare-challenge", Pass, map[string]any{"ray_id": cftest.Ray, "status": 403}, "browser check"},
		{cftest.Challenge429, "cloudflare-challenge", Pass, map[string]any{"status": 429}, "browser check"},
		{cftest.RateLimit1015, "rate-limited", Warn, map[string]any{"retry_after_seconds": 30, "error_code": 1015}, "Too many requests (Error 1015)"},
		{cftest.OpenAIRateLimit, "rate-limited", Warn, map[string]any{"status": 429, "error_name": "rate_limit_exceeded"}, "Too many requests"},
		{cftest.Edge522, "openai-error", Warn, map[string]any{"status": 522, "retry_after_seconds": 120}, "Cloudflare error 522"},
		{cftest.Origin503, "openai-error", Warn, map[string]any{"status": 503}, "server error (HTTP 503)"},
		{cftest.Region, "region-unsupported", Fail, map[string]any{"country": cftest.Loc, "status": 403}, "country or region"},
		{cftest.Probe1010, "probe-limited", Pass, map[string]any{"error_code": 1010, "ray_id": cftest.Ray}, "Error 1010"},
	}
	for _, tt := range tests {
		t.Run(string(tt.c), func(t *testing.T) {
			u := epServer(t, tt.c)
			rep, fs := epRun(t, epSetup{hosts: []string{u}, witness: true})
			f := epOnly(t, fs, tt.code)
			if rep.Status != tt.status {
				t.Errorf("status %s; want %s", rep.Status, tt.status)
			}
			if f.ID != string(tt.code) || f.Evidence["host"] != epHost(u) || !slices.Equal(f.Evidence["hosts"].([]string), []string{epHost(u)}) {
				t.Errorf("finding %+v", f)
			}
			for k, want := range tt.evidence {
				if f.Evidence[k] != want {
					t.Errorf("evidence %s = %v (%T); want %v", k, f.Evidence[k], f.Evidence[k], want)
				}
			}
			if want := epHost(u) + ": "; !strings.HasPrefix(rep.Summary, want) || !strings.Contains(rep.Summary, tt.summary) {
				t.Errorf("summary %q; want %q and %q", rep.Summary, want, tt.summary)
			}
		})
	}
}

func TestEndpointsOneFindingPerCode(t *testing.T) {
	ok, text, js := epServer(t, cftest.OK), epServer(t, cftest.Block1020Text), epServer(t, cftest.Block1020JSON)
	rep, fs := epRun(t, epSetup{hosts: []string{ok, text, js}, witness: true})
	f := epOnly(t, fs, "cloudflare-blocked")
	if f.Evidence["host"] != epHost(text) || !slices.Equal(f.Evidence["hosts"].([]string), []string{epHost(text), epHost(js)}) {
		t.Errorf("evidence %v", f.Evidence)
	}
	if !strings.Contains(rep.Summary, "1 more host with problems") {
		t.Errorf("summary %q", rep.Summary)
	}
}

func TestEndpointsRegionCountryFromTrace(t *testing.T) {
	trace := cftest.NewServer(t, cftest.TraceHandler("IR")).URL + "/cdn-cgi/trace"
	_, fs := epRun(t, epSetup{hosts: []string{epServer(t, cftest.Region)}, trace: trace, witness: true})
	if f := epOnly(t, fs, "region-unsupported"); f.Evidence["country"] != "IR" {
		t.Errorf("evidence %v", f.Evidence)
	}
}

func TestEndpointsUnreachable(t *testing.T) {
	tests := []struct {
		name      string
		okHost    bool // one other OpenAI host answers
		witness   any
		others    bool // what evidence.other_sites_reachable must say
		summary   string
		checkFail bool
	}{
		{"witness works", false, true, true, "refused", true},
		{"another OpenAI host works", true, false, true, "refused", true},
		// Not offline (the network check would have skipped this one), yet
		// nothing answers: ChatGPT cannot load, which must be a finding.
		{"nothing works, witness down", false, false, false, "neither did the witness", true},
		{"nothing works, no witness verdict", false, nil, false, "unknown", true},
		{"a witness verdict of the wrong type counts as none", false, "yes", false, "unknown", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closed := "https://" + tcptest.Closed(t) + "/"
			hosts := []string{closed}
			if tt.okHost {
				hosts = append(hosts, epServer(t, cftest.OK))
			}
			rep, fs := epRun(t, epSetup{hosts: hosts, trace: "https://" + tcptest.Closed(t) + "/", witness: tt.witness})
			f := epOnly(t, fs, "openai-unreachable")
			if f.Evidence["host"] != epHost(closed) || f.Evidence["stage"] != probe.StageConnect || f.ExplainedBy != nil {
				t.Errorf("finding %+v", f)
			}
			if f.Evidence["other_sites_reachable"] != tt.others {
				t.Errorf("other_sites_reachable %v, want %v", f.Evidence["other_sites_reachable"], tt.others)
			}
			if (rep.Status == Fail) != tt.checkFail || !strings.Contains(rep.Summary, tt.summary) {
				t.Errorf("status %s summary %q; want %q", rep.Status, rep.Summary, tt.summary)
			}
			if _, ok := rep.Data["trace_error"]; !ok {
				t.Errorf("no trace_error in %v", rep.Data)
			}
		})
	}
}

func TestEndpointsHangingHostEndsWithTheCheck(t *testing.T) {
	hang, ok := epServer(t, cftest.Hang), epServer(t, cftest.OK)
	rep, fs := epRun(t, epSetup{hosts: []string{hang, ok}, witness: true, timeout: 500 * time.Millisecond})
	f := epOnly(t, fs, "openai-unreachable")
	if f.Evidence["host"] != epHost(hang) || f.Evidence["timeout"] != true || f.Evidence["stage"] != probe.StageHTTP {
		t.Errorf("evidence %v", f.Evidence)
	}
	if !strings.Contains(rep.Summary, "timed out") {
		t.Errorf("summary %q", rep.Summary)
	}
}

func TestEndpointsCertificateDatesPointAtTheClock(t *testing.T) {
	ca := cftest.NewCA(t, pkix.Name{CommonName: "Clearance Test Root"})
	now := time.Now()
	srv := cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), ca.Leaf(t, now.Add(-30*24*time.Hour), now.Add(-24*time.Hour)))
	// The witness is down too (a wrong clock breaks it as well): the
	// certificate dates are evidence in themselves.
	_, fs := epRun(t, epSetup{hosts: []string{srv.URL + "/"}, trace: "https://" + tcptest.Closed(t) + "/", witness: false, prober: &probe.Prober{RootCAs: ca.Pool()}})
	f := epOnly(t, fs, "openai-unreachable")
	if !slices.Equal(f.ExplainedBy, []*finding.Definition{finding.ClockSkew}) || f.Evidence["certificate"] != probe.CertExpired ||
		!strings.Contains(f.Evidence["explanation"].(string), "clock") || f.Evidence["not_after"] == nil {
		t.Errorf("finding %+v", f)
	}
	if !finding.Hidden(f, map[finding.Code]bool{"clock-skew": true}) {
		t.Error("clock-skew does not explain the certificate failure away")
	}
}

func TestEndpointsInterception(t *testing.T) {
	ca := cftest.NewCA(t, pkix.Name{CommonName: "Zscaler Root CA", Organization: []string{"Zscaler Inc."}})
	now := time.Now()
	srv := cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), ca.Leaf(t, now.Add(-time.Hour), now.Add(time.Hour)))
	rep, fs := epRun(t, epSetup{hosts: []string{srv.URL + "/"}, witness: true})
	f := epOnly(t, fs, "tls-intercepted")
	if f.Evidence["issuer"] != "Zscaler Root CA" || f.Evidence["vendor"] != "Zscaler" || rep.Status != Warn {
		t.Errorf("status %s evidence %v", rep.Status, f.Evidence)
	}
}

func TestEndpointsDNSFailureIsExplainedByDNS(t *testing.T) {
	res := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in tests")
	}}
	p := &probe.Prober{RootCAs: epPool(t), Resolver: res}
	closed := "https://" + tcptest.Closed(t) + "/"
	t.Run("only DNS", func(t *testing.T) {
		_, fs := epRun(t, epSetup{hosts: []string{"https://chatgpt.invalid/", epServer(t, cftest.OK)}, witness: true, prober: p})
		f := epOnly(t, fs, "openai-unreachable")
		if !slices.Equal(f.ExplainedBy, []*finding.Definition{finding.DNSFailure}) || f.Evidence["stage"] != probe.StageDNS {
			t.Errorf("finding %+v", f)
		}
	})
	t.Run("no name resolves", func(t *testing.T) {
		rep, _ := epRun(t, epSetup{hosts: []string{"https://chatgpt.invalid/", "https://auth.invalid/"}, trace: "https://chatgpt.invalid/cdn-cgi/trace", witness: false, prober: p})
		if rep.Status != Fail || !strings.Contains(rep.Summary, "no host's name resolves") || strings.Contains(rep.Summary, "connection is down") {
			t.Errorf("status %s summary %q: a DNS problem is not a connection that is down", rep.Status, rep.Summary)
		}
	})
	t.Run("DNS and a refused connection", func(t *testing.T) {
		_, fs := epRun(t, epSetup{hosts: []string{"https://chatgpt.invalid/", closed}, witness: true, prober: p})
		f := epOnly(t, fs, "openai-unreachable")
		if f.ExplainedBy != nil || len(f.Evidence["hosts"].([]string)) != 2 {
			t.Errorf("finding %+v: the refused host is not DNS's doing", f)
		}
	})
}

// EndpointProbes reads back, typed, what the check measured: per host in
// order, the phases of a request that reached a server (all but DNS, which
// an address in the URL skips) and its status; a refused connection has a
// connect phase at most and no status.
func TestEndpointProbes(t *testing.T) {
	// A server each: two requests to one host share its connection, and
	// only one of them has the connect and TLS phases.
	ok, notFound := cftest.New(t, cftest.OK), cftest.New(t, cftest.NotFound)
	closed := "https://" + tcptest.Closed(t) + "/"
	hosts := []string{ok.URL + "/", notFound.URL + "/", closed}
	rep, _ := epRun(t, epSetup{hosts: hosts, trace: "https://" + tcptest.Closed(t) + "/", witness: true})
	got := EndpointProbes(rep)
	if len(got) != 3 {
		t.Fatalf("probes %+v", got)
	}
	for i, want := range []int{200, 404} {
		p := got[i]
		if p.Host != epHost(hosts[i]) || p.Status != want || p.Phases.TLS <= 0 || p.Phases.FirstByte <= 0 || p.Phases.Connect <= 0 {
			t.Errorf("probe %d: %+v, want status %d with connect, TLS and first-byte times", i, p, want)
		}
	}
	if p := got[2]; p.Host != epHost(closed) || p.Status != 0 || p.Phases.TLS != 0 || p.Phases.FirstByte != 0 {
		t.Errorf("refused probe: %+v", p)
	}
	if EndpointProbes(CheckReport{Name: "endpoints"}) != nil {
		t.Error("a report without data has probes")
	}
}
