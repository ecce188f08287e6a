// Package probe makes the HTTP requests of the checks: direct (never through
// a configured proxy, unless a Prober is given one — only the proxy check's
// comparison of the two paths does), never following redirects, timing each
// phase with httptrace, reading at most a bounded body, and saying at which
// stage a failure happened. It judges nothing: classify.go turns answers into
// verdicts.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Body limits: enough for any page, trace or status document Clearance reads.
const (
	PageLimit = 64 << 10 // pages and traces
	JSONLimit = 1 << 20  // the status JSON
)

// The HTTP/2 flow-control windows of each request: the most a server may
// send of a body before Clearance reads it.
//
// judgeWindow is for a request made only to be judged (Request.JudgeOnly):
// a page it leaves unread then costs no more than this on the wire,
// however large. The error pages such a request does read (a few KiB
// compressed) flow at about this much per round trip (Go's client gives
// the window back once half of it is read).
//
// readWindow is for requests whose body is always read — the traces, the
// status JSON — so that a slow link does not make them slow too: a page
// flows at this much per round trip, and no more than this arrives past
// the body limit.
const (
	judgeWindow = 2 << 10
	readWindow  = PageLimit
)

// Stage is how far a request got before it failed.
type Stage string

const (
	StageDNS     Stage = "dns"
	StageConnect Stage = "connect"
	StageTLS     Stage = "tls"
	StageHTTP    Stage = "http"
)

// Timings are the phases of one request, in milliseconds for the report.
type Timings struct {
	DNS       time.Duration `json:"-"`
	Connect   time.Duration `json:"-"`
	TLS       time.Duration `json:"-"`
	FirstByte time.Duration `json:"-"` // from request sent to first response byte
	Total     time.Duration `json:"-"`
}

// Millis renders the timings for a check's data.
func (t Timings) Millis() map[string]float64 {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return map[string]float64{"dns_ms": ms(t.DNS), "connect_ms": ms(t.Connect), "tls_ms": ms(t.TLS), "first_byte_ms": ms(t.FirstByte), "total_ms": ms(t.Total)}
}

// CertProblem is the reason a TLS certificate was refused.
type CertProblem string

const (
	CertExpired          CertProblem = "expired"
	CertNotYetValid      CertProblem = "not-yet-valid"
	CertUnknownAuthority CertProblem = "unknown-authority"
	CertHostname         CertProblem = "hostname"
	CertOther            CertProblem = "other"
)

// CertFailure describes a refused certificate: the evidence for clock skew
// (dates) or interception (issuer).
type CertFailure struct {
	Problem CertProblem
	Issuer  string // issuer's common name or organization
	// IssuerDN is the issuer's whole distinguished name: interception
	// appliances often name their vendor only in O or OU.
	IssuerDN  string
	NotBefore time.Time
	NotAfter  time.Time
}

// Response is what one request produced: a response, or a failure with its stage.
type Response struct {
	URL        string
	RemoteAddr string // ip:port actually connected to
	Timings    Timings
	Status     int
	Header     http.Header
	Body       []byte
	Truncated  bool // the body was longer than the limit
	// Unread is set when the body was left unread: the request was made
	// only to be judged, and Classify does not read this answer's body.
	Unread bool
	Err    error
	// Stage is set when Err != nil. A failure at the proxy (AtProxy) is
	// StageConnect, or StageDNS when the proxy's own name did not resolve:
	// no path to the site was made.
	Stage   Stage
	Cert    *CertFailure // set when TLS failed on the certificate
	Timeout bool         // the failure was a deadline
	Peer    []*x509.Certificate

	// AtProxy is set when a request through a proxy (Prober.Proxy) failed
	// at the proxy itself: it could not be reached, refused the tunnel
	// (ProxyStatus), or gave none before the deadline. Otherwise the failure
	// is the site's. Through a proxy, RemoteAddr and the DNS and Connect
	// timings are the proxy's; TLS and the answer are the site's.
	AtProxy bool
	// ProxyStatus is the proxy's answer to CONNECT when it was not 200.
	ProxyStatus int
}

// Reached reports whether TCP and TLS completed and a response arrived:
// what "reachable" means for every check. No response (a probe that never
// ran) reached nothing.
func (r *Response) Reached() bool { return r != nil && r.Err == nil }

