package dnsfix

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/miekg/dns"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// Children of the dnsmasq test, each run as the re-executed test binary
// under `ip netns exec`.
func init() {
	testHelpers["flush-upstream"] = flushUpstreamHelper
	testHelpers["flush-query"] = flushQueryHelper
	testHelpers["flush-dns"] = flushDNSHelper
}

// The upstream server of the dnsmasq under test: it answers every A query
// with 192.0.2.1 for an hour, and appends "NAME TYPE" to the file in
// CLEARANCE_FLUSH_LOG before answering, so that once a query has its answer
// the log already shows whether it reached the upstream.
func flushUpstreamHelper() int {
	log, err := os.OpenFile(os.Getenv("CLEARANCE_FLUSH_LOG"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pc, err := net.ListenPacket("udp", flushUpstreamAddr+":53")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var mu sync.Mutex
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg).SetReply(req)
		if len(req.Question) == 1 {
			q := req.Question[0]
			mu.Lock()
			fmt.Fprintf(log, "%s %s\n", q.Name, dns.TypeToString[q.Qtype])
			mu.Unlock()
			if q.Qtype == dns.TypeA {
				m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 3600}, A: net.IPv4(192, 0, 2, 1)}}
			}
		}
		_ = w.WriteMsg(m)
	})}
	srv.NotifyStartedFunc = func() { fmt.Println("ready") }
	if err := srv.ActivateAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// flushQueryHelper asks the namespace's 127.0.0.1:53 (the dnsmasq) for the
// A record of CLEARANCE_FLUSH_NAME and succeeds when it gets one.
func flushQueryHelper() int {
	c := &dns.Client{Timeout: 3 * time.Second}
	m := new(dns.Msg).SetQuestion(dns.Fqdn(os.Getenv("CLEARANCE_FLUSH_NAME")), dns.TypeA)
	r, _, err := c.Exchange(m, "127.0.0.1:53")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
		fmt.Fprintf(os.Stderr, "answer %s with %d records\n", dns.RcodeToString[r.Rcode], len(r.Answer))
		return 1
	}
	return 0
}

// flushHelperReport is what the flush-dns child prints.
type flushHelperReport struct {
	Flushed  []dnsconf.ResolverKind
	Detail   string
	Commands []string
	Err      string
}

// flushDNSHelper runs the real Flush inside the namespace: it sees the
// namespace's /proc/net and the resolv.conf that ip netns exec mounted.
func flushDNSHelper() int {
	ch := platform.NewChanges(platform.System, false)
	res, err := Flush(context.Background(), platform.System, ch)
	rep := flushHelperReport{Flushed: res.Flushed, Detail: res.Detail, Commands: ch.Commands()}
	if err != nil {
		rep.Err = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

const flushUpstreamAddr = "127.0.0.2"

// flushNeeds skips a test that needs root and these programs, saying why;
// under CI (CI=true) the lack is a failure, because these tests are
// mandatory there.
func flushNeeds(t *testing.T, root bool, progs ...string) {
	t.Helper()
	why := ""
	if root && os.Geteuid() != 0 {
		why = "needs root to create a network namespace"
	}
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil && why == "" {
			why = "needs " + p + " (install " + map[string]string{"ip": "iproute2", "dnsmasq": "dnsmasq-base", "dbus-daemon": "dbus-daemon"}[p] + ")"
		}
	}
	if why == "" {
		return
	}
	roottest.Need(t, why)
}

// flushLines collects a child's output lines for waiting on them.
type flushLines struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{} // receives after each new line; closed at EOF
}

func readFlushLines(r io.Reader) *flushLines {
	l := &flushLines{more: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.mu.Unlock()
			select {
			case l.more <- struct{}{}:
			default:
			}
		}
		close(l.more)
	}()
	return l
}

// count is how many lines so far contain s.
func (l *flushLines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// waitCount waits, with a generous deadline, until n lines contain s.
func (l *flushLines) waitCount(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for l.count(s) < n {
		select {
		case _, ok := <-l.more:
			if !ok && l.count(s) < n {
				t.Fatalf("output ended with %d lines containing %q, want %d:\n%s", l.count(s), s, n, l.text())
			}
		case <-deadline:
			t.Fatalf("no %d lines containing %q within 20 s:\n%s", n, s, l.text())
		}
	}
}

func (l *flushLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// flushStart starts argv under `ip netns exec NS` and kills it (by pid) when
// the test ends. ip execs the command, so the pid is the command's own.
func flushStart(t *testing.T, ns string, env []string, argv ...string) (*exec.Cmd, *flushLines, *flushLines) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, readFlushLines(stdout), readFlushLines(stderr)
}

// flushHelperCmd runs a helper mode of this test binary in the namespace
// and returns its output.
func flushHelperCmd(t *testing.T, ns, helper string, env ...string) ([]byte, error) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, self)
	cmd.Env = append(os.Environ(), append(env, platformtest.HelperEnv+"="+helper)...)
	return cmd.CombinedOutput()
}

