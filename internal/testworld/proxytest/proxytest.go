// Package proxytest runs a tiny HTTP CONNECT proxy on loopback for tests. It
// tunnels only to loopback addresses, so a test can never send traffic
// elsewhere through it, and it records the credentials it was offered.
package proxytest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a running CONNECT proxy.
type Proxy struct {
	URL *url.URL // http://127.0.0.1:port

	refuse int
	mu     sync.Mutex
	auth   []string
}

// Serve starts a proxy, stopped when the test ends. When refuse is set,
// every CONNECT is answered with that status instead of a tunnel.
func Serve(tb testing.TB, refuse int) *Proxy {
	tb.Helper()
	p := &Proxy{refuse: refuse}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	p.URL = u
	return p
}

// Offered returns the Proxy-Authorization values of the requests so far.
func (p *Proxy) Offered() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.auth...)
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.auth = append(p.auth, r.Header.Get("Proxy-Authorization"))
	p.mu.Unlock()
	host, _, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil || !net.ParseIP(host).IsLoopback() {
		http.Error(w, "loopback CONNECT only", http.StatusBadRequest)
		return
	}
	if p.refuse != 0 {
		w.WriteHeader(p.refuse)
		return
	}
	upstream, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer upstream.Close()
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, buf); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, upstream); done <- struct{}{} }()
	<-done
}
