package agent

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/platform/host"
)

// listeningSockets counts the TCP sockets of this process that listen:
// the socket inodes among its open files that /proc/net/tcp and tcp6 list
// as LISTEN. Another process's listeners, in this network namespace, are
// not counted.
func listeningSockets(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			mine[strings.TrimSuffix(inode, "]")] = true
		}
	}
	n := 0
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) > 9 && fields[3] == host.ProcNetTCPListen && mine[fields[9]] {
				n++
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// With metrics off (the default), a running agent listens on nothing: the
// process has as many listening sockets after its runs as before it
// started. With a listen address, it has one more, which shows that the
// count would see one.
func TestSecurityMetricsOffNothingListens(t *testing.T) {
	var before int
	w := newMetricsWorldThen(t, func(*config.Config) {}, func() { before = listeningSockets(t) })
	a := w.a
	until(t, a, "the findings to be confirmed", func() bool { return len(a.State().Findings) == 2 })
	if n := listeningSockets(t); n != before {
		t.Fatalf("with metrics off, the process listens on %d sockets; %d before the agent started", n, before)
	}
	if a.metricsAddr() != "" || a.out.exp != nil {
		t.Fatal("with metrics off, an exporter or a listener was made")
	}

	w.set(func(c *config.Config) { c.Metrics.Listen = "127.0.0.1:0" })
	until(t, a, "the listener", func() bool { return a.metricsAddr() != "" })
	if n := listeningSockets(t); n != before+1 {
		t.Fatalf("with metrics on, %d listening sockets, want %d", n, before+1)
	}
}
