package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/internal/testbuf"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/dnstest"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
)

// A test internet in network namespaces of the test's own: the program
// runs in "client", whose default route is a veth to "inet", where one
// helper process answers as the real hosts do — at the addresses its DNS
// server gives for their real names, with a certificate for those names
// from a CA of the test's own. So the program runs with its default
// configuration: the same names, ports and fallbacks as on a real machine.
// Nothing leaves the namespaces; this machine's network is not touched.

// Addresses of the test internet. The hosts are in documentation ranges
// (RFC 5737); 1.1.1.1 and 8.8.8.8 stand in for the public resolvers the
// network check connects to when no name resolves.
const (
	inetClient     = "10.77.0.2"
	inetGateway    = "10.77.0.1"
	inetWeb        = "203.0.113.10"
	inetNTP        = "203.0.113.123"
	inetDNS        = "192.0.2.53"
	inetDeadDNS    = "192.0.2.99" // routed into a black hole: queries vanish
	inetFaultyDNS  = "192.0.2.54" // answers wrongly (internetOptions.faultyResolver)
	inetNobodysMAC = "02:00:00:00:00:99"
)

// inetWebNames are the names the web server answers for.
var inetWebNames = []string{
	"chatgpt.com", "auth.openai.com", "cdn.oaistatic.com", "api.openai.com",
	"www.cloudflare.com", "cp.cloudflare.com", "status.openai.com",
}

// inetNTPNames are the default time servers.
var inetNTPNames = []string{"time.cloudflare.com", "time.google.com", "pool.ntp.org", "time.windows.com", "time.apple.com"}

func init() {
	testHelpers["internet-peers"] = runInternetPeers
	testHelpers["tun-relay"] = runTunRelay
	testHelpers["dns-hang"] = runDNSHang
	testHelpers["dns-fault"] = runDNSFault
}

// runDNSHang is a resolver whose upstream is gone: on args[0] it accepts
// every query, over UDP and TCP, and never answers. It prints "ready" and
// serves until its stdin closes.
func runDNSHang(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: dns-hang ADDR:PORT")
		return 2
	}
	stop, err := dnstest.ListenAndServe(args[0], dnstest.Table{"*": dnstest.Hang()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dns-hang:", err)
		return 1
	}
	defer stop()
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

type internet struct {
	client, inet *netns
	env          []string // for the program: trust in the test CA
	statsSocket  string   // the peers' counters (peerStats), over HTTP
}

type internetOptions struct {
	// deadResolver points the client at a name server whose queries vanish.
	deadResolver bool
	// faultyResolver, when set, points the client at a name server that
	// answers in this way of the dns-fault helper ("garbage", "truncate").
	faultyResolver string
	// deadUplink makes every packet the client sends vanish: its gateway's
	// address resolves to a MAC address nobody has.
	deadUplink bool
	// routerOnly makes the other namespace a home router whose own uplink
	// is down: it is the client's resolver, on its LAN address, and
	// accepts queries that go nowhere; everything else it drops.
	routerOnly bool
}

func newInternet(t testing.TB, opts internetOptions) *internet {
	t.Helper()
	client, inet := newNetns(t), newNetns(t)
	mustRun(t, "ip", "-n", client.name, "link", "add", "c0", "type", "veth", "peer", "name", "i0", "netns", inet.name)
	client.ip(t, "addr", "add", inetClient+"/24", "dev", "c0")
	client.ip(t, "link", "set", "c0", "up")
	inet.ip(t, "addr", "add", inetGateway+"/24", "dev", "i0")
	inet.ip(t, "link", "set", "i0", "up")
	client.ip(t, "route", "add", "default", "via", inetGateway)
	if opts.routerOnly {
		inet.sysctl(t, "net.ipv4.ip_forward", "1")
		inet.ip(t, "route", "add", "blackhole", "default")
		client.resolvConf(t, "nameserver "+inetGateway+"\n")
		startReady(t, inet, "dns-hang", net.JoinHostPort(inetGateway, "53"))
		return &internet{client: client, inet: inet}
	}
	for _, a := range []string{inetWeb, inetNTP, inetDNS, inetFaultyDNS, "1.1.1.1", "8.8.8.8"} {
		inet.ip(t, "addr", "add", a+"/32", "dev", "lo")
	}
	// Forwarding on, so that a packet for the dead resolver meets the
	// black-hole route and vanishes, rather than being answered with an
	// ICMP "unreachable" that would end the lookup at once.
	inet.sysctl(t, "net.ipv4.ip_forward", "1")
	inet.ip(t, "route", "add", "blackhole", inetDeadDNS+"/32")
	resolver := inetDNS
	if opts.deadResolver {
		resolver = inetDeadDNS
	}
	if opts.faultyResolver != "" {
		resolver = inetFaultyDNS
		startReady(t, inet, "dns-fault", net.JoinHostPort(inetFaultyDNS, "53"), opts.faultyResolver)
	}
	client.resolvConf(t, "nameserver "+resolver+"\n") // default options: 5 s timeout, 2 attempts
	if opts.deadUplink {
		client.ip(t, "neigh", "replace", inetGateway, "lladdr", inetNobodysMAC, "dev", "c0", "nud", "permanent")
	}
	dir := t.TempDir()
	ca, stats := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "peers.sock")
	startReady(t, inet, "internet-peers", ca, stats)
	return &internet{client: client, inet: inet, env: []string{"SSL_CERT_FILE=" + ca}, statsSocket: stats}
}

