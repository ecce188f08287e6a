package check

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/internal/testworld/proxytest"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/proxy"
)

const proxySecret = "pr0xy-s3cret-pw"

// traceServer answers like chatgpt.com/cdn-cgi/trace.
func traceServer(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "fl=0f0\nh=chatgpt.com\nip=127.0.0.1\nloc=NL\ncolo=AMS\n")
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

// proxyEnvFor points the trace URL at a loopback server trusted by the prober.
func proxyEnvFor(t *testing.T, trace string, pool *x509.CertPool) *Env {
	t.Helper()
	cfg := config.Default()
	cfg.Endpoints.Trace = trace
	env := &Env{Config: &cfg, Now: time.Now, Probe: &probe.Prober{RootCAs: pool}}
	t.Cleanup(env.Probe.Close)
	return env
}

// proxyTestRun runs the check on a machine with the given environment
// variables and OS settings, and returns the result and its JSON.
func proxyTestRun(t *testing.T, env *Env, vars map[string]string, osSet []proxy.Setting, osErr error) (Result, string) {
	t.Helper()
	env.Host = &fakeHost{env: vars, proxies: osSet, proxiesErr: osErr}
	ctx, cancel := context.WithTimeout(context.Background(), env.Config.Network.Timeout.D())
	defer cancel()
	res := runProxy(ctx, env)
	b, err := json.Marshal(struct {
		Summary  string
		Data     map[string]any
		Findings []finding.Finding
	}{res.Summary, res.Data, res.Findings})
	if err != nil {
		t.Fatalf("result does not marshal: %v", err)
	}
	return res, string(b)
}

func onlyFinding(t *testing.T, res Result) finding.Finding {
	t.Helper()
	if len(res.Findings) != 1 || res.Findings[0].Code != "proxy-configured" || res.Findings[0].ID != "proxy-configured" {
		t.Fatalf("findings = %+v, want one proxy-configured", res.Findings)
	}
	return res.Findings[0]
}

func withCredentials(proxyURL string) string {
	return strings.Replace(proxyURL, "http://", "http://alice:"+proxySecret+"@", 1)
}

func TestProxySamePathIsInfo(t *testing.T) {
	trace, pool := traceServer(t)
	px := proxytest.Serve(t, 0)
	env := proxyEnvFor(t, trace.URL+"/cdn-cgi/trace", pool)
	vars := map[string]string{"HTTPS_PROXY": withCredentials(px.URL.String()), "NO_PROXY": "localhost,.internal"}
	res, out := proxyTestRun(t, env, vars, []proxy.Setting{{Source: proxy.SourceGNOME, Mode: proxy.ModeNone}}, nil)

	f := onlyFinding(t, res)
	if f.Severity != finding.Info || statusOf(res.Findings) != Pass {
		t.Errorf("severity %s, want info (same outcome on both paths); summary %q", f.Severity, res.Summary)
	}
	masked := strings.Replace(px.URL.String(), "http://", "http://alice:***@", 1)
	if f.Evidence["proxy"] != masked || f.Evidence["source"] != "env HTTPS_PROXY" {
		t.Errorf("evidence = %v, want proxy %s from env HTTPS_PROXY", f.Evidence, masked)
	}
	if _, ok := f.Evidence["direct"]; ok {
		t.Errorf("evidence.direct set although the paths agree: %v", f.Evidence)
	}
	if !strings.Contains(res.Summary, "answers the same through") || !strings.Contains(res.Summary, "(HTTP 200)") {
		t.Errorf("summary = %q, want it to say chatgpt.com answers the same (HTTP 200)", res.Summary)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+proxySecret))
	if got := px.Offered(); len(got) != 1 || got[0] != want {
		t.Errorf("proxy was offered %q, want the configured credentials once", got)
	}
	if strings.Contains(out, proxySecret) {
		t.Fatalf("the password appears in the result: %s", out)
	}
	if !strings.Contains(out, `"no_proxy":"localhost,.internal"`) {
		t.Errorf("data does not note NO_PROXY: %s", out)
	}
}

