package check

import (
	"crypto/x509/pkix"
	"fmt"
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
	"github.com/clearance-app/clearance/internal/testworld/dnstest"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
	"github.com/clearance-app/clearance/platform/dnsconf"
)

// The names of lookupWorld: every probed host by name, on loopback.
const (
	lwChatGPT = "chatgpt.test"
	lwAuth    = "auth.test"
	lwEdge    = "cloudflare.test" // the witness and the trace
	lwStatus  = "status.test"
	lwPortal  = "portal.test"
)

var lwNames = []string{lwChatGPT, lwAuth, lwEdge, lwStatus, lwPortal}

// lookupWorld is a machine whose every probed host has a name, answered by
// a DNS server that counts its queries: what a run asks of the resolver.
type lookupWorld struct {
	env     Env
	queries *dnstest.Queries
}

// newLookupWorld serves the hosts; answers replaces the DNS answer of a
// name (every name answers 127.0.0.1 otherwise).
func newLookupWorld(t testing.TB, answers dnstest.Table) *lookupWorld {
	t.Helper()
	table := dnstest.Table{}
	for _, n := range lwNames {
		table[n] = dnstest.Addrs("127.0.0.1")
	}
	for n, a := range answers {
		table[n] = a
	}
	_, res, queries := dnstest.ServeCounting(t, table)

	mux := cftest.Mux()
	mux.HandleFunc("/api/v2/summary.json", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"status":{"indicator":"none","description":"All Systems Operational"},"components":[]}`)
	})
	ca := cftest.NewCA(t, pkix.Name{CommonName: "Clearance Test CA"})
	cert, err := ca.Issue([]string{lwChatGPT, lwAuth, lwEdge, lwStatus}, nil, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	web := cftest.NewServerWithCert(t, mux, cert)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(portal.Close)
	_, webPort, _ := net.SplitHostPort(web.Listener.Addr().String())
	_, portalPort, _ := net.SplitHostPort(portal.Listener.Addr().String())
	at := func(name, path string) string { return "https://" + name + ":" + webPort + path }

	cfg := config.Default()
	cfg.Network.Witness = at(lwEdge, "/cdn-cgi/trace")
	cfg.Network.CaptivePortal = "http://" + lwPortal + ":" + portalPort + "/"
	cfg.Network.UplinkAddresses = nil
	cfg.Endpoints.Hosts = []string{at(lwChatGPT, "/"+string(cftest.OK)), at(lwAuth, "/"+string(cftest.Unauthorized))}
	cfg.Endpoints.Trace = at(lwEdge, "/cdn-cgi/trace")
	cfg.Status.URL = at(lwStatus, "/api/v2/summary.json")
	cfg.Clock.NTPServers = nil
	for range 3 {
		cfg.Clock.NTPServers = append(cfg.Clock.NTPServers, ntptest.Serve(t, ntptest.Options{}).Addr)
	}
	p := &probe.Prober{RootCAs: ca.Pool(), Resolver: res}
	t.Cleanup(p.Close)
	host := &fakeHost{routes: netTestDefaultRoute, resolver: dnsconf.ResolverInfo{Kind: dnsconf.ResolverUpstream}}
	return &lookupWorld{
		env:     Env{Config: &cfg, Probe: p, Lookup: res, NTP: &ntpq.Client{}, Host: host, Now: time.Now},
		queries: queries,
	}
}

// run runs the checks, closing the prober's connections first so that
// every probe dials as after a pause between runs.
func (w *lookupWorld) run(t testing.TB, checks ...Check) Report {
	t.Helper()
	w.env.Probe.Close()
	return Run(t.Context(), w.env, checks)
}

// asked returns how often the server was asked for name, by type.
func (w *lookupWorld) asked(name string) (a, aaaa int) {
	return w.queries.Of(name, "A"), w.queries.Of(name, "AAAA")
}

func checkReport(t *testing.T, rep Report, name string) CheckReport {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in the report", name)
	return CheckReport{}
}

// A full run asks the resolver once per name and query type, however many
// checks and probes need the name: the network check's witness and its
// lookup, the dns check, the endpoints' probes and trace, the vpn check's
// route, the status page. The next run asks again.
func TestRunLooksUpEachNameOnce(t *testing.T) {
	w := newLookupWorld(t, nil)
	for run := 1; run <= 2; run++ {
		rep := w.run(t, All()...)
		if c := checkReport(t, rep, "endpoints"); c.Status != Pass {
			t.Fatalf("run %d: endpoints %s (%s): not the healthy run this test needs", run, c.Status, c.Summary)
		}
		for _, n := range lwNames {
			if a, aaaa := w.asked(n); a != run || aaaa != run {
				t.Errorf("after run %d: %s asked %d times (A) and %d (AAAA), want %d: once per run", run, n, a, aaaa, run)
			}
		}
	}
}

// A lookup that fails fails the same way for every check in the run: the
// dns check's finding and the endpoints' DNS-stage failure come from one
// lookup.
func TestRunSharesAFailedLookup(t *testing.T) {
	w := newLookupWorld(t, dnstest.Table{lwChatGPT: dnstest.NXDomain()})
	rep := w.run(t, dnsCheck, endpointsCheck, vpnCheck)
	dns := checkReport(t, rep, "dns")
	i := slices.IndexFunc(dns.Findings, func(f finding.Finding) bool { return f.Code == finding.DNSFailure.Code })
	if i < 0 || !slices.Contains(dns.Findings[i].Evidence["names"].([]string), lwChatGPT) {
		t.Errorf("dns findings %v: want a dns-failure naming %s", dns.Findings, lwChatGPT)
	}
	hosts, _ := checkReport(t, rep, "endpoints").Data["hosts"].([]endpointData)
	j := slices.IndexFunc(hosts, func(h endpointData) bool { return strings.HasPrefix(h.Host, lwChatGPT) })
	if j < 0 || hosts[j].Stage != probe.StageDNS {
		t.Errorf("endpoints hosts %+v: want %s failed at the dns stage", hosts, lwChatGPT)
	}
	if a, _ := w.asked(lwChatGPT); a != 1 {
		t.Errorf("%s asked %d times (A), want once", lwChatGPT, a)
	}
}

// The dns check reports how long the resolver took to answer, also when
// another check's lookup answered it: the network check looks up the
// witness's name before the dns check starts, and the dns check reports
// that lookup's own time, not its own (nil) wait.
func TestDNSCheckReportsTheSharedLookupsOwnTime(t *testing.T) {
	const delay = 200 * time.Millisecond
	w := newLookupWorld(t, dnstest.Table{lwEdge: {Addrs: []string{"127.0.0.1"}, Delay: delay}})
	rep := w.run(t, dnsCheck)
	lookups, _ := checkReport(t, rep, "dns").Data["lookups"].([]map[string]any)
	i := slices.IndexFunc(lookups, func(l map[string]any) bool { return l["name"] == lwEdge })
	if i < 0 {
		t.Fatalf("lookups %v: no %s", lookups, lwEdge)
	}
	if ms := lookups[i]["ms"].(float64); ms < float64(delay.Milliseconds()) {
		t.Errorf("%s reported at %v ms; the lookup took at least %v", lwEdge, ms, delay)
	}
	if a, _ := w.asked(lwEdge); a != 1 {
		t.Errorf("%s asked %d times (A), want once", lwEdge, a)
	}
}

// A resolver that panics panics on the run's lookup goroutine; the panic
// still becomes the asking check's internal error rather than ending the
// process.
func TestRunResolverPanicIsTheChecksError(t *testing.T) {
	w := newLookupWorld(t, nil)
	w.env.Lookup = panickingResolver{}
	dns := checkReport(t, w.run(t, dnsCheck), "dns")
	if dns.Status != Error || !strings.Contains(dns.Summary, "resolver bug") {
		t.Errorf("dns %s %q; want the resolver's panic as its internal error", dns.Status, dns.Summary)
	}
}

// BenchmarkRunByName is a full run in-process with every host by name,
// answered by a loopback DNS server: its cost, and the queries it makes.
func BenchmarkRunByName(b *testing.B) {
	w := newLookupWorld(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		w.run(b, All()...)
	}
	b.ReportMetric(float64(w.queries.Total())/float64(b.N), "dns-queries/op")
}