// PastConnect reports whether the request got past TCP connect, which is
// what separates "offline" from everything else.
func (r *Response) PastConnect() bool {
	return r != nil && (r.Err == nil || r.Stage == StageTLS || r.Stage == StageHTTP)
}

// Prober issues requests. Its zero value uses the system resolver and roots.
type Prober struct {
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// RootCAs verifies servers; nil means the system roots.
	RootCAs *x509.CertPool
	// Now is the clock used to judge certificate dates; nil means time.Now.
	Now func() time.Time
	// Proxy chooses the proxy for a request, as http.Transport.Proxy does;
	// nil means direct. Probes go direct, because they describe this
	// machine's own path: every check but the proxy check's comparison of
	// the direct and proxied paths leaves it nil.
	Proxy func(*http.Request) (*url.URL, error)
	// Sessions remembers TLS sessions, so that the next connection to a
	// host resumes one instead of a full handshake (sessions.go); nil
	// remembers none. Reset forgets them.
	Sessions *SessionCache

	mu sync.Mutex // guards tr: Close may run while a request is in flight
	// tr are the transports for requests whose body is read (readBodies)
	// and for requests made only to be judged (judgeOnly): they differ in
	// their HTTP/2 stream window (judgeWindow, readWindow).
	tr [2]*http.Transport
}

// The transports of a Prober, by what their requests read.
const (
	readBodies = iota
	judgeOnly
)

// UserAgent names Clearance honestly; a probe never pretends to be a browser.
const UserAgent = "Clearance/1 (+connectivity check)"

func (p *Prober) transport(kind int) *http.Transport {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tr[kind] == nil {
		d := &net.Dialer{Resolver: p.Resolver, KeepAlive: -1}
		window := readWindow
		if kind == judgeOnly {
			window = judgeWindow
		}
		p.tr[kind] = &http.Transport{
			Proxy:       p.Proxy, // nil: probes go direct
			DialContext: dialShared(d),
			TLSClientConfig: &tls.Config{
				RootCAs: p.RootCAs,
				Time:    p.Now,
				// Classical key exchange only: the hybrid post-quantum
				// share adds 2.3 KB to every handshake, resumed ones too,
				// and a probe carries nothing secret to protect from
				// later decryption (no cookie, no credential).
				CurvePreferences:   []tls.CurveID{tls.X25519, tls.CurveP256},
				ClientSessionCache: p.Sessions.forTransport(),
			},
			ForceAttemptHTTP2:      true,
			HTTP2:                  &http.HTTP2Config{MaxReceiveBufferPerStream: window},
			MaxResponseHeaderBytes: 64 << 10,
			IdleConnTimeout:        30 * time.Second,
			// Go reports a refused CONNECT only by its status text; the
			// status tells "the proxy refused" from "the site refused".
			OnProxyConnectResponse: func(_ context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
				if resp.StatusCode != http.StatusOK {
					return &proxyRefused{status: resp.StatusCode, text: resp.Status}
				}
				return nil
			},
		}
	}
	return p.tr[kind]
}

// Close releases idle connections. It is safe while requests are in flight.
func (p *Prober) Close() {
	p.mu.Lock()
	trs := p.tr
	p.mu.Unlock()
	closeIdle(trs)
}

func closeIdle(trs [2]*http.Transport) {
	for _, tr := range trs {
		if tr != nil {
			tr.CloseIdleConnections()
		}
	}
}

// Reset makes every later request dial afresh, even one whose connection
// is in use now: the transport is replaced, so a connection that comes
// back to the old one after Reset is never handed out again (it closes
// when the old transport's idle timeout passes). For a network change: a
// connection opened before it still works over the old path. The TLS
// sessions are forgotten too, with any that a connection from before
// brings in later: none is offered on the new network.
func (p *Prober) Reset() {
	p.mu.Lock()
	trs := p.tr
	p.tr = [2]*http.Transport{}
	p.Sessions.Forget()
	p.mu.Unlock()
	closeIdle(trs)
}

// proxyRefused is a proxy's non-200 answer to CONNECT.
type proxyRefused struct {
	status int
	text   string
}

func (e *proxyRefused) Error() string { return "the proxy refused CONNECT: " + e.text }

