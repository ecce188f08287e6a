package metrics

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// Only GET and HEAD of /metrics are answered: the listener is read-only,
// whatever a request asks.
func TestSecurityMetricsServesOnlyGET(t *testing.T) {
	e := New()
	e.Set(known)
	srv, err := e.Listen("127.0.0.1:0", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	base := "http://" + srv.Addr().String()
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/metrics", 200},
		{http.MethodHead, "/metrics", 200},
		{http.MethodPost, "/metrics", 405},
		{http.MethodPut, "/metrics", 405},
		{http.MethodDelete, "/metrics", 405},
		{http.MethodPatch, "/metrics", 405},
		{http.MethodGet, "/", 404},
		{http.MethodGet, "/metrics/", 404},
		{http.MethodGet, "/v1/state", 404},
		{http.MethodPost, "/v1/fix/dns-flush", 404},
		{http.MethodGet, "/debug/pprof/", 404},
	} {
		req, err := http.NewRequest(c.method, base+c.path, strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
		if c.want == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", c.method, c.path, resp.Header.Get("Allow"))
		}
	}
}

// Connections beyond maxConns wait, unanswered, until one of those held
// ends; then they are served. Nobody can make the agent hold more.
func TestSecurityMetricsConnectionsAreBounded(t *testing.T) {
	e := New()
	e.Set(known)
	var mu sync.Mutex
	open, most := 0, 0
	opened := make(chan struct{}, 100)
	srv := e.serve(listenLoopback(t), quietLog(), func(_ net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch st {
		case http.StateNew:
			open++
			most = max(most, open)
			opened <- struct{}{}
		case http.StateClosed, http.StateHijacked:
			open--
		}
	})
	t.Cleanup(func() { srv.Close() })
	addr := srv.Addr().String()

	// maxConns connections that send nothing: each is held until its
	// header timeout.
	var idle []net.Conn
	for range maxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
		t.Cleanup(func() { c.Close() })
	}
	for range maxConns {
		select {
		case <-opened:
		case <-time.After(30 * time.Second):
			t.Fatal("the server did not take the first connections")
		}
	}
	// More, each with a request: the kernel completes their handshake, the
	// server does not take them.
	const extra = 3
	answers := make(chan string, extra)
	for range extra {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		go func() {
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				line = err.Error()
			}
			answers <- line
		}()
	}
	// Not an assertion on speed: a server that took them would answer in
	// far less, and one that is slow only makes this pass for a wrong
	// reason, never fail for a right one.
	select {
	case a := <-answers:
		t.Fatalf("answered %q while %d connections were held", a, maxConns)
	case <-time.After(300 * time.Millisecond):
	}
	for _, c := range idle[:extra] {
		c.Close()
	}
	for range extra {
		select {
		case a := <-answers:
			if !strings.HasPrefix(a, "HTTP/1.1 200") {
				t.Errorf("a waiting connection got %q", a)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the waiting connections were not served once others closed")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if most > maxConns {
		t.Fatalf("%d connections held at once, more than the bound of %d", most, maxConns)
	}
	t.Logf("at most %d connections held at once (bound %d), %d more served after others closed", most, maxConns, extra)
}

// Close stops listening: a connection is then refused.
func TestServerCloseStopsListening(t *testing.T) {
	e := New()
	srv, err := e.Listen("127.0.0.1:0", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().String()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Close", addr)
	}
}
