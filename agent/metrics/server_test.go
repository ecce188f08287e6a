package metrics

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testbuf"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
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
	srv, err := e.Listen("127.0.0.1:0", quietLog(), nil)
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
	srv := e.serve(listenLoopback(t), quietLog(), nil, func(_ net.Conn, st http.ConnState) {
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
	srv, err := e.Listen("127.0.0.1:0", quietLog(), nil)
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

// A client that asks and then resets its connection before reading the
// answer makes no log line, however many do it: anyone who can reach the
// port could otherwise fill root's log. The listener serves on.
func TestSecurityMetricsResetConnectionsAreNotLogged(t *testing.T) {
	var logged testbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := New()
	e.Set(known)
	const conns = 200
	ended := make(chan struct{}, conns)
	srv := e.serve(listenLoopback(t), log, nil, func(_ net.Conn, st http.ConnState) {
		if st == http.StateClosed {
			ended <- struct{}{}
		}
	})
	t.Cleanup(func() { srv.Close() })
	addr := srv.Addr().String()

	// One after the other, each ended by the server before the next: a
	// burst would test the system's accept backlog (Wine's is a handful),
	// not the log.
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
		c.(*net.TCPConn).SetLinger(0) // Close sends a reset
		c.Close()
		select {
		case <-ended:
		case <-time.After(60 * time.Second):
			t.Fatalf("the server has not ended connection %d of %d", i+1, conns)
		}
	}
	if out := logged.String(); out != "" {
		t.Fatalf("%d log lines from %d reset connections, such as:\n%s", strings.Count(out, "\n"), conns, out[:min(len(out), 500)])
	}
	mfs := scrape(t, "http://"+addr+"/metrics")
	if v, ok := series(mfs, "clearance_runs_total"); !ok || v != 41 {
		t.Fatalf("after the resets: runs %v %v", v, ok)
	}
}

// "OPTIONS *" is not answered 200 by net/http on the listener's behalf:
// like every method but GET and HEAD, it is refused.
func TestSecurityMetricsOptionsStarIsRefused(t *testing.T) {
	e := New()
	srv := e.serve(listenLoopback(t), quietLog(), nil, nil)
	t.Cleanup(func() { srv.Close() })
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("OPTIONS *: %s, Allow %q; want 405 allowing GET and HEAD", resp.Status, resp.Header.Get("Allow"))
	}
}

// A scraper that asks for the protobuf format gets it (as Prometheus does
// when it wants native histograms), one that asks for nothing in
// particular the text format; each reads the same numbers.
func TestMetricsFormatIsNegotiated(t *testing.T) {
	e := New()
	e.Set(known)
	srv := e.serve(listenLoopback(t), quietLog(), nil, nil)
	t.Cleanup(func() { srv.Close() })
	url := "http://" + srv.Addr().String() + "/metrics"
	for _, c := range []struct{ accept, want string }{
		{"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "application/vnd.google.protobuf"},
		{"", "text/plain"},
		{"application/openmetrics-text;version=1.0.0", "text/plain"},
	} {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode != 200 || !strings.HasPrefix(ct, c.want) {
			resp.Body.Close()
			t.Fatalf("Accept %q: %s, %s; want %s", c.accept, resp.Status, ct, c.want)
		}
		dec := expfmt.NewDecoder(resp.Body, expfmt.Format(ct))
		mfs := map[string]*dto.MetricFamily{}
		for {
			mf := &dto.MetricFamily{}
			if err := dec.Decode(mf); err == io.EOF {
				break
			} else if err != nil {
				resp.Body.Close()
				t.Fatalf("Accept %q: %v", c.accept, err)
			}
			mfs[mf.GetName()] = mf
		}
		resp.Body.Close()
		if v, ok := series(mfs, "clearance_runs_total"); !ok || v != 41 {
			t.Errorf("Accept %q: runs %v %v", c.accept, v, ok)
		}
		if v, ok := series(mfs, "clearance_finding", "code", "clock-skew", "severity", "warning"); !ok || v != 1 {
			t.Errorf("Accept %q: clock-skew %v %v", c.accept, v, ok)
		}
	}
}
