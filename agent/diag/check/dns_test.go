package check

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/internal/testworld/dnstest"
	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
)

var dnsTestNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// dnsTestTable answers every case the dns check must tell apart.
var dnsTestTable = dnstest.Table{
	"chatgpt.test":  dnstest.Addrs("203.0.113.10", "2001:db8::10"),
	"auth.test":     dnstest.Addrs("203.0.113.11"),
	"nx.test":       dnstest.NXDomain(),
	"servfail.test": dnstest.ServFail(),
	"hang.test":     dnstest.Hang(),
	"zero.test":     dnstest.Addrs("0.0.0.0", "::"),
	"private.test":  dnstest.Addrs("10.1.2.3", "192.168.1.1"),
	"ula.test":      dnstest.Addrs("fd00::1"),
	"mixed.test":    dnstest.Addrs("203.0.113.12", "127.0.0.1"),
	"fake.test":     dnstest.Addrs("198.18.0.5"),
	"cgnat.test":    dnstest.Addrs("100.64.1.1"),
}

// dnsTestUpstream is a machine whose resolver is a plain upstream server.
func dnsTestUpstream() *fakeHost {
	return &fakeHost{resolver: dnsconf.ResolverInfo{Kind: dnsconf.ResolverUpstream}}
}

// dnsTestRun runs the dns check on the machine h, through the engine's
// runOne so that its own timeout applies, against the loopback DNS
// server. The hosts are URLs.
func dnsTestRun(t *testing.T, h Host, timeout time.Duration, hosts ...string) Result {
	t.Helper()
	_, r := dnstest.Serve(t, dnsTestTable)
	cfg := config.Default()
	cfg.Endpoints.Hosts = hosts
	cfg.Endpoints.Trace = hosts[0] + "cdn-cgi/trace"
	cfg.DNS.Timeout = config.Duration(timeout)
	env := Env{Config: &cfg, Lookup: r, Now: func() time.Time { return dnsTestNow }, Log: slog.New(slog.DiscardHandler), Host: h}
	return runOne(t.Context(), env, dnsCheck, nil)
}

func dnsTestFinding(res Result, code finding.Code) (finding.Finding, bool) {
	for _, f := range res.Findings {
		if f.Code == code {
			return f, true
		}
	}
	return finding.Finding{}, false
}

func TestDNSAllNamesResolve(t *testing.T) {
	t.Parallel()
	h := &fakeHost{resolver: dnsconf.ResolverInfo{Kind: dnsconf.ResolverSystemdResolved, Servers: []string{"127.0.0.53"}, Detail: "systemd-resolved answers"}}
	res := dnsTestRun(t, h, 5*time.Second, "https://chatgpt.test/", "https://auth.test/", "https://192.0.2.1/", "https://chatgpt.test/again")
	if res.Status != Pass || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %v, want a pass without findings (%s)", res.Status, res.Findings, res.Summary)
	}
	lookups := res.Data["lookups"].([]map[string]any)
	var names []string
	for _, l := range lookups {
		names = append(names, l["name"].(string))
		if _, ok := l["ms"].(float64); !ok {
			t.Errorf("%s: no per-name timing", l["name"])
		}
	}
	// IP literals need no DNS; a repeated host is asked once.
	if want := []string{"chatgpt.test", "auth.test"}; !slices.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	if got := lookups[0]["addresses"].([]string); !slices.Contains(got, "203.0.113.10") || !slices.Contains(got, "2001:db8::10") {
		t.Errorf("chatgpt.test addresses %v", got)
	}
	if rd := res.Data["resolver"].(map[string]any); rd["kind"] != "systemd-resolved" {
		t.Errorf("resolver data %v", rd)
	}
	if _, ok := res.Data["fake_ip"]; ok {
		t.Error("fake_ip reported without fake IPs")
	}
}

func TestDNSFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host, kind string
	}{
		{"nx.test", dnsNotFound},
		{"unknown.test", dnsNotFound},
		{"servfail.test", dnsServFail},
		{"hang.test", dnsTimeout},
	} {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			res := dnsTestRun(t, dnsTestUpstream(), time.Second, "https://"+tc.host+"/")
			f, ok := dnsTestFinding(res, finding.DNSFailure.Code)
			if !ok || len(res.Findings) != 1 {
				t.Fatalf("findings %v, want only dns-failure (%s)", res.Findings, res.Summary)
			}
			if res.Status != Fail || f.Severity != finding.Critical {
				t.Errorf("status %s severity %s, want fail/critical", res.Status, f.Severity)
			}
			if got := f.Evidence["errors"].(map[string]any)[tc.host]; got != tc.kind {
				t.Errorf("error kind %v, want %s", got, tc.kind)
			}
			if !slices.Equal(f.Evidence["names"].([]string), []string{tc.host}) || f.Evidence["resolver"] != "upstream" {
				t.Errorf("evidence %v", f.Evidence)
			}
		})
	}
}