// peerStats are what the peers counted since they started.
type peerStats struct {
	DNSQueries int64 `json:"dns_queries"`
	TLSFull    int64 `json:"tls_full"`    // handshakes with a certificate
	TLSResumed int64 `json:"tls_resumed"` // handshakes that resumed a session
}

func (s peerStats) sub(o peerStats) peerStats {
	return peerStats{s.DNSQueries - o.DNSQueries, s.TLSFull - o.TLSFull, s.TLSResumed - o.TLSResumed}
}

// stats asks the peers for their counters, over a Unix socket: a path in
// the file system is reachable from every network namespace.
func (n *internet) stats(t testing.TB) peerStats {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", n.statsSocket)
	}}}
	defer c.CloseIdleConnections()
	resp, err := c.Get("http://peers/stats")
	if err != nil {
		t.Fatalf("the peers' counters: %v", err)
	}
	defer resp.Body.Close()
	var st peerStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("the peers' counters: %v", err)
	}
	return st
}

// wireBytes is what the client's interface received and sent so far.
func (n *internet) wireBytes(t testing.TB) int64 {
	t.Helper()
	var total int64
	for _, dir := range []string{"rx_bytes", "tx_bytes"} {
		out := mustRun(t, "ip", "netns", "exec", n.client.name, "cat", "/sys/class/net/c0/statistics/"+dir)
		v, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
		if err != nil {
			t.Fatalf("c0 %s: %q: %v", dir, out, err)
		}
		total += v
	}
	return total
}

// check runs `clearance check --json` in the client namespace with the
// default configuration (a file of its own, empty).
func (n *internet) check(t *testing.T, args ...string) jsonReport {
	t.Helper()
	cmd := clearanceCmd(t, n.client.prefix(), append([]string{"check", "--json", "--config", writeConfig(t)}, args...)...)
	cmd.Env = append(withoutProxyEnv(cmd.Env), n.env...)
	r := runCmd(t, cmd)
	t.Logf("clearance check, in the client namespace:\n%s\n%s", r.stdout, r.stderr)
	return decodeReport(t, r)
}

// sysctl sets a sysctl of the namespace (its own copy of net.*).
func (ns *netns) sysctl(t testing.TB, key, value string) {
	t.Helper()
	path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
	mustRun(t, "ip", "netns", "exec", ns.name, "sh", "-c", "echo "+value+" > "+path)
}

