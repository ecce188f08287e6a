// Package cftest provides loopback HTTPS servers that answer as Cloudflare
// and OpenAI do, so that the endpoints check and the classifier are tested
// against real peers. Each answer names the documented source of its shape
// (Cloudflare's documentation, OpenAI's, or a published report). It is for
// tests only and
// never sends anything beyond loopback.
package cftest

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Case names one way a host answers.
type Case string

const (
	OK              Case = "ok"               // 200, the web app
	Unauthorized    Case = "unauthorized"     // 401, api.openai.com/v1/models without a key
	Redirect        Case = "redirect"         // 302, not followed
	Block1020Text   Case = "1020-text"        // 403, "error code: 1020"
	Block1020HTML   Case = "1020-html"        // 403, the "Access denied" page
	Block1020JSON   Case = "1020-json"        // 403, RFC 9457
	WAFBlock        Case = "waf-block"        // 403, "Attention Required! | Cloudflare"
	Challenge       Case = "challenge"        // 403, cf-mitigated: challenge
	Challenge429    Case = "challenge-429"    // 429, cf-mitigated: challenge
	RateLimit1015   Case = "1015"             // 429, "error code: 1015", Retry-After: 30
	OpenAIRateLimit Case = "openai-429"       // 429, OpenAI's JSON
	Edge522         Case = "522"              // 522, RFC 9457, Retry-After: 120
	Origin503       Case = "origin-503"       // 503 from the origin, no Cloudflare body
	Region          Case = "region"           // 403, unsupported_country_region_territory
	Probe1010       Case = "1010"             // 403, "error code: 1010"
	TraceCase       Case = "cdn-cgi/trace"    // the trace, as served at /cdn-cgi/trace
	NotFound        Case = "not-found"        // 404 from the origin
	Teapot          Case = "unexpected"       // 418: an answer with no known meaning
	Hang            Case = "hang"             // headers never come; ends with the request
	Huge            Case = "huge"             // 200 with a 10 MB body
	LoopRedirect    Case = "redirect-to-fail" // 302 to a path that answers 500
)

// Identity of the simulated edge.
const (
	RayHex  = "8f3c2a1b4d5e6f70"
	Colo    = "FRA"
	Ray     = RayHex + "-" + Colo // cf-ray: <16 hex>-<COLO>
	TraceIP = "203.0.113.7"       // documentation range (RFC 5737)
	Loc     = "DE"
)

// HugeSize is the body length of the Huge case.
const HugeSize = 10 << 20

// Cases lists every case that a Mux serves.
func Cases() []Case {
	return []Case{OK, Unauthorized, Redirect, Block1020Text, Block1020HTML, Block1020JSON, WAFBlock,
		Challenge, Challenge429, RateLimit1015, OpenAIRateLimit, Edge522, Origin503, Region, Probe1010,
		TraceCase, NotFound, Teapot, Hang, Huge, LoopRedirect}
}

// Handler answers as the case says.
func Handler(c Case) http.Handler {
	switch c {
	case TraceCase:
		return TraceHandler(Loc)
	case Hang:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	case Huge:
		return http.HandlerFunc(huge)
	}
	a, ok := answers[c]
	if !ok {
		return http.NotFoundHandler()
	}
	return a
}

// TraceHandler serves /cdn-cgi/trace for a country, one key=value a line,
// in the order Cloudflare sends them (fawazahmed0/cloudflare-trace-api
// README; CF docs fundamentals/reference/cdn-cgi-endpoint.mdx), with the
// documentation address TraceIP as the visitor's.
func TraceHandler(loc string) http.Handler {
	return traceHandler(loc, func(*http.Request) string { return TraceIP })
}

// PeerTraceHandler is TraceHandler with the address the request really
// came from, as Cloudflare reports it: what a path through a VPN changes.
func PeerTraceHandler(loc string) http.Handler {
	return traceHandler(loc, func(r *http.Request) string {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		return host
	})
}

func traceHandler(loc string, ipOf func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		edge(w)
		w.Header().Set("Content-Type", "text/plain")
		tlsVersion := "off"
		if r.TLS != nil {
			tlsVersion = tlsName(r.TLS.Version)
		}
		fmt.Fprintf(w, "fl=29f12\nh=%s\nip=%s\nts=%d.123\nvisit_scheme=https\nuag=%s\ncolo=%s\nsliver=none\nhttp=%s\nloc=%s\ntls=%s\nsni=plaintext\nwarp=off\ngateway=off\nrbi=off\nkex=X25519\n",
			r.Host, ipOf(r), time.Now().Unix(), r.UserAgent(), Colo, httpName(r.ProtoMajor, r.ProtoMinor), loc, tlsVersion)
	})
}

func tlsName(v uint16) string {
	switch v {
	case 0x0304:
		return "TLSv1.3"
	case 0x0303:
		return "TLSv1.2"
	}
	return "TLSv1"
}

func httpName(major, minor int) string {
	if major >= 2 {
		return fmt.Sprintf("http/%d", major)
	}
	return fmt.Sprintf("http/%d.%d", major, minor)
}

// Mux serves every case at "/<case>" and the trace at /cdn-cgi/trace.
func Mux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, c := range Cases() {
		mux.Handle("/"+string(c), Handler(c))
	}
	return mux
}

// NewServer starts a loopback HTTPS server for h, closed when the test ends.
func NewServer(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(h)
	quiet(srv)
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv
}

// quiet drops the server's log of refused handshakes: tests that refuse a
// certificate on purpose would otherwise fill the output.
func quiet(srv *httptest.Server) {
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
}

// New starts a loopback HTTPS server answering as the case says at every path.
func New(tb testing.TB, c Case) *httptest.Server {
	tb.Helper()
	return NewServer(tb, Handler(c))
}

// Pool returns the roots that trust srv (every httptest TLS server shares
// one certificate, so one pool trusts them all).
func Pool(srv *httptest.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return pool
}

// URL returns the URL of a case on a Mux server.
func URL(srv *httptest.Server, c Case) string { return srv.URL + "/" + string(c) }

// edge sets the headers Cloudflare's edge adds to every answer.
func edge(w http.ResponseWriter) {
	w.Header().Set("Server", "cloudflare")
	w.Header().Set("Cf-Ray", Ray)
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
}

func huge(w http.ResponseWriter, r *http.Request) {
	edge(w)
	w.Header().Set("Content-Type", "text/plain")
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = 'x'
	}
	for sent := 0; sent < HugeSize; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return // the client stopped reading, as it should
		}
	}
}
