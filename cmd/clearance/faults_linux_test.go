package main

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
)

// The fault suite: the real binary's `clearance check` against a loopback
// world in which one thing fails the way the outside world does. Each case
// must end in the finding that names the cause, within the check's
// deadline, with the whole JSON report and no crash. `make faults` runs it
// and prints the table (case, findings, time) the README's "Reliability"
// section quotes.

// faultWorld is a healthy loopback world (newWorld's peers) whose parts a
// case replaces.
type faultWorld struct {
	srv       *httptest.Server // answers as Cloudflare does, trusted
	ca        *cftest.CA       // a second trusted CA, for certificates a case makes
	hosts     []string
	ntp       []ntptest.Options
	portal    string
	status    string
	trustFile string
}

func newFaultWorld(t *testing.T) *faultWorld {
	t.Helper()
	mux := cftest.Mux()
	mux.HandleFunc("/api/v2/summary.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, statusOperational)
	})
	w := &faultWorld{srv: cftest.NewServer(t, mux), ca: cftest.NewCA(t, pkix.Name{CommonName: "Clearance Fault Suite CA"})}
	w.hosts = []string{cftest.URL(w.srv, cftest.OK), cftest.URL(w.srv, cftest.Unauthorized), cftest.URL(w.srv, cftest.OK)}
	w.ntp = []ntptest.Options{{}, {}, {}}
	portal := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(portal.Close)
	w.portal = portal.URL + "/"
	w.status = w.srv.URL + "/api/v2/summary.json"

	var pems []byte
	for _, der := range [][]byte{w.srv.Certificate().Raw, w.ca.Cert.Raw} {
		pems = append(pems, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	w.trustFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(w.trustFile, pems, 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// allHosts points every probed host at url.
func (w *faultWorld) allHosts(url string) { w.hosts = []string{url, url, url} }

// tlsPeer serves each connection's TLS session, with the trusted test
// certificate, to serve; it returns the URL.
func (w *faultWorld) tlsPeer(t *testing.T, serve func(c *tls.Conn)) string {
	t.Helper()
	cfg := &tls.Config{Certificates: w.srv.TLS.Certificates, NextProtos: []string{"http/1.1"}}
	return "https://" + tcptest.Serve(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		defer tc.Close()
		if tc.Handshake() == nil {
			serve(tc)
		}
	}) + "/"
}

// config writes the world's configuration, with extra lines after it.
func (w *faultWorld) config(t *testing.T, extra ...string) string {
	t.Helper()
	quoted := func(ss []string) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = fmt.Sprintf("%q", s)
		}
		return strings.Join(q, ", ")
	}
	var ntp []string
	for _, o := range w.ntp {
		ntp = append(ntp, ntptest.Serve(t, o).Addr)
	}
	return writeConfig(t, append([]string{
		"[network]",
		fmt.Sprintf("witness = %q", w.srv.URL+"/cdn-cgi/trace"),
		fmt.Sprintf("captive_portal = %q", w.portal),
		"[clock]",
		"ntp_servers = [" + quoted(ntp) + "]",
		"[endpoints]",
		"hosts = [" + quoted(w.hosts) + "]",
		fmt.Sprintf("trace = %q", w.srv.URL+"/cdn-cgi/trace"),
		"[status]",
		fmt.Sprintf("url = %q", w.status),
	}, extra...)...)
}

// run writes the configuration and runs `clearance check --json`.
func (w *faultWorld) run(t *testing.T) (jsonReport, result, time.Duration) {
	t.Helper()
	cmd := clearanceCmd(t, nil, "check", "--json", "--config", w.config(t))
	cmd.Env = append(withoutProxyEnv(cmd.Env), "SSL_CERT_FILE="+w.trustFile)
	start := time.Now()
	r := runCmd(t, cmd)
	took := time.Since(start)
	return decodeReport(t, r), r, took
}

type faultCase struct {
	name string
	// check is the check the fault meets; the table shows its verdict.
	check string
	// fault changes the healthy world.
	fault func(t *testing.T, w *faultWorld)
	// want are findings the report must hold; absent, findings it must not.
	want, absent []string
}