// resolvConf gives programs run by `ip netns exec` a resolv.conf of the
// namespace's own: it bind-mounts /etc/netns/NAME/resolv.conf over
// /etc/resolv.conf for them.
func (ns *netns) resolvConf(t testing.TB, content string) {
	t.Helper()
	dir := filepath.Join("/etc/netns", ns.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startHelper runs a registered test helper inside the namespace and
// returns the first line it prints, once it has; it is stopped when the
// test ends (it ends when its stdin closes; it is killed by its pid if it
// does not).
func startHelper(t testing.TB, ns *netns, args ...string) string {
	t.Helper()
	cmd := clockHelperCmd(t, ns, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errLog testbuf.Buffer
	cmd.Stderr = &errLog
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", args[0], err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() && errLog.String() != "" {
			t.Logf("%s:\n%s", args[0], errLog.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case s := <-line:
		if s == "" {
			<-exited
			t.Fatalf("%s printed nothing\n%s", args[0], errLog.String())
		}
		return s
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start within 30 s\n%s", args[0], errLog.String())
	}
	return ""
}

// startReady is startHelper for a helper that prints "ready".
func startReady(t testing.TB, ns *netns, args ...string) {
	t.Helper()
	if s := startHelper(t, ns, args...); s != "ready" {
		t.Fatalf("%s printed %q, not ready", args[0], s)
	}
}

// runInternetPeers serves, inside the internet namespace, every host the
// program talks to by default: HTTPS on port 443 of every address (the
// OpenAI hosts with pages of a real app's size, the witness, the status
// page; the trace says where the request really came from), the
// captive-portal probe on port 80 (204), DNS for the real names, and
// honest NTP. It writes its CA to args[0], serves its counters (peerStats)
// on the Unix socket args[1], prints "ready", and serves until its stdin
// closes.
func runInternetPeers(args []string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "internet-peers:", err); return 1 }
	if len(args) != 2 {
		return fail(fmt.Errorf("usage: internet-peers CA_FILE STATS_SOCKET"))
	}
	var dnsQueries, tlsFull, tlsResumed atomic.Int64
	ca, err := cftest.MakeCA(pkix.Name{CommonName: "Clearance Test Internet CA"})
	if err != nil {
		return fail(err)
	}
	cert, err := ca.Issue(inetWebNames, nil, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(args[0], pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o644); err != nil {
		return fail(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/cdn-cgi/trace", cftest.PeerTraceHandler(cftest.Loc))
	mux.HandleFunc("status.openai.com/api/v2/summary.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, statusOperational)
	})
	mux.Handle("api.openai.com/v1/models", cftest.Handler(cftest.Unauthorized))
	mux.Handle("/", cftest.AppPage())
	ln, err := net.Listen("tcp", ":443")
	if err != nil {
		return fail(err)
	}
	countHandshake := func(cs tls.ConnectionState) error {
		if cs.DidResume {
			tlsResumed.Add(1)
		} else {
			tlsFull.Add(1)
		}
		return nil
	}
	web := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, VerifyConnection: countHandshake}}
	go web.ServeTLS(ln, "", "")
	defer web.Close()

	pln, err := net.Listen("tcp", ":80")
	if err != nil {
		return fail(err)
	}
	portal := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})}
	go portal.Serve(pln)
	defer portal.Close()

	table := dnstest.Table{}
	for _, n := range inetWebNames {
		table[n] = dnstest.Addrs(inetWeb)
	}
	for _, n := range inetNTPNames {
		table[n] = dnstest.Addrs(inetNTP)
	}
	stopDNS, err := dnstest.ListenAndServeCounting(net.JoinHostPort(inetDNS, "53"), table, &dnsQueries)
	if err != nil {
		return fail(err)
	}
	defer stopDNS()

	sln, err := net.Listen("unix", args[1])
	if err != nil {
		return fail(err)
	}
	stats := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(peerStats{dnsQueries.Load(), tlsFull.Load(), tlsResumed.Load()})
	})}
	go stats.Serve(sln)
	defer stats.Close()

	pc, err := net.ListenPacket("udp4", net.JoinHostPort(inetNTP, "123"))
	if err != nil {
		return fail(err)
	}
	_, wait := ntptest.ServeConn(pc, ntptest.Options{})
	defer wait()
	defer pc.Close()

	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// runTunRelay is a VPN without the encryption: it makes two tun devices,
// args[0] and args[1], in its namespace (the test then moves the second
// into the VPN server's namespace), prints "ready", and carries every
// packet from one to the other until its stdin closes — so that a tunnel
// that comes up really carries traffic, and the far end really sees the
// tunnel's address.
func runTunRelay(args []string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "tun-relay:", err); return 1 }
	if len(args) != 2 {
		return fail(fmt.Errorf("usage: tun-relay NAME NAME"))
	}
	var fds [2]int
	for i, name := range args {
		fd, err := openTun(name)
		if err != nil {
			return fail(err)
		}
		fds[i] = fd
	}
	carry := func(from, to int) {
		buf := make([]byte, 65536)
		for {
			n, err := unix.Read(from, buf)
			if err != nil {
				return
			}
			unix.Write(to, buf[:n]) // a dropped packet is what a link does
		}
	}
	go carry(fds[0], fds[1])
	go carry(fds[1], fds[0])
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// openTun creates a tun device (IFF_TUN|IFF_NO_PI, gone with the process).
func openTun(name string) (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return -1, err
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		return -1, fmt.Errorf("TUNSETIFF %s: %w", name, err)
	}
	return fd, nil
}