func TestProxyRefusingConnectIsWarning(t *testing.T) {
	trace, pool := traceServer(t)
	px := proxytest.Serve(t, http.StatusForbidden)
	env := proxyEnvFor(t, trace.URL+"/cdn-cgi/trace", pool)
	vars := map[string]string{"https_proxy": withCredentials(px.URL.String())}
	res, out := proxyTestRun(t, env, vars, nil, nil)
	masked := strings.Replace(px.URL.String(), "http://", "http://alice:***@", 1)

	f := onlyFinding(t, res)
	if f.Severity != finding.Warning || statusOf(res.Findings) != Warn {
		t.Fatalf("severity %s, want warning (direct 200, proxied 403); summary %q", f.Severity, res.Summary)
	}
	direct, _ := f.Evidence["direct"].(map[string]any)
	proxied, _ := f.Evidence["proxied"].(map[string]any)
	if direct["reached"] != true || direct["status"] != 200 {
		t.Errorf("evidence.direct = %v, want reached with HTTP 200", direct)
	}
	if proxied["reached"] != false || proxied["proxy_status"] != 403 || !strings.Contains(proxied["summary"].(string), "refused") {
		t.Errorf("evidence.proxied = %v, want not reached, the proxy refusing with 403", proxied)
	}
	if f.Evidence["source"] != "env https_proxy" {
		t.Errorf("evidence.source = %v", f.Evidence["source"])
	}
	if !strings.Contains(res.Summary, "answers differently through "+masked+" — directly: HTTP 200; through the proxy: the proxy refused the connection (HTTP 403)") {
		t.Errorf("summary = %q", res.Summary)
	}
	if strings.Contains(out, proxySecret) {
		t.Fatalf("the password appears in the result: %s", out)
	}
}

func TestDeadProxyIsWarning(t *testing.T) {
	trace, pool := traceServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	env := proxyEnvFor(t, trace.URL+"/cdn-cgi/trace", pool)
	res, _ := proxyTestRun(t, env, nil, []proxy.Setting{
		{Source: proxy.SourceWindows, Mode: proxy.ModeManual, Scheme: proxy.SchemeAll, URL: dead, Bypass: []string{"<local>"}},
	}, nil)
	f := onlyFinding(t, res)
	proxied, _ := f.Evidence["proxied"].(map[string]any)
	if f.Severity != finding.Warning || f.Evidence["source"] != proxy.SourceWindows || proxied["reached"] != false ||
		proxied["at_proxy"] != true || !strings.Contains(proxied["summary"].(string), "the proxy itself could not be reached") {
		t.Fatalf("finding %s %v, want a warning that the Windows proxy could not be reached", f.Severity, f.Evidence)
	}
}

// A dead proxy is a cause of trouble even when the direct path fails too
// (the machine looks offline): it must not read as "answers the same".
func TestDeadProxyWhenDirectFailsToo(t *testing.T) {
	env := proxyEnvFor(t, "https://"+tcptest.Closed(t)+"/cdn-cgi/trace", nil)
	dead := "http://alice:" + proxySecret + "@" + tcptest.Closed(t)
	res, out := proxyTestRun(t, env, map[string]string{"HTTPS_PROXY": dead}, nil, nil)
	f := onlyFinding(t, res)
	if f.Severity != finding.Warning || statusOf(res.Findings) != Warn {
		t.Fatalf("severity %s, want warning (the proxy itself is dead); summary %q", f.Severity, res.Summary)
	}
	proxied, _ := f.Evidence["proxied"].(map[string]any)
	direct, _ := f.Evidence["direct"].(map[string]any)
	if proxied["reached"] != false || proxied["at_proxy"] != true || !strings.Contains(proxied["summary"].(string), "the proxy itself could not be reached") {
		t.Errorf("evidence.proxied = %v, want the proxy itself not reached", proxied)
	}
	if direct["reached"] != false {
		t.Errorf("evidence.direct = %v, want not reached", direct)
	}
	if strings.Contains(res.Summary, "answers the same") || !strings.Contains(res.Summary, "the proxy itself could not be reached") {
		t.Errorf("summary = %q, want it to say the proxy itself could not be reached", res.Summary)
	}
	if strings.Contains(out, proxySecret) {
		t.Fatalf("the password appears in the result: %s", out)
	}
}

