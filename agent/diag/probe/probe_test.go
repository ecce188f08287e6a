package probe

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/dnstest"
	"github.com/clearance-app/clearance/internal/testworld/proxytest"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
)

// do runs one probe with a deadline that ends a test that would hang.
// The limit is a guard, not a measurement: nothing asserts on speed.
func do(t testing.TB, p *Prober, url string, timeout time.Duration) *Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	done := make(chan *Response, 1)
	go func() { done <- p.Do(ctx, Request{URL: url, Header: map[string]string{"Accept": "application/json"}}) }()
	select {
	case r := <-done:
		return r
	case <-time.After(timeout + 10*time.Second):
		t.Fatalf("Do(%s) did not return after its deadline", url)
		return nil
	}
}

// TestDoAgainstCloudflareAnswers probes every cftest case over real TLS on
// loopback and checks what arrives and what it means.
func TestDoAgainstCloudflareAnswers(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv)}
	t.Cleanup(p.Close)
	tests := []struct {
		c      cftest.Case
		status int
		kind   Kind
	}{
		{cftest.OK, 200, KindOK},
		{cftest.Unauthorized, 401, KindOK},
		{cftest.Block1020Text, 403, KindBlocked},
		{cftest.Block1020HTML, 403, KindBlocked},
		{cftest.Block1020JSON, 403, KindBlocked},
		{cftest.WAFBlock, 403, KindBlocked},
		{cftest.Challenge, 403, KindChallenge},
		{cftest.Challenge429, 429, KindChallenge},
		{cftest.RateLimit1015, 429, KindRateLimited},
		{cftest.OpenAIRateLimit, 429, KindRateLimited},
		{cftest.Edge522, 522, KindServerError},
		{cftest.Origin503, 503, KindServerError},
		{cftest.Region, 403, KindRegionUnsupported},
		{cftest.Probe1010, 403, KindProbeLimited},
	}
	for _, tt := range tests {
		t.Run(string(tt.c), func(t *testing.T) {
			r := do(t, p, cftest.URL(srv, tt.c), 10*time.Second)
			if !r.Reached() || r.Status != tt.status {
				t.Fatalf("reached %v status %d err %v; want status %d", r.Reached(), r.Status, r.Err, tt.status)
			}
			if r.RemoteAddr == "" || r.Timings.Total <= 0 {
				t.Errorf("remote %q timings %+v: phases not recorded", r.RemoteAddr, r.Timings)
			}
			if got := Classify(r).Kind; got != tt.kind {
				t.Errorf("verdict %q; want %q", got, tt.kind)
			}
		})
	}
}

func TestDoTrace(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv)}
	r := do(t, p, srv.URL+"/cdn-cgi/trace", 10*time.Second)
	tr, err := ParseTrace(r.Body)
	if err != nil || tr.IP != cftest.TraceIP || tr.Loc != cftest.Loc || tr.Colo != cftest.Colo || tr.TLS != "TLSv1.3" {
		t.Errorf("trace %+v, %v", tr, err)
	}
}

func TestDoDoesNotFollowRedirects(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv)}
	r := do(t, p, cftest.URL(srv, cftest.LoopRedirect), 10*time.Second)
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/origin-503" {
		t.Errorf("status %d location %q; want the 302 itself", r.Status, r.Header.Get("Location"))
	}
	if Classify(r).Kind != KindOK {
		t.Errorf("a redirect is reachable and fine, got %q", Classify(r).Kind)
	}
}

func TestDoReadsOnlyAPage(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv)}
	r := do(t, p, cftest.URL(srv, cftest.Huge), 10*time.Second)
	if !r.Reached() || len(r.Body) != PageLimit || !r.Truncated {
		t.Errorf("reached %v, read %d bytes, truncated %v; want %d bytes, truncated", r.Reached(), len(r.Body), r.Truncated, PageLimit)
	}
}

func TestDoHangingServerEndsAtTheDeadline(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv)}
	r := do(t, p, cftest.URL(srv, cftest.Hang), 300*time.Millisecond)
	if r.Err == nil || !r.Timeout || r.Stage != StageHTTP {
		t.Fatalf("err %v timeout %v stage %q; want a timeout at the http stage", r.Err, r.Timeout, r.Stage)
	}
	if v := Classify(r); v.Kind != KindUnreachable || !v.Timeout {
		t.Errorf("verdict %+v", v)
	}
}

