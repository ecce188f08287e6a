package check

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/testworld/dnstest"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/netstate"
)

func netTestRoute(iface, prefix string) netstate.Route {
	return netstate.Route{Interface: iface, Destination: netip.MustParsePrefix(prefix)}
}

var netTestDefaultRoute = []netstate.Route{netTestRoute("eth0", "0.0.0.0/0"), netTestRoute("eth0", "192.0.2.0/24")}

// netTestWitness is an HTTPS witness answering like /cdn-cgi/trace. Its
// certificate is valid for 127.0.0.1 and example.com.
func netTestWitness(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "fl=1\nh=www.cloudflare.com\nip=192.0.2.1\nts=1\nvisit_scheme=https\ncolo=FRA\n")
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

// netTestPortal is a plain-HTTP captive-portal probe answering with h.
func netTestPortal(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

func netTest204(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }

type netTestSetup struct {
	// routes is the machine's routing table; routesErr, why it could not be read.
	routes          []netstate.Route
	routesErr       error
	witness, portal string
	hosts           []string
	pool            *x509.CertPool
	resolver        *net.Resolver
	// uplink are the addresses connected to when no name resolves in time;
	// resolverServers, what the system resolver is said to ask.
	uplink          []string
	resolverServers []string
	addrs           *AddrMemory
	timeout         time.Duration // of the network check (and, less a tenth, of DNS); 5 s when 0
}

func netTestEnv(t *testing.T, s netTestSetup) Env {
	t.Helper()
	cfg := config.Default()
	cfg.Network.Witness = s.witness
	cfg.Network.CaptivePortal = s.portal
	cfg.Network.Timeout = config.Duration(5 * time.Second)
	// Connects by address go to loopback only: never the public resolvers
	// of the defaults, nor this machine's own resolver.
	cfg.Network.UplinkAddresses = s.uplink
	if s.timeout > 0 {
		cfg.Network.Timeout = config.Duration(s.timeout)
		cfg.DNS.Timeout = config.Duration(s.timeout * 9 / 10)
	}
	if s.hosts != nil {
		cfg.Endpoints.Hosts = s.hosts
	}
	p := &probe.Prober{RootCAs: s.pool, Resolver: s.resolver}
	t.Cleanup(p.Close)
	h := &fakeHost{
		routes: s.routes, routesErr: s.routesErr,
		resolver: dnsconf.ResolverInfo{Kind: dnsconf.ResolverUpstream, Servers: s.resolverServers},
	}
	env := Env{Config: &cfg, Probe: p, Now: func() time.Time { return dnsTestNow }, Log: slog.New(slog.DiscardHandler), Addrs: s.addrs, Host: h}
	if s.resolver != nil {
		env.Lookup = s.resolver
	}
	return env
}

func netTestRun(t *testing.T, s netTestSetup) Result {
	t.Helper()
	return runOne(t.Context(), netTestEnv(t, s), networkCheck, nil)
}

func netTestWitnessReachable(t *testing.T, res Result) bool {
	t.Helper()
	v, ok := res.Data["witness_reachable"].(bool)
	if !ok {
		t.Fatalf("witness_reachable missing or not a bool: %v", res.Data)
	}
	return v
}

func TestNetworkOnline(t *testing.T) {
	t.Parallel()
	srv, pool := netTestWitness(t)
	// The witness by name, so that the system-DNS part is exercised.
	_, r := dnstest.Serve(t, dnstest.Table{"example.com": dnstest.Addrs("127.0.0.1")})
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	res := netTestRun(t, netTestSetup{
		routes:   netTestDefaultRoute,
		witness:  fmt.Sprintf("https://example.com:%d/cdn-cgi/trace", port),
		portal:   netTestPortal(t, netTest204),
		pool:     pool,
		resolver: r,
	})
	if res.Status != Pass || len(res.Findings) != 0 || res.Blocks != "" {
		t.Fatalf("status %s findings %v blocks %q, want a plain pass (%s)", res.Status, res.Findings, res.Blocks, res.Summary)
	}
	if !netTestWitnessReachable(t, res) {
		t.Error("witness_reachable false")
	}
	if res.Data["default_route"] != "present" || !slices.Equal(res.Data["default_route_interfaces"].([]string), []string{"eth0"}) {
		t.Errorf("routes data %v %v", res.Data["default_route"], res.Data["default_route_interfaces"])
	}
	w := res.Data["witness"].(map[string]any)
	if w["status"] != 200 {
		t.Errorf("witness data %v", w)
	}
	if _, ok := w["timings"].(map[string]float64)["total_ms"]; !ok {
		t.Errorf("witness timings %v", w["timings"])
	}
	if cp := res.Data["captive_portal"].(map[string]any); cp["verdict"] != netPortalNone {
		t.Errorf("captive portal data %v", cp)
	}
	if d := res.Data["system_dns"].(map[string]any); d["host"] != "example.com" || !slices.Equal(d["answers"].([]string), []string{"127.0.0.1"}) {
		t.Errorf("system dns data %v", d)
	}
	if _, ok := res.Data["endpoint_connects"]; ok {
		t.Error("TCP connects made although the witness answered")
	}
	if !strings.Contains(res.Summary, "example.com answers") {
		t.Errorf("summary %q", res.Summary)
	}
}

func TestNetworkCaptivePortal(t *testing.T) {
	t.Parallel()
	srv, pool := netTestWitness(t)
	for _, tc := range []struct {
		name     string
		h        http.HandlerFunc
		portal   bool
		location string // "" means the probe URL itself
	}{
		{"204 is no portal", netTest204, false, ""},
		{"302 to a login page", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://login.portal.test/welcome?orig=cp", http.StatusFound)
		}, true, "http://login.portal.test/welcome?orig=cp"},
		{"relative redirect elsewhere on another host is resolved", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "//hotspot.test/login")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}, true, "http://hotspot.test/login"},
		{"200 with a login page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!DOCTYPE html><html><body><form>Accept the terms</form></body></html>")
		}, true, ""},
		{"200 HTML without a content type", func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = nil
			fmt.Fprint(w, "<html><head><meta http-equiv=refresh content='0;url=http://gw.test/'></head></html>")
		}, true, ""},
		{"511 network authentication required", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNetworkAuthenticationRequired)
		}, true, ""},
		{"200 plain text is not called a portal", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "ok")
		}, false, ""},
		{"redirect to itself over HTTPS is not a portal", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://"+r.Host+"/", http.StatusMovedPermanently)
		}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			portalURL := netTestPortal(t, tc.h)
			res := netTestRun(t, netTestSetup{routes: netTestDefaultRoute, witness: srv.URL + "/cdn-cgi/trace", portal: portalURL, pool: pool})
			f, found := dnsTestFinding(res, finding.CaptivePortal.Code)
			if found != tc.portal || res.Blocks != "" {
				t.Fatalf("captive-portal raised %v, want %v; findings %v blocks %q", found, tc.portal, res.Findings, res.Blocks)
			}
			if !netTestWitnessReachable(t, res) {
				t.Error("witness_reachable false")
			}
			if !tc.portal {
				if res.Status != Pass {
					t.Errorf("status %s, want pass", res.Status)
				}
				return
			}
			want := tc.location
			if want == "" {
				want = portalURL
			}
			if f.Evidence["location"] != want || f.Severity != finding.Warning || res.Status != Warn {
				t.Errorf("evidence %v severity %s status %s; want location %q, warning", f.Evidence, f.Severity, res.Status, want)
			}
		})
	}
}