// A proxy that refuses the tunnel (502: it could not, or would not, reach
// the site) fails at the proxy, whatever the direct path did.
func TestProxyAnswering502IsWarning(t *testing.T) {
	px := proxytest.Serve(t, http.StatusBadGateway)
	env := proxyEnvFor(t, "https://"+tcptest.Closed(t)+"/cdn-cgi/trace", nil)
	res, _ := proxyTestRun(t, env, map[string]string{"HTTPS_PROXY": px.URL.String()}, nil, nil)
	f := onlyFinding(t, res)
	if f.Severity != finding.Warning {
		t.Fatalf("severity %s, want warning (the proxy refused the tunnel); summary %q", f.Severity, res.Summary)
	}
	proxied, _ := f.Evidence["proxied"].(map[string]any)
	if proxied["proxy_status"] != 502 || proxied["at_proxy"] != true || !strings.Contains(proxied["summary"].(string), "the proxy refused the connection (HTTP 502)") {
		t.Errorf("evidence.proxied = %v, want the proxy's 502", proxied)
	}
	if strings.Contains(res.Summary, "answers the same") {
		t.Errorf("summary = %q", res.Summary)
	}
}

// When the proxy tunnels and the site fails both ways (here its certificate
// is not trusted), the proxy is not the difference, and nothing "answers".
func TestProxyBothPathsFailAtTheSite(t *testing.T) {
	trace, _ := traceServer(t)
	px := proxytest.Serve(t, 0)
	env := proxyEnvFor(t, trace.URL+"/cdn-cgi/trace", nil) // the system roots do not know httptest's CA
	res, out := proxyTestRun(t, env, map[string]string{"HTTPS_PROXY": px.URL.String()}, nil, nil)
	f := onlyFinding(t, res)
	if f.Severity != finding.Info {
		t.Errorf("severity %s, want info (the proxy is not the difference); summary %q", f.Severity, res.Summary)
	}
	if want := "neither path reached 127.0.0.1"; !strings.Contains(res.Summary, want) || strings.Contains(res.Summary, "answers the same") {
		t.Errorf("summary = %q, want it to say %q", res.Summary, want)
	}
	if !strings.Contains(out, `"differs":false`) || strings.Contains(out, `"at_proxy"`) {
		t.Errorf("comparison data: %s", out)
	}
}

func TestNoProxySetSaysWhatWasRead(t *testing.T) {
	env := proxyEnvFor(t, "https://chatgpt.com/cdn-cgi/trace", nil)
	gnomeMissing := &proxy.SourceError{Source: proxy.SourceGNOME, Err: errors.New("gsettings is not installed")}
	res, out := proxyTestRun(t, env, map[string]string{"NO_PROXY": "*"},
		[]proxy.Setting{{Source: proxy.SourceKDE, Mode: proxy.ModeNone, Note: "no file /home/a/.config/kioslaverc"}},
		errors.Join(gnomeMissing))
	if res.Status != Pass || len(res.Findings) != 0 {
		t.Fatalf("got %s %+v, want pass without findings", res.Status, res.Findings)
	}
	want := "no proxy is set (read: the environment, KDE kioslaverc); could not read GNOME settings: gsettings is not installed"
	if res.Summary != want {
		t.Errorf("summary\n got %q\nwant %q", res.Summary, want)
	}
	if !strings.Contains(out, `"unread":["GNOME settings: gsettings is not installed"]`) ||
		!strings.Contains(out, `"settings":["environment: no proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY in either case)","KDE kioslaverc: no proxy (no file /home/a/.config/kioslaverc)"]`) {
		t.Errorf("data does not list what was read and what was not: %s", out)
	}
}