// A real dnsmasq, in a network namespace whose resolv.conf names it, is
// flushed by Flush: a name asked twice reaches the upstream once (it
// was cached), Flush sends SIGHUP to that dnsmasq and to nothing else,
// dnsmasq says it cleared its cache, and the same name then reaches the
// upstream again. Nothing outside the namespace is touched: resolv.conf and
// nsswitch.conf are ip netns exec's per-namespace files under /etc/netns.
func TestFlushDNSDnsmasqNetns(t *testing.T) {
	flushNeeds(t, true, "ip", "dnsmasq")
	for _, other := range []string{"nscd", "unbound"} {
		// Their presence would make this machine's resolver something
		// other than the namespace's dnsmasq, and the flush would reach it.
		if procs, err := host.ReadProcesses(context.Background()); err == nil && procs.Running(other) {
			t.Skipf("%s runs on this machine: the resolver detected would not be the test's dnsmasq alone", other)
		}
	}
	b := make([]byte, 4)
	rand.Read(b)
	ns := "clr-flush-" + hex.EncodeToString(b)
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v\n%s", err, out)
	}
	etc := filepath.Join("/etc/netns", ns)
	if _, err := os.Stat("/etc/netns"); err != nil {
		t.Cleanup(func() { os.Remove("/etc/netns") }) // ours, if nobody else's is in it by then
	}
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(etc) })
	// ip netns exec mounts each of these over its namesake in /etc for the
	// children: the namespace asks its dnsmasq, whatever this machine uses
	// (nss-resolve in the host's nsswitch.conf would otherwise win).
	for name, content := range map[string]string{"resolv.conf": "nameserver 127.0.0.1\n", "nsswitch.conf": "hosts: files dns\n"} {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	queryLog := filepath.Join(t.TempDir(), "queries")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	_, upOut, _ := flushStart(t, ns, []string{platformtest.HelperEnv + "=flush-upstream", "CLEARANCE_FLUSH_LOG=" + queryLog}, self)
	upOut.waitCount(t, "ready", 1)

	dnsmasq, _, dmLog := flushStart(t, ns, nil, "dnsmasq", "--conf-file=/dev/null", "--no-daemon",
		"--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--server="+flushUpstreamAddr,
		"--cache-size=100", "--no-hosts")
	// dnsmasq logs "cleared cache" once it has started, and again for each
	// SIGHUP it has handled.
	dmLog.waitCount(t, "cleared cache", 1)

	upstreamSaw := func(name string) int {
		data, err := os.ReadFile(queryLog)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(string(data), name+". A\n")
	}
	query := func(name string) {
		t.Helper()
		if out, err := flushHelperCmd(t, ns, "flush-query", "CLEARANCE_FLUSH_NAME="+name); err != nil {
			t.Fatalf("query %s through dnsmasq: %v\n%s\ndnsmasq:\n%s", name, err, out, dmLog.text())
		}
	}

	query("cached.test")
	query("cached.test")
	if n := upstreamSaw("cached.test"); n != 1 {
		t.Fatalf("the upstream saw %d queries for a name asked twice; want 1 (dnsmasq caches it)", n)
	}

	out, err := flushHelperCmd(t, ns, "flush-dns")
	if err != nil {
		t.Fatalf("flush-dns child: %v\n%s", err, out)
	}
	var rep flushHelperReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("flush-dns child said %q: %v", out, err)
	}
	wantCmd := "kill -HUP " + strconv.Itoa(dnsmasq.Process.Pid)
	if rep.Err != "" || !slices.Equal(rep.Flushed, []dnsconf.ResolverKind{dnsconf.ResolverDnsmasq}) || !slices.Equal(rep.Commands, []string{wantCmd}) ||
		rep.Detail != "Flushed the dnsmasq cache." {
		t.Fatalf("Flush in the namespace: %+v; want dnsmasq flushed with %q", rep, wantCmd)
	}
	dmLog.waitCount(t, "cleared cache", 2)

	query("cached.test")
	if n := upstreamSaw("cached.test"); n != 2 {
		t.Fatalf("after the flush the upstream saw %d queries in all; want 2 (the cache was emptied)", n)
	}
}

// resolvedFlushCaches calls the method resolvectl flush-caches calls, on
// the object and interface org.freedesktop.resolve1(5) documents: checked
// against a real (private) dbus-daemon, on which this test owns the name
// org.freedesktop.resolve1. A call to any other path, interface or method
// would fail there.
func TestResolvedFlushCachesOverDBus(t *testing.T) {
	flushNeeds(t, false, "dbus-daemon")
	addr := flushPrivateBus(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)

	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fake := &fakeResolve1{}
	if err := conn.Export(fake, "/org/freedesktop/resolve1", "org.freedesktop.resolve1.Manager"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.resolve1", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own org.freedesktop.resolve1: %v, %v", reply, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := resolvedFlushCaches(ctx); err != nil {
		t.Fatalf("FlushCaches: %v", err)
	}
	if n := fake.count(); n != 1 {
		t.Fatalf("resolve1 got %d FlushCaches calls; want 1", n)
	}

	fake.setRefusal("org.freedesktop.DBus.Error.AccessDenied")
	if err := resolvedFlushCaches(ctx); err == nil || !strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("a refused FlushCaches gave %v", err)
	}
}

// fakeResolve1 stands in for systemd-resolved's Manager on the bus.
type fakeResolve1 struct {
	mu     sync.Mutex
	calls  int
	refuse string
}

func (f *fakeResolve1) FlushCaches() *dbus.Error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.refuse != "" {
		return dbus.NewError(f.refuse, []any{"refused by the test"})
	}
	return nil
}

func (f *fakeResolve1) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeResolve1) setRefusal(name string) {
	f.mu.Lock()
	f.refuse = name
	f.mu.Unlock()
}

// flushPrivateBus starts a dbus-daemon of its own (the session
// configuration, which lets any client own any name) on a socket in a
// temporary directory, and stops it by pid when the test ends.
func flushPrivateBus(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "bus")
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:path="+sock)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := readFlushLines(stdout)
	lines.waitCount(t, "unix:path=", 1)
	return strings.TrimSpace(strings.Split(lines.text(), "\n")[0])
}
