//go:build unix

package api

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// openStream asks for the event stream on a connection of its own and
// reads only the answer's head, as a client that then sits idle.
func openStream(t *testing.T, addr string) (net.Conn, *http.Response) {
	t.Helper()
	c, err := net.Dial("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(patience))
	if _, err := io.WriteString(c, "GET /v1/events HTTP/1.1\r\nHost: clearance\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return c, resp
}

// Over the limit, a connection is answered 503 with the error shape, by
// the listener; a closed stream gives its place back.
func TestSecurityConnectionsOverTheLimitAre503(t *testing.T) {
	const limit = reservedConns + 4 // the test's uid is root or in the fix group: all of it
	s := startServer(t, func(c *Config) { c.connLimit = limit })
	var streams []net.Conn
	for i := range limit {
		c, resp := openStream(t, s.addr)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: %s", i+1, resp.Status)
		}
		streams = append(streams, c)
	}

	c, resp := openStream(t, s.addr)
	body, _ := io.ReadAll(resp.Body)
	wantErrorBody(t, resp.StatusCode, resp.Header, body, http.StatusServiceUnavailable, "the agent has too many connections open (36)")
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the refused connection stayed open")
	}
	// A client's request, too, gets the answer.
	resp2, body2 := s.do(t, "GET", "/v1/health", "")
	wantErrorBody(t, resp2.StatusCode, resp2.Header, body2, http.StatusServiceUnavailable, "too many connections")

	streams[0].Close()
	deadline := time.Now().Add(patience)
	for {
		resp, _ := s.do(t, "GET", "/v1/health", "")
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed stream did not give its place back")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkIdleEventStream measures what an idle event stream costs the
// server, in heap and goroutine stacks (the client's side, in the same
// process, is opened before the first reading and so is counted too, but
// only as a connection and a small buffer):
//
//	go test -run '^$' -bench IdleEventStream -benchtime 1x ./agent/api/
func BenchmarkIdleEventStream(b *testing.B) {
	const n = 1000
	for range b.N {
		b.StopTimer()
		s := startServer(b, func(c *Config) { c.connLimit, c.connsPerUser = n+reservedConns+1, n+1 })
		go func() { // the fake's record of ended streams holds fewer
			for range s.state.gone {
			}
		}()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		conns := make([]net.Conn, 0, n)
		for range n {
			c, err := net.Dial("unix", s.addr)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
			io.WriteString(c, "GET /v1/events HTTP/1.1\r\nHost: clearance\r\n\r\n")
			if _, err := c.Read(make([]byte, 1)); err != nil { // the stream has started
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		perStream := float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) / n
		b.ReportMetric(perStream, "B/stream")
		for _, c := range conns {
			c.Close()
		}
	}
}
