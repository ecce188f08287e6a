package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkAgentStreamFlood measures the real agent while one user (uid
// 65534) holds as many idle event streams as it can of 5,000 asked for:
// the agent's resident memory idle and with the streams held, root's
// /v1/health on a new connection meanwhile (the worst of five), and, with
// the real heartbeat, how long after a client stops reading the agent
// drops its stream. .ci/bench runs it against the real build:
//
//	go test -run '^$' -bench AgentStreamFlood -benchtime 1x ./cmd/clearance
func BenchmarkAgentStreamFlood(b *testing.B) {
	if !canNetns() {
		b.Skip(netnsMissing())
	}
	name := "clr-bench-flood"
	execCommand("ip", "netns", "del", name)
	if out, err := execCommand("ip", "netns", "add", name); err != nil {
		b.Fatalf("ip netns add: %v: %s", err, out)
	}
	b.Cleanup(func() { execCommand("ip", "netns", "del", name) })
	if out, err := execCommand("ip", "-n", name, "link", "set", "lo", "up"); err != nil {
		b.Fatalf("ip link set lo up: %v: %s", err, out)
	}
	dir, bin := sharedDirAsRoot(b)
	pid, sock := startAgentForFloods(b, &netns{name: name}, dir, bin)
	idleRSS, idleFDs := procStatus(b, pid, "VmRSS"), openFDs(b, pid)

	const n = 5000
	var rss, open int
	var worst time.Duration
	for b.Loop() {
		res, release := holdStreams(b, bin, sock, 65534, n)
		worst = max(worst, worstHealth(b, sock))
		rss, open = max(rss, procStatus(b, pid, "VmRSS")), res.Open
		b.StopTimer()
		release()
		// The agent notices closed streams at their next heartbeat.
		for deadline := time.Now().Add(60 * time.Second); openFDs(b, pid) > idleFDs+16; time.Sleep(time.Second) {
			if time.Now().After(deadline) {
				b.Fatalf("the agent still holds %d descriptors a minute after the streams closed (%d before)", openFDs(b, pid), idleFDs)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(idleRSS)/1024, "idle-rss-MiB")
	b.ReportMetric(float64(rss)/1024, "rss-MiB")
	b.ReportMetric(float64(open), "streams-held")
	b.ReportMetric(float64(worst.Microseconds())/1000, "root-health-ms")
	b.ReportMetric(dropTime(b, sock).Seconds(), "unread-drop-s")
}

// openFDs counts the descriptors pid holds.
func openFDs(t testing.TB, pid int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// dropTime opens an event stream, reads its first event, reads no more,
// and says how long the agent took to close it: the close is seen
// (POLLRDHUP) without reading anything.
func dropTime(t testing.TB, sock string) time.Duration {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /v1/events HTTP/1.1\r\nHost: clearance\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events: %v %v", resp, err)
	}
	for seen := false; ; { // the state, up to the blank line after it
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the first event: %v", err)
		}
		seen = seen || strings.HasPrefix(line, "data: ")
		if seen && line == "\n" {
			break
		}
	}
	stopped := time.Now()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	const limit = 5 * time.Minute
	for time.Since(stopped) < limit {
		var closed bool
		var perr error
		raw.Control(func(fd uintptr) {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
			_, perr = unix.Poll(fds, 1000)
			closed = fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP) != 0
		})
		if perr != nil && perr != unix.EINTR {
			t.Fatal(perr)
		}
		if closed {
			return time.Since(stopped)
		}
	}
	t.Fatalf("a stream that is not read was still open %v after its client stopped reading", limit)
	return 0
}