// When the network check reached addresses while names timed out, the
// dns-failure says so: the uplink works, the resolver does not.
func TestDNSFailureNamesTheAddressesThatAnswered(t *testing.T) {
	t.Parallel()
	_, r := dnstest.Serve(t, dnsTestTable)
	cfg := config.Default()
	cfg.Endpoints.Hosts = []string{"https://hang.test/"}
	cfg.Endpoints.Trace = "https://hang.test/cdn-cgi/trace"
	cfg.DNS.Timeout = config.Duration(time.Second)
	network := fixed("network", nil, Result{Status: Warn, Data: map[string]any{"answered_by_address": []string{"192.0.2.1:443"}}})
	dns := dnsCheck
	env := Env{Config: &cfg, Lookup: r, Now: func() time.Time { return dnsTestNow }, Host: dnsTestUpstream()}
	rep := Run(t.Context(), env, []Check{network, dns})
	if len(rep.Findings) != 1 || rep.Findings[0].Code != finding.DNSFailure.Code {
		t.Fatalf("findings %v, want dns-failure", rep.Findings)
	}
	if got := rep.Findings[0].Evidence["answered_by_address"]; !slices.Equal(got.([]string), []string{"192.0.2.1:443"}) {
		t.Errorf("evidence.answered_by_address %v", got)
	}
}

func TestDNSSinkholes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host string
		want []string
	}{
		{"zero.test", []string{"0.0.0.0", "::"}},
		{"private.test", []string{"10.1.2.3", "192.168.1.1"}},
		{"ula.test", []string{"fd00::1"}},
		{"mixed.test", []string{"127.0.0.1"}}, // one sinkholed answer is enough to break a browser
	} {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			res := dnsTestRun(t, dnsTestUpstream(), 5*time.Second, "https://"+tc.host+"/")
			f, ok := dnsTestFinding(res, finding.DNSSinkhole.Code)
			if !ok || len(res.Findings) != 1 || res.Status != Fail {
				t.Fatalf("status %s findings %v, want only dns-sinkhole (%s)", res.Status, res.Findings, res.Summary)
			}
			got := slices.Clone(f.Evidence["answers"].(map[string]any)[tc.host].([]string))
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("answers %v, want %v", got, want)
			}
		})
	}
}

// Fake IPs of proxy and VPN clients are evidence, never a sinkhole.
func TestDNSFakeIPIsNotASinkhole(t *testing.T) {
	t.Parallel()
	res := dnsTestRun(t, dnsTestUpstream(), 5*time.Second, "https://fake.test/", "https://cgnat.test/")
	if len(res.Findings) != 0 || res.Status != Pass {
		t.Fatalf("status %s findings %v, want a pass", res.Status, res.Findings)
	}
	fake, ok := res.Data["fake_ip"].(map[string]any)
	if !ok || !slices.Equal(fake["fake.test"].([]string), []string{"198.18.0.5"}) || !slices.Equal(fake["cgnat.test"].([]string), []string{"100.64.1.1"}) {
		t.Errorf("fake_ip %v", res.Data["fake_ip"])
	}
}

func TestDNSEverythingAtOnce(t *testing.T) {
	t.Parallel()
	h := &fakeHost{resolver: dnsconf.ResolverInfo{Kind: dnsconf.ResolverDnsmasq}}
	res := dnsTestRun(t, h, 5*time.Second, "https://chatgpt.test/", "https://nx.test/", "https://zero.test/", "https://fake.test/")
	fail, ok1 := dnsTestFinding(res, finding.DNSFailure.Code)
	sink, ok2 := dnsTestFinding(res, finding.DNSSinkhole.Code)
	if !ok1 || !ok2 || len(res.Findings) != 2 {
		t.Fatalf("findings %v, want dns-failure and dns-sinkhole", res.Findings)
	}
	if !slices.Equal(fail.Evidence["names"].([]string), []string{"nx.test"}) || !slices.Equal(sink.Evidence["names"].([]string), []string{"zero.test"}) {
		t.Errorf("failure %v, sinkhole %v", fail.Evidence, sink.Evidence)
	}
	if _, ok := res.Data["fake_ip"].(map[string]any)["fake.test"]; !ok {
		t.Errorf("fake_ip %v", res.Data["fake_ip"])
	}
	if res.Summary == "" {
		t.Error("no summary")
	}
}