// offlineSetup: the witness, the portal and every endpoint refuse.
func netTestOfflineSetup(t *testing.T) netTestSetup {
	return netTestSetup{
		witness: "https://" + tcptest.Closed(t) + "/cdn-cgi/trace",
		portal:  "http://" + tcptest.Closed(t) + "/",
		hosts:   []string{"https://" + tcptest.Closed(t) + "/", "https://" + tcptest.Closed(t) + "/v1/models"},
	}
}

func TestNetworkOfflineWhenNothingAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		routes []netstate.Route
		err    error
		words  string
	}{
		{"default route present", netTestDefaultRoute, nil, "present"},
		{"split default only", []netstate.Route{netTestRoute("tun0", "0.0.0.0/1"), netTestRoute("tun0", "128.0.0.0/1")}, nil, "present"},
		{"IPv6 default only", []netstate.Route{netTestRoute("wlan0", "::/0")}, nil, "present"},
		{"routes unknown on this OS", nil, platform.ErrNotSupported, "unknown on this OS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := netTestOfflineSetup(t)
			s.routes, s.routesErr = tc.routes, tc.err
			res := netTestRun(t, s)
			if len(res.Findings) != 1 || res.Findings[0].Code != finding.NetworkOffline.Code {
				t.Fatalf("findings %v, want only network-offline (%s)", res.Findings, res.Summary)
			}
			if res.Status != Fail || res.Blocks != netOfflineBlock {
				t.Errorf("status %s blocks %q", res.Status, res.Blocks)
			}
			if ev := res.Findings[0].Evidence; ev["why"] != netWhyNothing {
				t.Errorf("evidence %v, want why %q", ev, netWhyNothing)
			}
			if res.Data["default_route"] != tc.words {
				t.Errorf("default_route %v, want %q", res.Data["default_route"], tc.words)
			}
			if netTestWitnessReachable(t, res) {
				t.Error("witness_reachable true")
			}
			// Every endpoint host was tried before concluding.
			cs, _ := res.Data["endpoint_connects"].(map[string]any)
			if len(cs) != len(s.hosts) {
				t.Errorf("endpoint_connects %v, want one per host", res.Data["endpoint_connects"])
			}
		})
	}
}