func TestDoSilentPeerEndsAtTheDeadline(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	addr := tcptest.Serve(t, func(c net.Conn) { <-stop; c.Close() }) // accepts, never speaks TLS
	r := do(t, &Prober{}, "https://"+addr+"/", 300*time.Millisecond)
	if !r.Timeout || r.Stage != StageTLS || !r.PastConnect() {
		t.Errorf("err %v timeout %v stage %q; want a timeout in the TLS handshake", r.Err, r.Timeout, r.Stage)
	}
}

// TestDoConnectionReset resets the connection after the ClientHello, as
// middleboxes that filter by SNI do.
func TestDoConnectionReset(t *testing.T) {
	addr := tcptest.Serve(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 1024))
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST
		}
		c.Close()
	})
	r := do(t, &Prober{}, "https://"+addr+"/", 5*time.Second)
	if r.Err == nil || r.Stage != StageTLS || r.Timeout {
		t.Errorf("err %v stage %q timeout %v; want a TLS-stage failure", r.Err, r.Stage, r.Timeout)
	}
	if Classify(r).Kind != KindUnreachable {
		t.Errorf("verdict %q", Classify(r).Kind)
	}
}

func TestDoConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := do(t, &Prober{}, "https://"+addr+"/", 5*time.Second)
	if r.Err == nil || r.Stage != StageConnect || r.PastConnect() {
		t.Errorf("err %v stage %q; want a connect-stage failure", r.Err, r.Stage)
	}
}

func TestDoDNSFailure(t *testing.T) {
	// A resolver that cannot reach any server: nothing leaves the machine.
	res := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in tests")
	}}
	r := do(t, &Prober{Resolver: res}, "https://chatgpt.invalid/", 5*time.Second)
	if r.Err == nil || r.Stage != StageDNS {
		t.Errorf("err %v stage %q; want a DNS-stage failure", r.Err, r.Stage)
	}
	if Classify(r).Kind != KindDNS {
		t.Errorf("verdict %q", Classify(r).Kind)
	}
}

// A request whose deadline passes while its name is still being looked up
// (a resolver that drops every query) failed at DNS: it never reached a
// connect. The transport returns the bare context error then, with no
// DNSError to say so.
func TestDoDeadlineDuringLookupIsDNSStage(t *testing.T) {
	_, res := dnstest.Serve(t, dnstest.Table{"chatgpt.test": dnstest.Hang()})
	r := do(t, &Prober{Resolver: res}, "https://chatgpt.test/", 300*time.Millisecond)
	if r.Err == nil || r.Stage != StageDNS || !r.Timeout {
		t.Fatalf("err %v stage %q timeout %v; want a DNS-stage timeout", r.Err, r.Stage, r.Timeout)
	}
	if r.Timings.DNS <= 0 {
		t.Errorf("dns timing %v: the time spent waiting for the lookup is not shown", r.Timings.DNS)
	}
	if v := Classify(r); v.Kind != KindDNS || !strings.Contains(v.Reason, "timed out") {
		t.Errorf("verdict %q %q, want a DNS timeout", v.Kind, v.Reason)
	}
}

func TestDoUnknownAuthority(t *testing.T) {
	srv := cftest.New(t, cftest.OK)
	r := do(t, &Prober{}, srv.URL, 5*time.Second) // system roots do not know httptest's CA
	if r.Cert == nil || r.Cert.Problem != CertUnknownAuthority || r.Cert.Issuer == "" || r.Stage != StageTLS {
		t.Fatalf("cert %+v stage %q err %v; want unknown authority with an issuer", r.Cert, r.Stage, r.Err)
	}
	if v := Classify(r); v.Kind != KindIntercepted || !strings.Contains(v.Reason, r.Cert.Issuer) {
		t.Errorf("verdict %+v", v)
	}
}

func TestDoInterceptionVendorFromTheOrganization(t *testing.T) {
	ca := cftest.NewCA(t, pkix.Name{CommonName: "Forward Trust CA", Organization: []string{"Palo Alto Networks"}})
	now := time.Now()
	srv := cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), ca.Leaf(t, now.Add(-time.Hour), now.Add(time.Hour)))
	r := do(t, &Prober{}, srv.URL, 5*time.Second) // the appliance's root is not trusted here
	v := Classify(r)
	if v.Kind != KindIntercepted || v.Vendor != "Palo Alto Networks" || r.Cert.Issuer != "Forward Trust CA" {
		t.Errorf("verdict %+v cert %+v", v, r.Cert)
	}
}