var faultCases = []faultCase{
	{name: "endpoint hangs after the handshake", check: "endpoints", want: []string{"openai-unreachable"},
		fault: func(t *testing.T, w *faultWorld) { w.allHosts(cftest.URL(w.srv, cftest.Hang)) }},
	{name: "endpoint resets the connection", check: "endpoints", want: []string{"openai-unreachable"},
		fault: func(t *testing.T, w *faultWorld) {
			w.allHosts("https://" + tcptest.Serve(t, func(c net.Conn) {
				c.(*net.TCPConn).SetLinger(0) // RST, not FIN
				c.Close()
			}) + "/")
		}},
	{name: "endpoint trickles one byte a second", check: "endpoints", want: []string{"openai-unreachable"},
		fault: func(t *testing.T, w *faultWorld) {
			w.allHosts(w.tlsPeer(t, func(c *tls.Conn) {
				for _, b := range []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n") {
					if _, err := c.Write([]byte{b}); err != nil {
						return
					}
					time.Sleep(time.Second)
				}
			}))
		}},
	{name: "endpoint sends 10 MB", check: "endpoints", absent: []string{"openai-unreachable", "openai-error"},
		fault: func(t *testing.T, w *faultWorld) { w.allHosts(cftest.URL(w.srv, cftest.Huge)) }},
	{name: "endpoint closes mid-header", check: "endpoints", want: []string{"openai-unreachable"},
		fault: func(t *testing.T, w *faultWorld) {
			w.allHosts(w.tlsPeer(t, func(c *tls.Conn) { c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Ty")) }))
		}},
	{name: "endpoint speaks HTTP/1.0", check: "endpoints", absent: []string{"openai-unreachable", "openai-error"},
		fault: func(t *testing.T, w *faultWorld) {
			w.allHosts(w.tlsPeer(t, func(c *tls.Conn) {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 4096)
				c.Read(buf) // the request
				c.Write([]byte("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<!doctype html><title>ChatGPT</title>"))
			}))
		}},
	{name: "expired certificate", check: "endpoints", want: []string{"openai-unreachable"},
		fault: func(t *testing.T, w *faultWorld) {
			cert := w.ca.Leaf(t, time.Now().Add(-60*24*time.Hour), time.Now().Add(-30*24*time.Hour))
			w.allHosts(cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), cert).URL + "/")
		}},
	{name: "certificate from an authority nobody trusts", check: "endpoints", want: []string{"tls-intercepted"},
		fault: func(t *testing.T, w *faultWorld) {
			other := cftest.NewCA(t, pkix.Name{CommonName: "Untrusted Inspection CA", Organization: []string{"Some Proxy"}})
			cert := other.Leaf(t, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
			w.allHosts(cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), cert).URL + "/")
		}},
	{name: "certificate for another host", check: "endpoints", want: []string{"openai-unreachable"},
		fault: func(t *testing.T, w *faultWorld) {
			cert, err := w.ca.Issue([]string{"example.org"}, nil, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			w.allHosts(cftest.NewServerWithCert(t, cftest.Handler(cftest.OK), cert).URL + "/")
		}},
	{name: "every time server sends Kiss-of-Death RATE", check: "clock", absent: []string{"clock-skew"},
		fault: func(t *testing.T, w *faultWorld) {
			w.ntp = []ntptest.Options{{Kiss: "RATE"}, {Kiss: "RATE"}, {Kiss: "RATE"}}
		}},
	{name: "every time server sends Kiss-of-Death DENY", check: "clock", absent: []string{"clock-skew"},
		fault: func(t *testing.T, w *faultWorld) {
			w.ntp = []ntptest.Options{{Kiss: "DENY"}, {Kiss: "DENY"}, {Kiss: "DENY"}}
		}},
	{name: "one falseticker an hour off", check: "clock", absent: []string{"clock-skew"},
		fault: func(t *testing.T, w *faultWorld) { w.ntp = []ntptest.Options{{}, {}, {}, {Offset: time.Hour}} }},
	{name: "time servers in two groups", check: "clock", absent: []string{"clock-skew"},
		fault: func(t *testing.T, w *faultWorld) {
			w.ntp = []ntptest.Options{{}, {}, {Offset: 30 * time.Minute}, {Offset: 30 * time.Minute}}
		}},
	{name: "a majority of time servers an hour ahead", check: "clock", want: []string{"clock-skew"},
		fault: func(t *testing.T, w *faultWorld) {
			w.ntp = []ntptest.Options{{Offset: time.Hour}, {Offset: time.Hour}, {Offset: time.Hour}}
		}},
	{name: "captive portal", check: "network", want: []string{"captive-portal"},
		fault: func(t *testing.T, w *faultWorld) {
			portal := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
				rw.Header().Set("Content-Type", "text/html")
				fmt.Fprint(rw, "<html><title>Hotel Wi-Fi</title><form action=/login>Accept the terms</form></html>")
			}))
			t.Cleanup(portal.Close)
			w.portal = portal.URL + "/"
		}},
	{name: "status page answers garbage", check: "status", absent: []string{"openai-outage"},
		fault: func(t *testing.T, w *faultWorld) {
			w.status = w.tlsPeer(t, func(c *tls.Conn) {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 4096)
				c.Read(buf)
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"page\":["))
			}) + "api/v2/summary.json"
		}},
}