func TestNetworkOfflineWithoutDefaultRoute(t *testing.T) {
	t.Parallel()
	s := netTestOfflineSetup(t)
	s.routes = []netstate.Route{netTestRoute("eth0", "192.0.2.0/24")}
	res := netTestRun(t, s)
	if len(res.Findings) != 1 || res.Findings[0].Code != finding.NetworkOffline.Code || res.Findings[0].Evidence["why"] != netWhyNoRoute {
		t.Fatalf("findings %v, want network-offline for no default route", res.Findings)
	}
	if res.Blocks == "" || res.Data["default_route"] != "none" || netTestWitnessReachable(t, res) {
		t.Errorf("blocks %q data %v", res.Blocks, res.Data)
	}
}

// An endpoint that accepts TCP proves the machine is online, even when the
// witness and the portal probe refuse.
func TestNetworkWitnessDownButOpenAIAccepts(t *testing.T) {
	t.Parallel()
	s := netTestOfflineSetup(t)
	s.routes = netTestDefaultRoute
	open, _ := netTestWitness(t) // any listener will do
	s.hosts = append(s.hosts, open.URL+"/")
	res := netTestRun(t, s)
	if len(res.Findings) != 0 || res.Blocks != "" {
		t.Fatalf("findings %v blocks %q, want none", res.Findings, res.Blocks)
	}
	if res.Status != Warn || netTestWitnessReachable(t, res) {
		t.Errorf("status %s witness_reachable %v; want warn, false", res.Status, res.Data["witness_reachable"])
	}
	host := strings.TrimPrefix(open.URL, "https://")
	if got := res.Data["endpoint_connects"].(map[string]any)[host]; got != "connected" {
		t.Errorf("endpoint_connects %v", res.Data["endpoint_connects"])
	}
}

// A portal probe that answers proves it too; no TCP connects are needed.
func TestNetworkWitnessDownButPortalAnswers(t *testing.T) {
	t.Parallel()
	s := netTestOfflineSetup(t)
	s.routes = netTestDefaultRoute
	s.portal = netTestPortal(t, netTest204)
	res := netTestRun(t, s)
	if len(res.Findings) != 0 || res.Blocks != "" {
		t.Fatalf("findings %v blocks %q, want none", res.Findings, res.Blocks)
	}
	if _, ok := res.Data["endpoint_connects"]; ok {
		t.Error("connected to endpoints although the portal probe answered")
	}
}

// When no name resolves but a default route exists, the machine is not
// offline: the dns check raises dns-failure.
func TestNetworkDNSDeadIsNotOffline(t *testing.T) {
	t.Parallel()
	_, r := dnstest.Serve(t, dnstest.Table{}) // every name: NXDOMAIN
	res := netTestRun(t, netTestSetup{
		routes:   netTestDefaultRoute,
		witness:  "https://www.cloudflare.test/cdn-cgi/trace",
		portal:   "http://cp.cloudflare.test/",
		hosts:    []string{"https://chatgpt.test/", "https://api.openai.test/v1/models"},
		resolver: r,
	})
	if len(res.Findings) != 0 || res.Blocks != "" {
		t.Fatalf("findings %v blocks %q, want none", res.Findings, res.Blocks)
	}
	if res.Status != Warn || netTestWitnessReachable(t, res) {
		t.Errorf("status %s, witness_reachable %v", res.Status, res.Data["witness_reachable"])
	}
	if !strings.Contains(res.Summary, "system DNS cannot resolve www.cloudflare.test") {
		t.Errorf("summary %q", res.Summary)
	}
	if d := res.Data["system_dns"].(map[string]any); d["error"] != dnsNotFound {
		t.Errorf("system_dns %v", d)
	}
}