func TestProxyOnUnsupportedOSIsNotSilent(t *testing.T) {
	env := proxyEnvFor(t, "https://chatgpt.com/cdn-cgi/trace", nil)
	res, _ := proxyTestRun(t, env, nil, nil, &proxy.SourceError{Source: "system proxy settings", Err: platform.ErrNotSupported})
	if !strings.Contains(res.Summary, "could not read system proxy settings: not supported on this operating system") {
		t.Errorf("summary = %q, want it to say the OS settings are not supported", res.Summary)
	}
}

// Settings Clearance cannot or need not probe through are reported, with
// the reason, and nothing is probed: the trace URL here is not even served.
func TestProxyReportedNotEvaluated(t *testing.T) {
	env := proxyEnvFor(t, "https://127.0.0.1:1/cdn-cgi/trace", nil)
	vars := map[string]string{
		"http_proxy":  "proxy.example:3128", // plain HTTP only
		"NO_PROXY":    "127.0.0.0/8",
		"HTTPS_PROXY": "http://bob:" + proxySecret + "@127.0.0.1:3128",
	}
	osSet := []proxy.Setting{
		{Source: proxy.SourceGNOME, Mode: proxy.ModePAC, URL: "http://wpad.example/proxy.pac"},
		{Source: proxy.SourceMacOS, Mode: proxy.ModeWPAD},
		{Source: proxy.SourceKDE, Mode: proxy.ModeEnv, Note: "variables HTTP_PROXY, HTTPS_PROXY"},
		{Source: proxy.SourceWindows, Mode: proxy.ModeManual, Scheme: proxy.SchemeSOCKS, URL: "socks4://127.0.0.1:1080"},
	}
	res, out := proxyTestRun(t, env, vars, osSet, nil)
	f := onlyFinding(t, res)
	if f.Severity != finding.Info {
		t.Errorf("severity = %s, want info", f.Severity)
	}
	if _, ok := res.Data["comparisons"]; ok {
		t.Errorf("probed although nothing was testable: %v", res.Data["comparisons"])
	}
	notTested := strings.Join(res.Data["not_tested"].([]string), "\n")
	for _, why := range []string{
		"env HTTPS_PROXY: https traffic through http://bob:***@127.0.0.1:3128; except 127.0.0.0/8: 127.0.0.1 is in its exception list",
		"env http_proxy: http traffic through http://proxy.example:3128; except 127.0.0.0/8: it applies to plain-HTTP addresses only",
		"Windows Internet Settings: socks traffic through socks4://127.0.0.1:1080: Clearance cannot test socks4 proxies",
		"GNOME settings: automatic configuration script http://wpad.example/proxy.pac: a proxy auto-config script chooses per address",
		"macOS network settings: automatic proxy discovery (WPAD): automatic proxy discovery is reported, not evaluated",
		"KDE kioslaverc: uses the proxy environment variables (variables HTTP_PROXY, HTTPS_PROXY): it follows the environment variables",
	} {
		if !strings.Contains(notTested, why) {
			t.Errorf("not_tested lacks %q:\n%s", why, notTested)
		}
	}
	proxies, _ := f.Evidence["proxies"].([]map[string]any)
	if len(proxies) != 6 {
		t.Errorf("evidence.proxies has %d entries, want all 6 settings: %v", len(proxies), proxies)
	}
	if strings.Contains(out, proxySecret) {
		t.Fatalf("the password appears in the result: %s", out)
	}
}

func TestProxyBypassed(t *testing.T) {
	tests := []struct {
		host string
		list []string
		want bool
	}{
		{"chatgpt.com", []string{"*"}, true},
		{"chatgpt.com", []string{".chatgpt.com"}, true},
		{"chatgpt.com", []string{"*.chatgpt.com"}, true},
		{"ab.chatgpt.com", []string{"chatgpt.com"}, true},
		{"chatgpt.com", []string{"notchatgpt.com", "openai.com"}, false},
		{"chatgpt.com", []string{"<local>"}, false},
		{"intranet", []string{"<local>"}, true},
		{"127.0.0.1", []string{"127.0.0.0/8"}, true},
		{"192.168.1.4", []string{"192.168.*"}, true},
		{"chatgpt.com", []string{"chatgpt.com:443"}, true},
		{"chatgpt.com", nil, false},
	}
	for _, tt := range tests {
		if got := proxyBypassed(tt.host, tt.list); got != tt.want {
			t.Errorf("proxyBypassed(%q, %q) = %v, want %v", tt.host, tt.list, got, tt.want)
		}
	}
}