func TestFaults(t *testing.T) {
	var table []string
	for _, c := range faultCases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			w := newFaultWorld(t)
			c.fault(t, w)
			rep, r, took := w.run(t)
			codes := rep.codes()
			verdict := ""
			for _, ch := range rep.Checks {
				if ch.Name == c.check {
					verdict = ch.Status + ": " + ch.Summary
					if len(verdict) > 100 {
						verdict = verdict[:97] + "..."
					}
				}
			}
			table = append(table, fmt.Sprintf("%s\t%s\t%s\t%s", c.name, strings.Join(codes, ", "), verdict, took.Round(10*time.Millisecond)))
			if r.code != 0 && r.code != 1 {
				t.Errorf("exit status %d, want 0 or 1\n%s", r.code, r.stderr)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("the program crashed:\n%s", r.stderr)
			}
			for _, want := range c.want {
				if !slices.Contains(codes, want) {
					t.Errorf("findings %q lack %s\n%s", codes, want, r.stdout)
				}
			}
			for _, bad := range c.absent {
				if slices.Contains(codes, bad) {
					t.Errorf("findings %q hold %s\n%s", codes, bad, r.stdout)
				}
			}
		})
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tfindings\tthe check's verdict\ttime")
	for _, row := range table {
		fmt.Fprintln(tw, row)
	}
	tw.Flush()
	t.Logf("clearance check against each fault:\n%s", b.String())
}

// runDNSFault is a name server that answers every query wrongly, on
// args[0] over UDP: "garbage" sends bytes that are not DNS; "truncate"
// sends the query back as an empty answer with the truncated bit set, and
// nothing listens on TCP for the retry. It prints "ready" and serves until
// its stdin closes.
func runDNSFault(args []string) int {
	if len(args) != 2 || args[1] != "garbage" && args[1] != "truncate" {
		fmt.Fprintln(os.Stderr, "usage: dns-fault ADDR:PORT garbage|truncate")
		return 2
	}
	pc, err := net.ListenPacket("udp", args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dns-fault:", err)
		return 1
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			var answer []byte
			switch args[1] {
			case "garbage":
				answer = append([]byte{buf[0], buf[1]}, []byte("\xff\xfenot a DNS message at all\x00\x01")...)
			case "truncate":
				answer = append([]byte(nil), buf[:n]...)
				answer[2] |= 0x80 | 0x02 // QR: an answer; TC: truncated
				answer[3] = 0            // NOERROR, no recursion flags
			}
			pc.WriteTo(answer, from)
		}
	}()
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// DNS that fails in the ways name servers do, on a network that works:
// each is dns-failure, never network-offline, within the check's deadline.
func TestFaultsDNS(t *testing.T) {
	for _, c := range []struct{ name, mode string }{
		{"name server answers garbage", "garbage"},
		{"name server truncates every answer", "truncate"},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			n := newInternet(t, internetOptions{faultyResolver: c.mode})
			start := time.Now()
			rep := n.check(t)
			t.Logf("%s: %v in %s", c.name, rep.codes(), time.Since(start).Round(10*time.Millisecond))
			if !rep.has("dns-failure") || rep.has("network-offline") {
				t.Errorf("findings %v, want dns-failure and not network-offline", rep.codes())
			}
		})
	}
}

// noGrowth reads the agent's goroutines and open descriptors
// (GET /v1/debug) once it is between runs, and returns a check that they
// came back to within 2 of that after a fault: a goroutine or descriptor
// left behind by each event would show there.
func noGrowth(t *testing.T, a *runningAgent) func() {
	t.Helper()
	read := func() api.Debug {
		t.Helper()
		var last api.Debug
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Second) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			d, err := a.client.Debug(ctx)
			cancel()
			if err != nil {
				t.Fatalf("GET /v1/debug: %v", err)
			}
			// Settled: the same counts a second apart.
			if last.Cycles != nil && d.Cycles != nil && *d.Cycles == *last.Cycles && d.Goroutines == last.Goroutines && *d.OpenFDs == *last.OpenFDs {
				return d
			}
			if time.Now().After(deadline) {
				return d
			}
			last = d
		}
	}
	before := read()
	return func() {
		t.Helper()
		after := read()
		t.Logf("goroutines %d → %d, open descriptors %d → %d", before.Goroutines, after.Goroutines, *before.OpenFDs, *after.OpenFDs)
		if after.Goroutines > before.Goroutines+2 || *after.OpenFDs > *before.OpenFDs+2 {
			t.Errorf("the agent grew: goroutines %d → %d, open descriptors %d → %d", before.Goroutines, after.Goroutines, *before.OpenFDs, *after.OpenFDs)
		}
	}
}