// traceState is what the httptrace callbacks learn during one request.
type traceState struct {
	t                                    Timings
	dnsStart, connStart, tlsStart, wrote time.Time
	resolving                            bool // a name lookup started and has not ended
	connected, handshaken, gotConn       bool
	reused                               bool // the connection (a proxy's tunnel, say) was in use before
	tlsStarts                            int
	remote                               string
	peer                                 []*x509.Certificate
}

// Request describes one probe.
type Request struct {
	Method string // default GET
	URL    string
	Header map[string]string // extra headers
	Limit  int64             // body limit; default PageLimit
	// JudgeOnly says the answer is only judged (Classify): its body is
	// read only when NeedsBody says Classify reads it, and otherwise the
	// request ends at the headers. A 200 page of a web app is then not
	// downloaded every run to learn what its status already says.
	JudgeOnly bool
}

// Do performs one request. It never returns an error itself: failures are in
// the Response, with the stage they happened at.
func (p *Prober) Do(ctx context.Context, req Request) *Response {
	r := &Response{URL: req.URL}
	limit := req.Limit
	if limit <= 0 {
		limit = PageLimit
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	// httptrace callbacks run on the transport's goroutines, and a losing
	// parallel dial may report after RoundTrip has returned: they write to
	// st under mu, and st is copied into r once, when RoundTrip is done.
	var (
		mu       sync.Mutex
		st       traceState
		finished bool
		start    = time.Now()
	)
	at := func(f func(*traceState)) {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			f(&st)
		}
	}
	trace := &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) {
			at(func(s *traceState) { s.dnsStart, s.resolving = time.Now(), true })
		},
		DNSDone: func(httptrace.DNSDoneInfo) {
			at(func(s *traceState) { s.t.DNS, s.resolving = time.Since(s.dnsStart), false })
		},
		ConnectStart: func(_, _ string) {
			at(func(s *traceState) { s.connStart = time.Now() })
		},
		ConnectDone: func(_, addr string, err error) {
			at(func(s *traceState) {
				if err == nil && !s.connected {
					s.connected, s.remote = true, addr
					s.t.Connect = time.Since(s.connStart)
				}
			})
		},
		TLSHandshakeStart: func() {
			at(func(s *traceState) { s.tlsStart = time.Now(); s.tlsStarts++ })
		},
		TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
			at(func(s *traceState) {
				if err == nil {
					s.handshaken = true
					s.t.TLS = time.Since(s.tlsStart)
				}
				s.peer = cs.PeerCertificates
			})
		},
		GotConn: func(info httptrace.GotConnInfo) {
			at(func(s *traceState) {
				s.gotConn = true
				if info.Reused {
					s.connected, s.handshaken, s.reused = true, true, true
					s.remote = info.Conn.RemoteAddr().String()
				}
			})
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { at(func(s *traceState) { s.wrote = time.Now() }) },
		GotFirstResponseByte: func() { at(func(s *traceState) { s.t.FirstByte = time.Since(s.wrote) }) },
	}
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, req.URL, nil)
	if err != nil {
		r.Err, r.Stage = err, StageHTTP
		return r
	}
	hreq.Header.Set("User-Agent", UserAgent)
	for k, v := range req.Header {
		hreq.Header.Set(k, v)
	}
	// Whether this request goes through a proxy, as the transport will
	// decide: a proxy function that fails makes RoundTrip fail too, and
	// that failure is the proxy's.
	viaProxy, proxyScheme := false, ""
	if p.Proxy != nil {
		u, err := p.Proxy(hreq)
		viaProxy = err != nil || u != nil
		if u != nil {
			proxyScheme = u.Scheme
		}
	}
	kind := readBodies
	if req.JudgeOnly {
		kind = judgeOnly
	}
	resp, err := p.transport(kind).RoundTrip(hreq) // RoundTrip: redirects are not followed
	mu.Lock()
	finished = true
	mu.Unlock()
	r.Timings, r.RemoteAddr, r.Peer = st.t, st.remote, st.peer
	defer func() { r.Timings.Total = time.Since(start) }()
	if err != nil {
		r.Err = err
		r.Timeout = isTimeout(err)
		r.Cert = certFailure(err, p.Now)
		isTLS := strings.EqualFold(hreq.URL.Scheme, "https")
		if viaProxy {
			r.AtProxy, r.ProxyStatus = atProxy(err, proxyScheme, isTLS && !st.reused, st.tlsStarts)
		}
		switch {
		case isDNSError(err):
			r.Stage = StageDNS
		case st.resolving:
			// The request ended while its name was still being looked up
			// (the transport returns the bare context error then): it
			// never reached a connect, whatever the error says.
			r.Stage = StageDNS
			r.Timings.DNS = time.Since(st.dnsStart)
		case r.AtProxy || (!st.connected && !st.gotConn):
			r.Stage = StageConnect
		case isTLS && !st.handshaken:
			r.Stage = StageTLS
		default:
			r.Stage = StageHTTP
		}
		return r
	}
	// Closing a body unread resets its HTTP/2 stream (the connection stays
	// for the next request) or closes an HTTP/1 connection: neither reads
	// the rest of it.
	defer resp.Body.Close()
	r.Status, r.Header = resp.StatusCode, resp.Header
	if req.JudgeOnly && !NeedsBody(resp.StatusCode, resp.Header) {
		r.Unread = true
		return r
	}
	r.Body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(r.Body)) > limit {
		r.Body, r.Truncated = r.Body[:limit], true
	} else if err != nil {
		// The response arrived: the host is reachable. A body cut short is
		// noted, not treated as a failure of the path.
		r.Truncated = true
	}
	return r
}