// Offline blocks the checks that need the network, through the engine.
func TestNetworkOfflineSkipsDependents(t *testing.T) {
	t.Parallel()
	env := netTestEnv(t, netTestOfflineSetup(t)) // no routes at all
	rep := Run(t.Context(), env, []Check{networkCheck, dnsCheck})
	if len(rep.Checks) != 2 || rep.Checks[0].Status != Fail || rep.Checks[1].Status != Skip || rep.Checks[1].Summary != netOfflineBlock {
		t.Fatalf("checks %+v", rep.Checks)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Code != finding.NetworkOffline.Code {
		t.Errorf("findings %v", rep.Findings)
	}
}

func TestNetOffline(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      netOfflineInputs
		offline bool
		why     string
	}{
		{"no default route", netOfflineInputs{Routes: netRoutesNone}, true, netWhyNoRoute},
		{"no default route, even if a connect failed", netOfflineInputs{Routes: netRoutesNone, ConnectFailed: true}, true, netWhyNoRoute},
		{"no default route in the main table, but a probe answered (policy routing)", netOfflineInputs{Routes: netRoutesNone, PastConnect: true}, false, ""},
		{"route, something answered", netOfflineInputs{Routes: netRoutesPresent, PastConnect: true, ConnectFailed: true}, false, ""},
		{"route, every connect failed", netOfflineInputs{Routes: netRoutesPresent, ConnectFailed: true}, true, netWhyNothing},
		{"routes unknown, every connect failed", netOfflineInputs{Routes: netRoutesUnknown, ConnectFailed: true}, true, netWhyNothing},
		{"routes unknown, something answered", netOfflineInputs{Routes: netRoutesUnknown, PastConnect: true}, false, ""},
		{"route, only DNS failed", netOfflineInputs{Routes: netRoutesPresent}, false, ""},
		{"routes unknown, only DNS failed", netOfflineInputs{Routes: netRoutesUnknown}, false, ""},
	} {
		offline, why := netOffline(tc.in)
		if offline != tc.offline || why != tc.why {
			t.Errorf("%s: offline %v %q, want %v %q", tc.name, offline, why, tc.offline, tc.why)
		}
	}
}

func TestNetJudgeCaptive(t *testing.T) {
	const u = "http://cp.cloudflare.com/"
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Set(kv[i], kv[i+1])
		}
		return hd
	}
	for _, tc := range []struct {
		name     string
		r        *probe.Response
		verdict  string
		location string
	}{
		{"204", &probe.Response{Status: 204, Header: h()}, netPortalNone, ""},
		{"failed", &probe.Response{Err: context.DeadlineExceeded, Stage: probe.StageConnect}, netPortalNoAnswer, ""},
		{"302 elsewhere", &probe.Response{Status: 302, Header: h("Location", "https://wifi.example/login")}, netPortalFound, "https://wifi.example/login"},
		{"302 relative path stays on the host", &probe.Response{Status: 302, Header: h("Location", "/login")}, netPortalUnexpected, ""},
		{"302 without Location", &probe.Response{Status: 302, Header: h()}, netPortalUnexpected, ""},
		{"511", &probe.Response{Status: 511, Header: h("Location", "http://gw.example/")}, netPortalFound, "http://gw.example/"},
		{"200 html", &probe.Response{Status: 200, Header: h("Content-Type", "text/html")}, netPortalFound, u},
		{"200 empty", &probe.Response{Status: 200, Header: h()}, netPortalUnexpected, ""},
		{"403", &probe.Response{Status: 403, Header: h("Content-Type", "text/html")}, netPortalUnexpected, ""},
	} {
		got := netJudgeCaptive(u, tc.r)
		if got.Verdict != tc.verdict || got.Location != tc.location {
			t.Errorf("%s: %+v, want %s %q", tc.name, got, tc.verdict, tc.location)
		}
	}
}

