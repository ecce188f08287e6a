// Package dnstest serves DNS on loopback for tests: a table says how each
// name is answered (addresses, NXDOMAIN, SERVFAIL, silence). It exists so
// that checks are tested against a real DNS server instead of a mock; it
// must never be used outside tests. It listens on 127.0.0.1, or, through
// ListenAndServe, on an address of a test's own network namespace.
package dnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/clearance-app/clearance/internal/winegap"
)

// Answer is how the server answers one name.
type Answer struct {
	// Rcode is the response code; 0 (NOERROR) unless set.
	Rcode int
	// Addrs are the records: IPv4 addresses answer A queries, IPv6
	// addresses answer AAAA queries. Written as text so that a table reads
	// like a zone file; Serve fails the test on a bad one.
	Addrs []string
	// Hang makes the server read the query and never answer, as a resolver
	// behind a dead link does.
	Hang bool
	// Delay makes the server answer only after this long, as a slow
	// resolver does.
	Delay time.Duration
}

// NXDomain answers "no such name".
func NXDomain() Answer { return Answer{Rcode: dns.RcodeNameError} }

// ServFail answers "server failure", what a resolver says when its
// upstream is broken or DNSSEC validation fails.
func ServFail() Answer { return Answer{Rcode: dns.RcodeServerFailure} }

// Addrs answers with these addresses.
func Addrs(addrs ...string) Answer { return Answer{Addrs: addrs} }

// NoData answers NOERROR with no records: the name exists, without addresses.
func NoData() Answer { return Answer{} }

// Hang never answers.
func Hang() Answer { return Answer{Hang: true} }

// Table maps names ("chatgpt.test" or "chatgpt.test.", any case) to
// answers. Names not in the table get the answer for "*", or NXDOMAIN.
type Table map[string]Answer

// Serve starts a DNS server on 127.0.0.1, UDP and TCP on the same port,
// stopped when the test ends. It returns its address and a Go resolver that
// asks only it.
func Serve(t testing.TB, table Table) (string, *net.Resolver) {
	t.Helper()
	winegap.SkipIfNo(t, winegap.UDP)
	return serveWith(t, table, nil)
}

// serveWith is Serve, counting the queries in counted when not nil.
func serveWith(t testing.TB, table Table, counted *Queries) (string, *net.Resolver) {
	t.Helper()
	h, err := newHandler(table)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	h.counted = counted
	pc, ln, err := listenPair()
	if err != nil {
		t.Fatalf("dnstest: listen: %v", err)
	}
	addr := pc.LocalAddr().String()
	stop, err := serve(pc, ln, h)
	if err != nil {
		t.Fatalf("dnstest: serve: %v", err)
	}
	t.Cleanup(stop)
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	return addr, r
}

// ServeCounting is Serve that also counts the queries it receives, by
// name and type: a test's proof of how often a program asked.
func ServeCounting(t testing.TB, table Table) (string, *net.Resolver, *Queries) {
	t.Helper()
	winegap.SkipIfNo(t, winegap.UDP)
	q := &Queries{n: map[question]int{}}
	addr, r := serveWith(t, table, q)
	return addr, r, q
}

// Queries counts the queries a server received. It is safe for concurrent use.
type Queries struct {
	mu sync.Mutex
	n  map[question]int
}

type question struct {
	name  string // canonical: lower case, ending in a dot
	qtype uint16
}

// Of returns how many queries of qtype ("A", "AAAA") for name
// ("chatgpt.test", any case, with or without the final dot) arrived.
func (q *Queries) Of(name, qtype string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n[question{dns.CanonicalName(name), dns.StringToType[qtype]}]
}

// Total returns how many queries arrived, for any name.
func (q *Queries) Total() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	total := 0
	for _, n := range q.n {
		total += n
	}
	return total
}

func (q *Queries) add(dq dns.Question) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.n[question{dns.CanonicalName(dq.Name), dq.Qtype}]++
}