func TestDoCertificateDates(t *testing.T) {
	ca := cftest.NewCA(t, pkix.Name{CommonName: "Clearance Test Root"})
	now := time.Now()
	day := 24 * time.Hour
	tests := []struct {
		name          string
		before, after time.Time
		clock         func() time.Time // the prober's clock; nil is the real one
		want          CertProblem
	}{
		{"expired", now.Add(-30 * day), now.Add(-day), nil, CertExpired},
		{"not yet valid", now.Add(day), now.Add(30 * day), nil, CertNotYetValid},
		{"valid, clock two years ahead", now.Add(-day), now.Add(90 * day), func() time.Time { return now.Add(730 * day) }, CertExpired},
		{"valid, clock a year behind", now.Add(-day), now.Add(90 * day), func() time.Time { return now.Add(-365 * day) }, CertNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), ca.Leaf(t, tt.before, tt.after))
			r := do(t, &Prober{RootCAs: ca.Pool(), Now: tt.clock}, srv.URL, 5*time.Second)
			if r.Cert == nil || r.Cert.Problem != tt.want || r.Stage != StageTLS {
				t.Fatalf("cert %+v stage %q err %v; want %q", r.Cert, r.Stage, r.Err, tt.want)
			}
			if v := Classify(r); v.Kind != KindCertDates || !strings.Contains(v.Reason, "clock") {
				t.Errorf("verdict %+v", v)
			}
		})
	}
}

func TestDoValidCertificate(t *testing.T) {
	ca := cftest.NewCA(t, pkix.Name{CommonName: "Clearance Test Root"})
	now := time.Now()
	srv := cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), ca.Leaf(t, now.Add(-time.Hour), now.Add(time.Hour)))
	r := do(t, &Prober{RootCAs: ca.Pool()}, srv.URL, 5*time.Second)
	if !r.Reached() || r.Status != 200 {
		t.Errorf("status %d err %v", r.Status, r.Err)
	}
}

// A request through a proxy keeps what Do promises direct: the answer
// itself (no redirect followed), the body limit, the timings.
func TestDoThroughProxy(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	px := proxytest.Serve(t, 0)
	p := &Prober{RootCAs: cftest.Pool(srv), Proxy: http.ProxyURL(px.URL)}
	t.Cleanup(p.Close)

	r := do(t, p, cftest.URL(srv, cftest.OK), 10*time.Second)
	if !r.Reached() || r.Status != 200 || r.AtProxy || r.ProxyStatus != 0 {
		t.Fatalf("reached %v status %d at proxy %v proxy status %d err %v; want 200 through the proxy", r.Reached(), r.Status, r.AtProxy, r.ProxyStatus, r.Err)
	}
	if r.RemoteAddr != px.URL.Host || r.Timings.TLS <= 0 || r.Timings.Total <= 0 {
		t.Errorf("remote %q (want the proxy %s) timings %+v", r.RemoteAddr, px.URL.Host, r.Timings)
	}
	if r := do(t, p, cftest.URL(srv, cftest.LoopRedirect), 10*time.Second); r.Status != http.StatusFound {
		t.Errorf("status %d err %v; want the 302 itself", r.Status, r.Err)
	}
	if r := do(t, p, cftest.URL(srv, cftest.Huge), 10*time.Second); len(r.Body) != PageLimit || !r.Truncated {
		t.Errorf("read %d bytes, truncated %v; want %d, truncated", len(r.Body), r.Truncated, PageLimit)
	}
	// On the tunnel already open, a site that hangs is the site's failure.
	if r := do(t, p, cftest.URL(srv, cftest.OK), 10*time.Second); !r.Reached() {
		t.Fatalf("err %v", r.Err)
	}
	if r := do(t, p, cftest.URL(srv, cftest.Hang), 300*time.Millisecond); r.AtProxy || !r.Timeout || r.Stage != StageHTTP {
		t.Errorf("err %v at proxy %v timeout %v stage %q; want the site's timeout at the http stage", r.Err, r.AtProxy, r.Timeout, r.Stage)
	}
}