// A network that flaps, its link down and up every 2 s for a minute, under
// a running agent: at most one network-offline shows, under one id for
// the whole minute (so the tray alerts once, not once per flap), and once
// the link stays up the agent is clear again and still answering, with no
// more goroutines or descriptors than before. The same link down for good
// does show network-offline.
func TestFaultsNetworkFlapping(t *testing.T) {
	n := newInternet(t, internetOptions{})
	a := startAgent(t, n.client.prefix(), agentTestConfig(t), n.env...)
	first := a.waitState(t, 60*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	if slices.Contains(codesOf(first), "network-offline") {
		t.Fatalf("network-offline before any flap: %v", codesOf(first))
	}
	grew := noGrowth(t, a)

	ids := map[string]bool{}
	appearances, shown := 0, false
	watch := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, _, _, err := a.client.State(ctx, "")
		if err != nil {
			t.Errorf("the agent did not answer while the network flapped: %v", err)
			return
		}
		now := false
		for _, f := range st.Findings {
			if f.Code == "network-offline" {
				now = true
				ids[f.ID] = true
			}
		}
		if now && !shown {
			appearances++
		}
		shown = now
	}
	up := true
	for end := time.Now().Add(time.Minute); time.Now().Before(end); {
		up = !up
		state := "down"
		if up {
			state = "up"
		}
		n.client.ip(t, "link", "set", "c0", state)
		if up {
			n.client.ip(t, "route", "replace", "default", "via", inetGateway)
		}
		for next := time.Now().Add(2 * time.Second); time.Now().Before(next); time.Sleep(200 * time.Millisecond) {
			watch()
		}
	}
	if !up {
		n.client.ip(t, "link", "set", "c0", "up")
		n.client.ip(t, "route", "replace", "default", "via", inetGateway)
	}
	t.Logf("network-offline appeared %d time(s) with %d id(s) in a minute of flapping", appearances, len(ids))
	if appearances > 1 || len(ids) > 1 {
		t.Errorf("network-offline appeared %d times with ids %v: one flapping minute must be at most one alert", appearances, ids)
	}
	a.waitState(t, 60*time.Second, "clear once the link stays up", func(st api.State) bool {
		return !slices.Contains(codesOf(st), "network-offline")
	})

	// The same link down for good is an outage the agent does show: the
	// minute above was flapping it rode out, not a fault it cannot see.
	n.client.ip(t, "link", "set", "c0", "down")
	a.waitState(t, 60*time.Second, "network-offline once the link stays down", func(st api.State) bool {
		return slices.Contains(codesOf(st), "network-offline")
	})
	n.client.ip(t, "link", "set", "c0", "up")
	n.client.ip(t, "route", "replace", "default", "via", inetGateway)
	a.waitState(t, 60*time.Second, "clear again once the link is back", func(st api.State) bool {
		return !slices.Contains(codesOf(st), "network-offline")
	})
	grew()
}

// A VPN's tunnel that comes and goes under a running agent, three times:
// vpn-active shows each time it carries the default route and clears each
// time it is gone, from the kernel's network events (the schedule is an
// hour), and the agent keeps answering, with no more goroutines or
// descriptors than before.
func TestFaultsVPNComesAndGoes(t *testing.T) {
	requireTunDevice(t)
	ns := newNetns(t)
	ns.offlineResolver(t)
	a := startAgent(t, ns.prefix(), agentTestConfig(t))
	a.waitState(t, 30*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	grew := noGrowth(t, a)
	for i := range 3 {
		ns.holdTun(t, "wg0")
		ns.ip(t, "addr", "add", "10.66.0.2/24", "dev", "wg0")
		ns.ip(t, "link", "set", "wg0", "up")
		ns.ip(t, "route", "add", "default", "dev", "wg0")
		a.waitState(t, 30*time.Second, fmt.Sprintf("vpn-active, time %d", i+1), func(st api.State) bool {
			return slices.Contains(codesOf(st), "vpn-active")
		})
		ns.ip(t, "link", "del", "wg0")
		a.waitState(t, 30*time.Second, fmt.Sprintf("clear after the tunnel went, time %d", i+1), func(st api.State) bool {
			return !slices.Contains(codesOf(st), "vpn-active")
		})
	}
	grew()
}