func TestNetworkCheckDeclaration(t *testing.T) {
	cfg := config.Default()
	if networkCheck.Name != "network" || len(networkCheck.Needs) != 0 || networkCheck.Timeout(&cfg) != cfg.Network.Timeout.D() {
		t.Errorf("networkCheck declared as %q needs %v timeout %v", networkCheck.Name, networkCheck.Needs, networkCheck.Timeout(&cfg))
	}
}

// A resolver that drops every query, on a network that works: the names
// time out, but an address answers, so the machine is online and the dns
// check is left to report the resolver. Before the lookups' deadline was
// filed under "connect", this read as offline.
func TestNetworkDeadResolverWithWorkingUplinkIsNotOffline(t *testing.T) {
	t.Parallel()
	_, r := dnstest.Serve(t, dnstest.Table{
		"www.cloudflare.test": dnstest.Hang(), "cp.cloudflare.test": dnstest.Hang(),
		"chatgpt.test": dnstest.Hang(), "api.openai.test": dnstest.Hang(),
	})
	up := tcptest.Serve(t, nil)
	res := netTestRun(t, netTestSetup{
		routes:          netTestDefaultRoute,
		witness:         "https://www.cloudflare.test/cdn-cgi/trace",
		portal:          "http://cp.cloudflare.test/",
		hosts:           []string{"https://chatgpt.test/", "https://api.openai.test/v1/models"},
		resolver:        r,
		uplink:          []string{tcptest.Closed(t), up},
		resolverServers: []string{"127.0.0.53"}, // a local stub says nothing of the uplink: not tried
		timeout:         2 * time.Second,
	})
	if len(res.Findings) != 0 || res.Blocks != "" {
		t.Fatalf("findings %v blocks %q, want none: the network works (%s)", res.Findings, res.Blocks, res.Summary)
	}
	if res.Status != Warn {
		t.Errorf("status %s, want warn", res.Status)
	}
	if w := res.Data["witness"].(map[string]any); w["failed_at"] != string(probe.StageDNS) {
		t.Errorf("witness failed at %v, want dns", w["failed_at"])
	}
	if got := res.Data["answered_by_address"]; !slices.Equal(got.([]string), []string{up}) {
		t.Errorf("answered_by_address %v, want [%s]", got, up)
	}
	tried := res.Data["address_connects"].(map[string]any)
	if len(tried) != 2 {
		t.Errorf("address_connects %v, want the two uplink addresses and not the local stub", tried)
	}
	if !strings.Contains(res.Summary, up+" answered by address") {
		t.Errorf("summary %q does not say which address answered", res.Summary)
	}
}

// The same dead resolver on a dead uplink: nothing answers by address
// either, so the machine is offline, and the evidence lists what was tried.
func TestNetworkDeadResolverAndDeadUplinkIsOffline(t *testing.T) {
	t.Parallel()
	_, r := dnstest.Serve(t, dnstest.Table{
		"www.cloudflare.test": dnstest.Hang(), "cp.cloudflare.test": dnstest.Hang(), "chatgpt.test": dnstest.Hang(),
	})
	dead := tcptest.Closed(t)
	res := netTestRun(t, netTestSetup{
		routes:   netTestDefaultRoute,
		witness:  "https://www.cloudflare.test/cdn-cgi/trace",
		portal:   "http://cp.cloudflare.test/",
		hosts:    []string{"https://chatgpt.test/"},
		resolver: r,
		uplink:   []string{dead},
		timeout:  2 * time.Second,
	})
	if len(res.Findings) != 1 || res.Findings[0].Code != finding.NetworkOffline.Code {
		t.Fatalf("findings %v, want network-offline (%s)", res.Findings, res.Summary)
	}
	if tried := res.Findings[0].Evidence["tried"].([]string); !slices.Contains(tried, "tcp://"+dead) {
		t.Errorf("evidence.tried %v does not name the address tried", tried)
	}
	if !strings.Contains(res.Summary, "no name resolved in time") {
		t.Errorf("summary %q", res.Summary)
	}
}