// ListenAndServe answers from table on addr ("192.0.2.53:53"), UDP and
// TCP, until stop is called: for a program that is not a test (a helper
// serving inside a network namespace).
func ListenAndServe(addr string, table Table) (stop func(), err error) {
	return ListenAndServeCounting(addr, table, nil)
}

// ListenAndServeCounting is ListenAndServe that also adds one to queries
// (when not nil) for every query it receives: a benchmark's count of the
// lookups a program made.
func ListenAndServeCounting(addr string, table Table, queries *atomic.Int64) (stop func(), err error) {
	h, err := newHandler(table)
	if err != nil {
		return nil, err
	}
	h.queries = queries
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		pc.Close()
		return nil, err
	}
	return serve(pc, ln, h)
}

// serve answers on both sockets; stop shuts both down.
func serve(pc net.PacketConn, ln net.Listener, h *handler) (stop func(), err error) {
	var servers []*dns.Server
	stop = func() {
		for _, srv := range servers {
			_ = srv.Shutdown()
		}
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		failed := make(chan error, 1)
		go func() { failed <- srv.ActivateAndServe() }()
		select {
		case <-started:
			servers = append(servers, srv)
		case err := <-failed:
			stop()
			pc.Close()
			ln.Close()
			return nil, err
		}
	}
	return stop, nil
}

// listenPair binds UDP on a free loopback port and TCP on the same port,
// so that a resolver falling back to TCP finds the same server. Another
// process may take the TCP port in between: then it tries another port.
func listenPair() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return pc, ln, nil
		}
		lastErr = err
		pc.Close()
	}
	return nil, nil, errors.Join(errors.New("no port free for both UDP and TCP"), lastErr)
}

type handler struct {
	answers map[string]parsedAnswer
	queries *atomic.Int64 // counts queries when not nil
	counted *Queries      // counts them by name and type when not nil
}

type parsedAnswer struct {
	rcode int
	v4    []netip.Addr
	v6    []netip.Addr
	hang  bool
	delay time.Duration
}

func newHandler(table Table) (*handler, error) {
	h := &handler{answers: map[string]parsedAnswer{}}
	for name, a := range table {
		p := parsedAnswer{rcode: a.Rcode, hang: a.Hang, delay: a.Delay}
		for _, s := range a.Addrs {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				return nil, errors.Join(errors.New("bad address for "+name), err)
			}
			if ip.Is4() {
				p.v4 = append(p.v4, ip)
			} else {
				p.v6 = append(p.v6, ip)
			}
		}
		h.answers[dns.CanonicalName(name)] = p
	}
	return h, nil
}

// ServeDNS answers one query from the table.
func (h *handler) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if h.queries != nil {
		h.queries.Add(1)
	}
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		_ = w.WriteMsg(m.SetRcode(req, dns.RcodeFormatError))
		return
	}
	q := req.Question[0]
	if h.counted != nil {
		h.counted.add(q)
	}
	a, ok := h.answers[dns.CanonicalName(q.Name)]
	if !ok {
		a, ok = h.answers["*."] // what CanonicalName makes of "*"
	}
	if !ok {
		a = parsedAnswer{rcode: dns.RcodeNameError}
	}
	if a.hang {
		return
	}
	time.Sleep(a.delay) // each query has a goroutine of its own
	m := new(dns.Msg)
	m.SetRcode(req, a.rcode)
	m.Authoritative = true
	if a.rcode == dns.RcodeSuccess {
		m.Answer = records(q, a)
	}
	_ = w.WriteMsg(m)
}

// records are the A or AAAA records answering q.
func records(q dns.Question, a parsedAnswer) []dns.RR {
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 60}
	}
	var out []dns.RR
	switch q.Qtype {
	case dns.TypeA:
		for _, ip := range a.v4 {
			out = append(out, &dns.A{Hdr: hdr(dns.TypeA), A: ip.AsSlice()})
		}
	case dns.TypeAAAA:
		for _, ip := range a.v6 {
			out = append(out, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: ip.AsSlice()})
		}
	}
	return out
}