func TestDoProxyUnreachable(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv), Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: tcptest.Closed(t)})}
	t.Cleanup(p.Close)
	r := do(t, p, cftest.URL(srv, cftest.OK), 5*time.Second)
	if r.Err == nil || !r.AtProxy || r.Stage != StageConnect || r.PastConnect() || r.Timeout {
		t.Errorf("err %v at proxy %v stage %q timeout %v; want a connect-stage failure at the proxy", r.Err, r.AtProxy, r.Stage, r.Timeout)
	}
}

func TestDoProxyRefusesConnect(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv), Proxy: http.ProxyURL(proxytest.Serve(t, http.StatusBadGateway).URL)}
	t.Cleanup(p.Close)
	r := do(t, p, cftest.URL(srv, cftest.OK), 5*time.Second)
	if r.Err == nil || !r.AtProxy || r.ProxyStatus != http.StatusBadGateway || r.Stage != StageConnect || r.Reached() {
		t.Errorf("err %v at proxy %v proxy status %d stage %q; want the proxy's 502 at the connect stage", r.Err, r.AtProxy, r.ProxyStatus, r.Stage)
	}
}

// A proxy that takes the connection and never answers CONNECT gives no
// tunnel: the failure is the proxy's, at the deadline.
func TestDoProxySilentEndsAtTheDeadline(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	silent := tcptest.Serve(t, func(c net.Conn) { <-stop; c.Close() })
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv), Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: silent})}
	t.Cleanup(p.Close)
	r := do(t, p, cftest.URL(srv, cftest.OK), 300*time.Millisecond)
	if !r.AtProxy || !r.Timeout || r.Stage != StageConnect {
		t.Errorf("err %v at proxy %v timeout %v stage %q; want a timeout at the proxy", r.Err, r.AtProxy, r.Timeout, r.Stage)
	}
}

// When the tunnel stands and the site fails, the failure is the site's.
func TestDoThroughProxyTargetFails(t *testing.T) {
	srv := cftest.New(t, cftest.OK)
	p := &Prober{Proxy: http.ProxyURL(proxytest.Serve(t, 0).URL)} // system roots do not know httptest's CA
	t.Cleanup(p.Close)
	r := do(t, p, srv.URL, 5*time.Second)
	if r.AtProxy || r.Stage != StageTLS || r.Cert == nil || r.Cert.Problem != CertUnknownAuthority {
		t.Errorf("err %v at proxy %v stage %q cert %+v; want the site's certificate refused", r.Err, r.AtProxy, r.Stage, r.Cert)
	}
}

// Close may run while a request is in flight (a check times out while
// another still probes); under -race this proves the transport is shared
// safely.
func TestCloseDuringRequest(t *testing.T) {
	srv := cftest.NewServer(t, cftest.Mux())
	p := &Prober{RootCAs: cftest.Pool(srv)}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { do(t, p, cftest.URL(srv, cftest.OK), 10*time.Second) })
		wg.Go(p.Close)
	}
	wg.Wait()
	p.Close()
}

// A connection in use when Reset is called is never handed out again once
// it comes back, even when other requests have run meanwhile. (Close only
// closes the connections idle at that moment, and those that come back
// before the next request starts.)
func TestResetDropsConnectionsInUse(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	from := map[string]string{} // path → the client address it came from
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		from[r.URL.Path] = r.RemoteAddr
		mu.Unlock()
		if r.URL.Path == "/slow" {
			<-release
		}
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p := &Prober{RootCAs: cftest.Pool(srv)}
	t.Cleanup(p.Close)
	seen := func(path string) string {
		mu.Lock()
		defer mu.Unlock()
		return from[path]
	}

	done := make(chan *Response, 1)
	go func() { done <- do(t, p, srv.URL+"/slow", 30*time.Second) }()
	for seen("/slow") == "" {
		time.Sleep(5 * time.Millisecond) // until the slow request holds its connection
	}
	// The network changes while it is in flight, and another request runs.
	p.Reset()
	if r := do(t, p, srv.URL+"/during", 30*time.Second); !r.Reached() {
		t.Fatalf("a request after the change: %v", r.Err)
	}
	close(release)
	if r := <-done; !r.Reached() {
		t.Fatalf("the slow request: %v", r.Err)
	}
	if r := do(t, p, srv.URL+"/after", 30*time.Second); !r.Reached() {
		t.Fatalf("the next request: %v", r.Err)
	}
	if seen("/after") == seen("/slow") {
		t.Errorf("the request after the change went over the connection from before it (%s)", seen("/slow"))
	}
}