// atProxy reports whether a request through proxy failed at the proxy
// itself, and the proxy's refusing status if it sent one. Go marks a failed
// connection to the proxy ("proxyconnect") and a SOCKS refusal; a refused
// CONNECT is proxyRefused. Any other failure before the TLS handshake with
// the site began (a proxy that never answers CONNECT, a deadline while
// dialing it) also left no tunnel to the site; newTLS says a handshake with
// the site was due (an https URL on a new connection).
func atProxy(err error, proxyScheme string, newTLS bool, tlsStarts int) (bool, int) {
	var refused *proxyRefused
	if errors.As(err, &refused) {
		return true, refused.status
	}
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "proxyconnect" || strings.HasPrefix(op.Op, "socks")) {
		return true, 0
	}
	proxyTLS := 0 // an https:// proxy is itself reached over TLS first
	if strings.EqualFold(proxyScheme, "https") {
		proxyTLS = 1
	}
	return newTLS && tlsStarts <= proxyTLS, 0
}

func isDNSError(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// certFailure extracts why a certificate was refused, if that is the error.
func certFailure(err error, now func() time.Time) *CertFailure {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Cert != nil {
		f := &CertFailure{Problem: CertOther, NotBefore: inv.Cert.NotBefore, NotAfter: inv.Cert.NotAfter, Issuer: issuerName(inv.Cert), IssuerDN: inv.Cert.Issuer.String()}
		if inv.Reason == x509.Expired {
			t := time.Now()
			if now != nil {
				t = now()
			}
			f.Problem = CertExpired
			if t.Before(inv.Cert.NotBefore) {
				f.Problem = CertNotYetValid
			}
		}
		return f
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		f := &CertFailure{Problem: CertUnknownAuthority}
		if ua.Cert != nil {
			f.Issuer, f.NotBefore, f.NotAfter = issuerName(ua.Cert), ua.Cert.NotBefore, ua.Cert.NotAfter
			f.IssuerDN = ua.Cert.Issuer.String()
		}
		return f
	}
	var hn x509.HostnameError
	if errors.As(err, &hn) {
		f := &CertFailure{Problem: CertHostname}
		if hn.Certificate != nil {
			f.Issuer, f.IssuerDN = issuerName(hn.Certificate), hn.Certificate.Issuer.String()
		}
		return f
	}
	return nil
}

func issuerName(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	if len(c.Issuer.Organization) > 0 {
		return c.Issuer.Organization[0]
	}
	return c.Issuer.String()
}

// Date returns the parsed Date header of a response, if any.
func (r *Response) Date() (time.Time, bool) {
	if r.Header == nil {
		return time.Time{}, false
	}
	t, err := http.ParseTime(r.Header.Get("Date"))
	return t, err == nil
}
