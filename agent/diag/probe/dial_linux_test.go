package probe

import (
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/lookup"
	"github.com/clearance-app/clearance/internal/testworld/dnstest"
)

// silentIPv6 returns a port on which [::1] takes no new connection and
// 127.0.0.1 is free: a listener with a backlog of 0 whose one queue slot
// is taken, so that Linux drops every further SYN and a connect hangs, as
// it does towards an address whose route goes nowhere.
func silentIPv6(t *testing.T) (int, net.Listener) {
	t.Helper()
	for range 10 {
		fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Skipf("no IPv6 socket: %v", err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		if err := syscall.Bind(fd, &syscall.SockaddrInet6{Addr: [16]byte{15: 1}}); err != nil {
			t.Skipf("no IPv6 loopback here: %v", err)
		}
		if err := syscall.Listen(fd, 0); err != nil {
			t.Fatal(err)
		}
		sa, err := syscall.Getsockname(fd)
		if err != nil {
			t.Fatal(err)
		}
		port := sa.(*syscall.SockaddrInet6).Port
		ln, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue // the IPv4 port is taken: another one
		}
		addr := net.JoinHostPort("::1", strconv.Itoa(port))
		for i := 0; ; i++ {
			c, err := net.DialTimeout("tcp6", addr, 500*time.Millisecond)
			if err != nil {
				break // the queue is full: connects hang now
			}
			t.Cleanup(func() { c.Close() })
			if i == 4 {
				t.Fatalf("[::1]:%d still takes connections", port)
			}
		}
		return port, ln
	}
	t.Fatal("no port free on both 127.0.0.1 and [::1]")
	return 0, nil
}

// When the first family's connect hangs (no answer at all, not a refusal),
// the other family is tried beside it after a short delay, as Go's dialer
// does: without that, the probe would wait out its whole deadline.
func TestProbeInARunFallsBackWhileTheFirstFamilyHangs(t *testing.T) {
	_, res, queries := dnstest.ServeCounting(t, dnstest.Table{"dual.test": dnstest.Addrs("::1", "127.0.0.1")})
	addrs, err := res.LookupIPAddr(t.Context(), "dual.test")
	if err != nil || len(addrs) != 2 || addrs[0].IP.To4() != nil {
		t.Fatalf("the resolver answers %v, %v; the test needs ::1 first", addrs, err)
	}
	port, ln := silentIPv6(t)
	srv, p := namedServer(t, ln, "dual.test")
	p.Resolver = res
	t.Cleanup(p.Close)
	shared := lookup.NewShared(t.Context())
	for i := range 2 {
		p.Close()
		r := doInRun(t, shared, p, "https://dual.test:"+strconv.Itoa(port)+"/", 20*time.Second)
		if !r.Reached() || r.RemoteAddr != srv.Listener.Addr().String() {
			t.Fatalf("probe %d: reached %v at %q, err %v stage %q; want %s by IPv4", i, r.Reached(), r.RemoteAddr, r.Err, r.Stage, srv.Listener.Addr())
		}
	}
	if n := queries.Of("dual.test", "A"); n != 2 { // the test's own lookup, and the run's
		t.Errorf("%d A queries, want 2", n)
	}
}