func TestProxyComparisonDiffers(t *testing.T) {
	ok200 := proxyPath{Reached: true, Status: 200}
	failed := proxyPath{Failure: "x"}
	for _, tt := range []struct {
		direct, proxied proxyPath
		want            bool
	}{
		{ok200, proxyPath{Reached: true, Status: 204}, false},
		{ok200, proxyPath{Reached: true, Status: 403}, true},
		{ok200, proxyPath{Refused: 407, AtProxy: true}, true},
		{failed, ok200, true},
		{failed, proxyPath{Failure: "y"}, false},               // both fail at the site
		{failed, proxyPath{Failure: "y", AtProxy: true}, true}, // a dead proxy
		{failed, proxyPath{Refused: 502, AtProxy: true}, true}, // a refusing proxy
	} {
		c := proxyComparison{direct: tt.direct, proxied: tt.proxied}
		if got := c.differs(); got != tt.want {
			t.Errorf("direct %+v, proxied %+v: differs = %v, want %v", tt.direct, tt.proxied, got, tt.want)
		}
	}
}

func TestProxyEnvBothCasesOnce(t *testing.T) {
	vars := map[string]string{"HTTPS_PROXY": "http://p:1", "https_proxy": "http://p:1", "HTTP_PROXY": "http://q:2", "all_proxy": "socks5://r:3"}
	s, _ := proxyFromEnv(func(k string) string { return vars[k] })
	var got []string
	for _, p := range s {
		got = append(got, p.Source+" "+p.Scheme+" "+p.URL)
	}
	want := []string{"env HTTPS_PROXY https http://p:1", "env HTTP_PROXY http http://q:2", "env all_proxy all socks5://r:3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestProxyCheckDeclaration(t *testing.T) {
	cfg := config.Default()
	if proxyCheck.Name != "proxy" || len(proxyCheck.Needs) != 0 || proxyCheck.Timeout(&cfg) != cfg.Network.Timeout.D() {
		t.Fatalf("proxyCheck = %s needs %v timeout %v", proxyCheck.Name, proxyCheck.Needs, proxyCheck.Timeout(&cfg))
	}
}

// Windows' "Automatically detect settings" is on by default and proxies
// nothing unless the network publishes a script: no finding for it alone.
// macOS auto-discovery is off by default: turned on, it is reported.
func TestProxyWindowsDefaultAutoDetectIsNoFinding(t *testing.T) {
	env := proxyEnvFor(t, "https://"+tcptest.Closed(t)+"/cdn-cgi/trace", nil)
	wpad := func(src string) []proxy.Setting {
		return []proxy.Setting{{Source: src, Mode: proxy.ModeWPAD}}
	}
	res, _ := proxyTestRun(t, env, nil, wpad(proxy.SourceWindows), nil)
	if res.Status != Pass || len(res.Findings) != 0 || !strings.Contains(res.Summary, "automatic proxy detection is on") {
		t.Errorf("windows auto-detect alone: %s %q %v", res.Status, res.Summary, res.Findings)
	}
	res, _ = proxyTestRun(t, env, nil, wpad(proxy.SourceMacOS), nil)
	if len(res.Findings) != 1 || res.Findings[0].Code != "proxy-configured" {
		t.Errorf("macOS auto-discovery: %v", res.Findings)
	}
	withManual := append(wpad(proxy.SourceWindows), proxy.Setting{Source: proxy.SourceWindows, Mode: proxy.ModeManual, Scheme: proxy.SchemeHTTPS, URL: "http://proxy.example:3128"})
	res, _ = proxyTestRun(t, env, nil, withManual, nil)
	if len(res.Findings) != 1 {
		t.Errorf("windows manual proxy next to auto-detect: %v", res.Findings)
	}
}
