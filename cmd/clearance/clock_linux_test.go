package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beevik/ntp"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
)

// The clock check against a real NTP server whose clock is wrong: chronyd,
// under libfaketime, 120 s ahead of this machine, inside a network namespace
// of the test's own. chronyd runs with -x, so it never touches the clock it
// believes wrong; nothing here changes this machine's clock, DNS or network.

const (
	// clockServerAhead is how far the served time is ahead of the real one.
	// The local clock is then 120 s behind: offset_seconds = local − true = −120.
	clockServerAhead = 120
	// clockTolerance absorbs the round trip and scheduling, never a speed claim.
	clockTolerance = 2.0
	// chronydReady bounds the wait for chronyd to serve valid time; it is a
	// generous deadline for a slow CI machine, not a measurement.
	chronydReady = 60 * time.Second
)

func init() {
	testHelpers["clock-peers"] = runClockPeers
	testHelpers["ntp-wait"] = runNTPWait
}

func TestClockSkewAgainstRealChrony(t *testing.T) {
	chronyd, faketime := requireChronyAndFaketime(t)
	ns := newNetns(t)
	clockUplink(t, ns)
	port := 20000 + rand.IntN(20000) // the namespace is new: any port is free in it
	server := fmt.Sprintf("127.0.0.1:%d", port)
	startSkewedChronyd(t, ns, chronyd, faketime, port)
	clockWaitForNTP(t, ns, server)
	peers := startClockPeers(t, ns)

	cfg := writeConfig(t,
		"[network]",
		fmt.Sprintf("witness = %q", peers.web+"/cdn-cgi/trace"),
		fmt.Sprintf("captive_portal = %q", peers.portal+"/"),
		"[clock]",
		fmt.Sprintf("ntp_servers = [%q]", server),
		"min_answers = 1",
		"[endpoints]",
		fmt.Sprintf("hosts = [%q]", peers.web+"/"+string(cftest.OK)),
		fmt.Sprintf("trace = %q", peers.web+"/cdn-cgi/trace"),
	)
	cmd := clearanceCmd(t, ns.prefix(), "check", "--json", "--only", "clock", "--config", cfg)
	cmd.Env = append(withoutProxyEnv(cmd.Env), "SSL_CERT_FILE="+peers.caFile)
	r := runCmd(t, cmd)
	rep := decodeReport(t, r)

	if r.code != 1 {
		t.Errorf("exit status %d, want 1 (a critical finding)", r.code)
	}
	if st := rep.status("clock"); st != "fail" {
		t.Errorf("clock: status %q, want fail", st)
	}
	var found bool
	for _, f := range rep.Findings {
		if f.Code != "clock-skew" {
			continue
		}
		found = true
		if f.Severity != "critical" {
			t.Errorf("clock-skew severity %q, want critical", f.Severity)
		}
		if m := f.Evidence["method"]; m != "ntp" {
			t.Errorf("evidence.method %v, want ntp", m)
		}
		off, ok := f.Evidence["offset_seconds"].(float64)
		if !ok || math.Abs(off-(-clockServerAhead)) > clockTolerance {
			t.Errorf("evidence.offset_seconds %v, want %d ± %g (local behind the server)", f.Evidence["offset_seconds"], -clockServerAhead, clockTolerance)
		}
	}
	if !found {
		t.Errorf("no clock-skew finding; findings %v", rep.codes())
	}
	t.Logf("report:\n%s\nstderr:\n%s", r.stdout, r.stderr)
}

// requireChronyAndFaketime finds chronyd and libfaketime (Debian packages
// chrony and libfaketime). Without them the test skips, saying why; under
// CI it fails, because it is mandatory there.
func requireChronyAndFaketime(t *testing.T) (chronyd, faketime string) {
	t.Helper()
	chronyd, err := exec.LookPath("chronyd")
	if err != nil {
		chronyd = "/usr/sbin/chronyd" // not on a non-root PATH
		if _, err := os.Stat(chronyd); err != nil {
			clockMissing(t, "needs chronyd (Debian package chrony)")
		}
	}
	faketime = clockFindLibfaketime()
	if faketime == "" {
		clockMissing(t, "needs libfaketime.so.1 (Debian package libfaketime)")
	}
	return chronyd, faketime
}

func clockMissing(t *testing.T, why string) {
	t.Helper()
	roottest.Need(t, why)
}

// clockFindLibfaketime looks where Debian puts it: the multiarch directory of
// this machine, whatever its architecture, then the plain one.
func clockFindLibfaketime() string {
	matches, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1")
	matches = append(matches, "/usr/lib/faketime/libfaketime.so.1")
	for _, m := range matches {
		if _, err := os.Stat(m); err == nil {
			return m
		}
	}
	return ""
}