// A slow resolver is neither offline nor a DNS failure: names that resolve
// within the dns check's own time are fine, even when the first phase of
// the network check ended before them.
func TestNetworkSlowResolverIsNotAFailure(t *testing.T) {
	t.Parallel()
	srv, pool := netTestWitness(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	timeout := 2 * time.Second
	// Past the first phase (60 %), within the DNS time (90 %).
	slow := dnstest.Answer{Addrs: []string{"127.0.0.1"}, Delay: timeout * 75 / 100}
	_, r := dnstest.Serve(t, dnstest.Table{"example.com": slow})
	res := netTestRun(t, netTestSetup{
		routes:   netTestDefaultRoute,
		witness:  fmt.Sprintf("https://example.com:%d/cdn-cgi/trace", port),
		portal:   netTestPortal(t, netTest204),
		pool:     pool,
		resolver: r,
		uplink:   []string{tcptest.Serve(t, nil)},
		timeout:  timeout,
	})
	if res.Status != Pass || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %v, want a pass (%s)", res.Status, res.Findings, res.Summary)
	}
	if d := res.Data["system_dns"].(map[string]any); d["error"] != nil {
		t.Errorf("system_dns %v: a slow answer is not an error", d)
	}
}

// Where a host answered before is remembered, and tried by address when
// names stop resolving: no public address is needed to prove the uplink.
func TestNetworkTriesRememberedAddresses(t *testing.T) {
	t.Parallel()
	srv, pool := netTestWitness(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	witness := fmt.Sprintf("https://example.com:%d/cdn-cgi/trace", port)
	mem := &AddrMemory{Path: filepath.Join(roottest.Dir(t), "addrs.json")}

	_, good := dnstest.Serve(t, dnstest.Table{"example.com": dnstest.Addrs("127.0.0.1")})
	if res := netTestRun(t, netTestSetup{routes: netTestDefaultRoute, witness: witness, portal: netTestPortal(t, netTest204), pool: pool, resolver: good, addrs: mem}); res.Status != Pass {
		t.Fatalf("first run: %s (%s)", res.Status, res.Summary)
	}

	_, dead := dnstest.Serve(t, dnstest.Table{"example.com": dnstest.Hang(), "cp.example.com": dnstest.Hang()})
	later := &AddrMemory{Path: mem.Path} // a later process reads it from the file
	res := netTestRun(t, netTestSetup{routes: netTestDefaultRoute, witness: witness, portal: "http://cp.example.com/", pool: pool, resolver: dead, addrs: later, timeout: 2 * time.Second})
	if len(res.Findings) != 0 {
		t.Fatalf("findings %v, want none (%s)", res.Findings, res.Summary)
	}
	want := fmt.Sprintf("127.0.0.1:%d", port)
	if got := res.Data["answered_by_address"]; !slices.Equal(got.([]string), []string{want}) {
		t.Errorf("answered_by_address %v, want the witness's remembered %s", got, want)
	}
}

// A home router that is also the resolver answers on its LAN address while
// its own uplink is down: that answer proves nothing beyond it.
func TestNetLocalAddr(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		local bool
	}{
		{"192.168.1.1", true}, {"10.0.0.138", true}, {"172.20.0.1", true}, {"100.64.0.1", true},
		{"169.254.1.1", true}, {"fe80::1", true}, {"fd00::53", true}, {"::ffff:192.168.1.1", true},
		{"1.1.1.1", false}, {"8.8.8.8", false}, {"2606:4700:4700::1111", false}, {"192.0.2.53", false},
	} {
		if got := netLocalAddr(netip.MustParseAddr(tc.addr)); got != tc.local {
			t.Errorf("netLocalAddr(%s) = %v, want %v", tc.addr, got, tc.local)
		}
	}
}

func TestNetOfflineWhenOnlyTheLANAnswers(t *testing.T) {
	cfg := config.Default()
	dead := &probe.Response{Err: context.DeadlineExceeded, Stage: probe.StageDNS, Timeout: true}
	obs := netObservations{
		Routes:  netRouteInfo{State: netRoutesPresent},
		Witness: dead, Portal: dead,
		ByAddress: []netConnect{
			{Host: "192.168.1.1:53", Reached: true, Local: true, Connected: true, Detail: "connected"},
			{Host: "1.1.1.1:443", Reached: true, Detail: "timed out"},
		},
	}
	res := netJudge(dnsTestNow, &cfg, obs)
	if len(res.Findings) != 1 || res.Findings[0].Code != finding.NetworkOffline.Code {
		t.Fatalf("findings %v, want network-offline: only the router answered (%s)", res.Findings, res.Summary)
	}
	if got := res.Data["answered_by_address"].([]string); len(got) != 0 {
		t.Errorf("answered_by_address %v, want none beyond the LAN", got)
	}
}