func TestDNSResolverUnknown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{platform.ErrNotSupported, "resolver detection: not supported on this operating system yet"},
		{errors.New("read /etc/resolv.conf: permission denied"), "the resolver could not be identified"},
	} {
		res := dnsTestRun(t, &fakeHost{resolverErr: tc.err}, 5*time.Second, "https://chatgpt.test/")
		if rd := res.Data["resolver"].(map[string]any); rd["detail"] != tc.want {
			t.Errorf("%v: resolver data %v", tc.err, rd)
		}
		if res.Status != Pass {
			t.Errorf("%v: status %s; an unknown resolver is no problem by itself", tc.err, res.Status)
		}
	}
}

// A resolver nobody answers for: the server's port is closed.
func TestDNSServerUnreachable(t *testing.T) {
	t.Parallel()
	winegap.SkipIfNo(t, winegap.UDP)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := pc.LocalAddr().String()
	pc.Close()
	cfg := config.Default()
	cfg.Endpoints.Hosts = []string{"https://chatgpt.test/"}
	cfg.Endpoints.Trace = "https://chatgpt.test/cdn-cgi/trace"
	cfg.DNS.Timeout = config.Duration(2 * time.Second)
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, closed)
	}}
	env := Env{Config: &cfg, Lookup: r, Now: func() time.Time { return dnsTestNow }, Log: slog.New(slog.DiscardHandler), Host: dnsTestUpstream()}
	res := runOne(t.Context(), env, dnsCheck, nil)
	f, ok := dnsTestFinding(res, finding.DNSFailure.Code)
	if !ok {
		t.Fatalf("findings %v, want dns-failure", res.Findings)
	}
	if got := f.Evidence["errors"].(map[string]any)["chatgpt.test"]; got != dnsUnreachable {
		t.Errorf("error kind %v, want %s", got, dnsUnreachable)
	}
}

func TestDNSRanges(t *testing.T) {
	for _, tc := range []struct {
		addr       string
		sink, fake bool
	}{
		{"0.1.2.3", true, false},
		{"127.0.0.53", true, false},
		{"10.255.255.255", true, false},
		{"172.16.0.1", true, false},
		{"172.31.255.255", true, false},
		{"172.32.0.1", false, false},
		{"192.168.0.1", true, false},
		{"169.254.169.254", true, false},
		{"::", true, false},
		{"::1", true, false},
		{"fc00::1", true, false},
		{"fdff::1", true, false},
		{"fe80::1", true, false},
		{"fec0::1", false, false},
		{"::ffff:10.0.0.1", true, false}, // IPv4-mapped is judged as IPv4
		{"198.18.0.1", false, true},
		{"198.19.255.255", false, true},
		{"198.20.0.1", false, false},
		{"100.64.0.1", false, true},
		{"100.127.255.255", false, true},
		{"100.128.0.1", false, false},
		{"104.18.32.47", false, false},
		{"2606:4700::6810:2f", false, false},
	} {
		a := []netip.Addr{netip.MustParseAddr(tc.addr)}
		if got := len(dnsInRanges(a, dnsSinkholeRanges)) > 0; got != tc.sink {
			t.Errorf("%s: sinkhole %v, want %v", tc.addr, got, tc.sink)
		}
		if got := len(dnsInRanges(a, fakeIPRanges)) > 0; got != tc.fake {
			t.Errorf("%s: fake IP %v, want %v", tc.addr, got, tc.fake)
		}
	}
}

func TestDNSCheckDeclaration(t *testing.T) {
	cfg := config.Default()
	if dnsCheck.Name != "dns" || !slices.Equal(dnsCheck.Needs, []string{"network"}) || dnsCheck.Timeout(&cfg) != cfg.DNS.Timeout.D() {
		t.Errorf("dnsCheck declared as %q needs %v timeout %v", dnsCheck.Name, dnsCheck.Needs, dnsCheck.Timeout(&cfg))
	}
}