// clockUplink gives the namespace a default route, so that the network check
// does not call it offline: a veth pair with both ends inside it. (A dummy
// interface would do, but not every kernel has the dummy driver; the
// development machine's does not.) Traffic routed there goes nowhere.
func clockUplink(t *testing.T, ns *netns) {
	t.Helper()
	ns.ip(t, "link", "add", "clr0", "type", "veth", "peer", "name", "clr1")
	ns.ip(t, "addr", "add", "192.0.2.2/24", "dev", "clr0") // TEST-NET-1 (RFC 5737)
	ns.ip(t, "link", "set", "clr0", "up")
	ns.ip(t, "link", "set", "clr1", "up")
	ns.ip(t, "route", "add", "default", "dev", "clr0")
}

// startSkewedChronyd runs chronyd in the namespace, in the foreground (-d),
// with clock control disabled (-x), serving its local clock, which
// libfaketime moves clockServerAhead seconds ahead. All its files are in a
// temporary directory; no command socket is opened. It is stopped by its
// pid when the test ends (ip netns exec execs it, so the child's pid is
// chronyd's).
func startSkewedChronyd(t *testing.T, ns *netns, chronyd, faketime string, port int) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "chrony.conf")
	lines := []string{
		"local stratum 8",
		"allow 127.0.0.1",
		"bindaddress 127.0.0.1",
		fmt.Sprintf("port %d", port),
		"cmdport 0",
		"bindcmdaddress /", // no Unix command socket under /run
		"pidfile " + filepath.Join(dir, "chronyd.pid"),
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	argv := append(ns.prefix(), chronyd, "-f", conf, "-d", "-x", "-u", "root")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(),
		"LD_PRELOAD="+faketime,
		fmt.Sprintf("FAKETIME=+%ds", clockServerAhead),
		"FAKETIME_DONT_FAKE_MONOTONIC=1", // timers keep real time; only the served clock is moved
	)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chronyd: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("chronyd log:\n%s", log.String())
		}
	})
}

// clockWaitForNTP waits until the server answers with valid time (chronyd
// reports itself unsynchronized until it has selected its local clock),
// asking from inside the namespace through the ntp-wait helper.
func clockWaitForNTP(t *testing.T, ns *netns, server string) {
	t.Helper()
	cmd := clockHelperCmd(t, ns, "ntp-wait", server, chronydReady.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chronyd did not serve valid time within %v: %v\n%s", chronydReady, err, out)
	}
	t.Logf("chronyd ready: %s", strings.TrimSpace(string(out)))
}

// clockPeers are the witness and captive-portal peers inside the namespace.
type clockPeers struct {
	web, portal string // base URLs
	caFile      string // PEM of the web server's certificate, for SSL_CERT_FILE
}

// startClockPeers runs the clock-peers helper in the namespace and reads
// the URLs it prints. It runs until the test ends.
func startClockPeers(t *testing.T, ns *netns) clockPeers {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	s := startHelper(t, ns, "clock-peers", caFile)
	web, portal, ok := strings.Cut(s, " ")
	if !ok {
		t.Fatalf("the clock peers printed %q", s)
	}
	return clockPeers{web: web, portal: portal, caFile: caFile}
}

// clockHelperCmd runs a registered test helper inside the namespace.
func clockHelperCmd(t testing.TB, ns *netns, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(ns.prefix(), self), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "CLEARANCE_RUN_MAIN=helper")
	return cmd
}

// runClockPeers serves, on loopback, an HTTPS server answering as
// Cloudflare does (the witness, the trace and the probed hosts) and a plain
// HTTP server answering 204 (the captive-portal probe). It writes the HTTPS
// certificate to args[0], prints "WEB_URL PORTAL_URL", and runs until its
// stdin closes.
func runClockPeers(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: clock-peers CA_FILE")
		return 2
	}
	web := httptest.NewTLSServer(cftest.Mux())
	defer web.Close()
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer portal.Close()
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: web.Certificate().Raw})
	if err := os.WriteFile(args[0], pemBytes, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%s %s\n", web.URL, portal.URL)
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// runNTPWait asks args[0] for the time until it answers with valid time or
// args[1] (a duration) has passed, and prints the offset it measured.
func runNTPWait(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ntp-wait HOST:PORT DURATION")
		return 2
	}
	limit, err := time.ParseDuration(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	deadline := time.Now().Add(limit)
	for {
		resp, err := ntp.QueryWithOptions(args[0], ntp.QueryOptions{Timeout: time.Second})
		if err == nil {
			err = resp.Validate()
		}
		if err == nil {
			// beevik's ClockOffset is true − local: the opposite of Clearance's sign.
			fmt.Printf("server %s, stratum %d, local − server = %.3f s\n", args[0], resp.Stratum, -resp.ClockOffset.Seconds())
			return 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "last answer: %v\n", err)
			return 1
		}
		time.Sleep(250 * time.Millisecond) // polling a starting daemon, bounded by the deadline
	}
}
