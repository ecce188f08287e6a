package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/lookup"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/dnstest"
	"github.com/clearance-app/clearance/internal/testworld/proxytest"
)

// doInRun runs one probe inside a run of the checks: its context carries
// the run's shared lookups.
func doInRun(t *testing.T, run *lookup.Shared, p *Prober, url string, timeout time.Duration) *Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(lookup.NewContext(t.Context(), run), timeout)
	defer cancel()
	return p.Do(ctx, Request{URL: url})
}

// namedServer serves OK over TLS on ln with a certificate for names, and
// returns the roots that trust it.
func namedServer(t *testing.T, ln net.Listener, names ...string) (*httptest.Server, *Prober) {
	t.Helper()
	ca := cftest.NewCA(t, pkix.Name{CommonName: "Clearance Test CA"})
	cert, err := ca.Issue(names, nil, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(cftest.Handler(cftest.OK))
	srv.Listener.Close()
	srv.Listener = ln
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &Prober{RootCAs: ca.Pool()}
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// wantQueries fails unless the server saw each query type for name n times.
func wantQueries(t *testing.T, q *dnstest.Queries, name string, n int) {
	t.Helper()
	for _, qtype := range []string{"A", "AAAA"} {
		if got := q.Of(name, qtype); got != n {
			t.Errorf("%s: %d %s queries, want %d", name, got, qtype, n)
		}
	}
}

// Probes in one run that each dial (the connection is closed between
// them) look the name up once, and the probe that waited for the lookup
// shows its time as the DNS phase. The next run asks again.
func TestProbesInARunShareOneLookup(t *testing.T) {
	const delay = 100 * time.Millisecond
	_, res, queries := dnstest.ServeCounting(t, dnstest.Table{"chatgpt.test": {Addrs: []string{"127.0.0.1"}, Delay: delay}})
	srv, p := namedServer(t, listen(t, "127.0.0.1:0"), "chatgpt.test")
	p.Resolver = res
	t.Cleanup(p.Close)
	url := "https://chatgpt.test:" + port(t, srv) + "/"
	for run := 1; run <= 2; run++ {
		shared := lookup.NewShared(t.Context())
		for i := range 2 {
			p.Close() // no connection to reuse: each probe dials
			r := doInRun(t, shared, p, url, 10*time.Second)
			if !r.Reached() || r.RemoteAddr != srv.Listener.Addr().String() {
				t.Fatalf("run %d, probe %d: reached %v at %q, err %v; want %s", run, i, r.Reached(), r.RemoteAddr, r.Err, srv.Listener.Addr())
			}
			if i == 0 && r.Timings.DNS < delay {
				t.Errorf("run %d: DNS phase %v, but the lookup it waited for took at least %v", run, r.Timings.DNS, delay)
			}
		}
		wantQueries(t, queries, "chatgpt.test", run)
	}
}

// A name that does not resolve fails every probe of the run at the DNS
// stage, with the resolver's own error, for one lookup.
func TestProbesInARunShareAFailedLookup(t *testing.T) {
	_, res, queries := dnstest.ServeCounting(t, dnstest.Table{"gone.test": dnstest.NXDomain()})
	p := &Prober{Resolver: res}
	t.Cleanup(p.Close)
	shared := lookup.NewShared(t.Context())
	for i := range 2 {
		r := doInRun(t, shared, p, "https://gone.test/", 10*time.Second)
		var de *net.DNSError
		if r.Stage != StageDNS || !errors.As(r.Err, &de) || !de.IsNotFound || Classify(r).Kind != KindDNS {
			t.Errorf("probe %d: stage %q err %v verdict %q; want a not-found DNS failure", i, r.Stage, r.Err, Classify(r).Kind)
		}
	}
	if n := queries.Of("gone.test", "A"); n != 1 {
		t.Errorf("%d A queries, want 1", n)
	}
}

// A request whose deadline passes while the run's lookup of its name is
// still out failed at DNS, as it does without sharing.
func TestProbeInARunDeadlineDuringLookupIsDNSStage(t *testing.T) {
	_, res := dnstest.Serve(t, dnstest.Table{"chatgpt.test": dnstest.Hang()})
	p := &Prober{Resolver: res}
	t.Cleanup(p.Close)
	r := doInRun(t, lookup.NewShared(t.Context()), p, "https://chatgpt.test/", 300*time.Millisecond)
	if r.Err == nil || r.Stage != StageDNS || !r.Timeout || r.Timings.DNS <= 0 {
		t.Errorf("err %v stage %q timeout %v dns %v; want a DNS-stage timeout with its time", r.Err, r.Stage, r.Timeout, r.Timings.DNS)
	}
}

// requireIPv6 skips when this machine has no IPv6 loopback.
func requireIPv6(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	ln.Close()
}

// A name with addresses of both families is dialled as Go's dialer would:
// the resolver's first family (IPv6 here, as RFC 6724 prefers ::1 to
// 127.0.0.1) first, then the other when that fails.
func TestProbeInARunTriesBothFamilies(t *testing.T) {
	requireIPv6(t)
	_, res, queries := dnstest.ServeCounting(t, dnstest.Table{"dual.test": dnstest.Addrs("::1", "127.0.0.1")})
	addrs, err := res.LookupIPAddr(t.Context(), "dual.test")
	if err != nil || len(addrs) != 2 || addrs[0].IP.To4() != nil {
		t.Fatalf("the resolver answers %v, %v; the test needs ::1 first", addrs, err)
	}
	before := queries.Of("dual.test", "A")
	for _, tc := range []struct{ name, listen string }{
		{"only IPv4 listens", "127.0.0.1:0"},
		{"IPv6 listens", "[::1]:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, p := namedServer(t, listen(t, tc.listen), "dual.test")
			p.Resolver = res
			t.Cleanup(p.Close)
			shared := lookup.NewShared(t.Context())
			for i := range 2 {
				p.Close()
				r := doInRun(t, shared, p, "https://dual.test:"+port(t, srv)+"/", 10*time.Second)
				if !r.Reached() || r.RemoteAddr != srv.Listener.Addr().String() {
					t.Fatalf("probe %d: reached %v at %q, err %v; want %s", i, r.Reached(), r.RemoteAddr, r.Err, srv.Listener.Addr())
				}
			}
			if n := queries.Of("dual.test", "A") - before; n != 1 {
				t.Errorf("%d A queries for two probes, want 1", n)
			}
			before = queries.Of("dual.test", "A")
		})
	}
}

// With a proxy the transport dials the proxy's name: it is looked up once
// in the run, and the request still goes through the proxy. A proxy whose
// name does not resolve is a failure at the proxy, at the DNS stage.
func TestProbeInARunReachesANamedProxy(t *testing.T) {
	_, res, queries := dnstest.ServeCounting(t, dnstest.Table{"proxy.test": dnstest.Addrs("127.0.0.1")})
	srv := cftest.NewServer(t, cftest.Mux())
	px := proxytest.Serve(t, 0)
	named := &url.URL{Scheme: "http", Host: "proxy.test:" + px.URL.Port()}
	p := &Prober{RootCAs: cftest.Pool(srv), Resolver: res, Proxy: http.ProxyURL(named)}
	t.Cleanup(p.Close)
	shared := lookup.NewShared(t.Context())
	for i := range 2 {
		p.Close()
		r := doInRun(t, shared, p, cftest.URL(srv, cftest.OK), 10*time.Second)
		if !r.Reached() || r.Status != 200 || r.AtProxy || r.RemoteAddr != px.URL.Host {
			t.Fatalf("probe %d: reached %v status %d at proxy %v remote %q err %v; want 200 through the proxy at %s", i, r.Reached(), r.Status, r.AtProxy, r.RemoteAddr, r.Err, px.URL.Host)
		}
	}
	if n := queries.Of("proxy.test", "A"); n != 1 {
		t.Errorf("%d A queries for the proxy's name, want 1", n)
	}

	gone := &Prober{RootCAs: cftest.Pool(srv), Resolver: res, Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: "gone.test:3128"})}
	t.Cleanup(gone.Close)
	r := doInRun(t, shared, gone, cftest.URL(srv, cftest.OK), 10*time.Second)
	if r.Err == nil || !r.AtProxy || r.Stage != StageDNS {
		t.Errorf("err %v at proxy %v stage %q; want a DNS failure at the proxy", r.Err, r.AtProxy, r.Stage)
	}
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
