package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
)

// The security suite (`make security`; docs/security.md lists each
// property and its test): the real agent, run as root in a network
// namespace of the test's own, and another local user (uid 65534, through
// setpriv) talking to it over its real socket. Needs root; mandatory in CI.

// securityAgent is the real agent as the suite runs it.
type securityAgent struct {
	*runningAgent
	ns   *netns
	peer *apiPeerServer // requests as another uid, with the copy of the test binary it may run
}

// startSecurityAgent starts the agent in a new namespace whose resolv.conf
// is the namespace's own (offline: nothing answers on its loopback), with
// its socket at sock (in a directory from sharedDir when empty) and
// extraEnv added, and waits for its first run.
func startSecurityAgent(t *testing.T, sock string, extraEnv ...string) *securityAgent {
	t.Helper()
	ns := newNetns(t)
	ns.offlineResolver(t)
	dir, bin := sharedDir(t)
	if sock == "" {
		sock = filepath.Join(dir, "agent.sock")
	}
	a := startAgentAt(t, ns.prefix(), agentTestConfig(t), sock, extraEnv...)
	a.waitState(t, 60*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	return &securityAgent{runningAgent: a, ns: ns, peer: &apiPeerServer{addr: sock, bin: bin}}
}

// logText is what the agent has logged so far.
func (a *securityAgent) logText(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(a.log)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// nsResolv is the namespace's resolv.conf as the agent sees it.
func (a *securityAgent) nsResolv(t *testing.T) string {
	t.Helper()
	return readFile(t, filepath.Join("/etc/netns", a.ns.name, "resolv.conf"))
}

// Another user reads everything the tray shows (state, health, the fixes
// and the event stream) and is refused every fix with 403, which changes
// nothing: the namespace's resolv.conf, which dns-public would rewrite,
// is as it was, and the agent logged no fix as requested.
func TestSecurityAgentReadsAllowedFixesRefused(t *testing.T) {
	a := startSecurityAgent(t, "")
	for _, path := range []string{"/v1/state", "/v1/health", "/v1/fixes"} {
		code, body := a.peer.as(t, 65534, "GET", path, "")
		if code != http.StatusOK || !json.Valid([]byte(body)) {
			t.Fatalf("uid 65534 GET %s: %d %.300s, want 200 and JSON", path, code, body)
		}
		if path == "/v1/fixes" && !strings.Contains(body, `"id":"dns-public"`) {
			t.Fatalf("uid 65534 GET /v1/fixes does not list dns-public: %.500s", body)
		}
	}
	if res, release := holdStreams(t, a.peer.bin, a.socket, 65534, 1); res.Open != 1 {
		t.Fatalf("uid 65534 GET /v1/events: %+v, want the stream", res)
	} else {
		release()
	}

	before := a.nsResolv(t)
	for _, id := range []string{"dns-public", "dns-restore", "dns-flush"} {
		code, body := a.peer.as(t, 65534, "POST", "/v1/fixes/"+id, `{"confirm":true}`)
		if code != http.StatusForbidden || apiErrorMessage(t, body) != "fixes are not allowed for this account" {
			t.Fatalf("uid 65534 POST /v1/fixes/%s: %d %s, want 403, not allowed", id, code, body)
		}
	}
	if after := a.nsResolv(t); after != before {
		t.Fatalf("a refused dns-public changed resolv.conf:\n%s\nwas\n%s", after, before)
	}
	if log := a.logText(t); strings.Contains(log, "fix requested") || !strings.Contains(log, `caller="uid 65534`) {
		t.Fatalf("want one refusal of uid 65534 logged and no fix requested; the log:\n%s", log)
	}
}

// An unknown fix id of 10 KiB is answered 404 with a short message, and is
// not logged; thousands of them and of refused fixes (16,000-byte ids once
// wrote 261 MiB of log in 5 s) add a few lines to the agent's log.
func TestSecurityAgentLogBoundedUnderRefusals(t *testing.T) {
	a := startSecurityAgent(t, "")
	long := strings.Repeat("A", 10<<10)
	code, body := a.peer.as(t, 65534, "POST", "/v1/fixes/"+long, `{}`)
	if code != http.StatusNotFound || len(body) > 512 || !strings.Contains(apiErrorMessage(t, body), "GET /v1/fixes lists them") {
		t.Fatalf("a 10 KiB unknown id: %d, %d bytes: %.300s; want 404 and a short message", code, len(body), body)
	}

	const n = 2000
	before := len(a.logText(t))
	if res := a.peer.flood(t, 65534, "POST", "/v1/fixes/"+long, `{}`, n); res.Statuses[http.StatusNotFound] != n {
		t.Fatalf("unknown ids: %v, want %d × 404", res.Statuses, n)
	}
	if res := a.peer.flood(t, 65534, "POST", "/v1/fixes/dns-public", `{"confirm":true}`, n); res.Statuses[http.StatusForbidden] != n {
		t.Fatalf("dns-public: %v, want %d × 403", res.Statuses, n)
	}
	log := a.logText(t)
	grown := log[before:]
	lines := strings.Split(strings.TrimSuffix(grown, "\n"), "\n")
	longest := 0
	for _, l := range strings.Split(log, "\n") {
		longest = max(longest, len(l))
	}
	t.Logf("%d refused requests as uid 65534 (half with 10 KiB ids): the agent's log grew by %d bytes in %d lines; its longest line has %d bytes",
		2*n+1, len(grown), len(lines), longest)
	if strings.Contains(log, strings.Repeat("A", 64)) {
		t.Fatalf("the unknown id was logged")
	}
	if len(grown) > 4<<10 || len(lines) > 8 || longest > 2<<10 {
		t.Fatalf("the log grew by %d bytes in %d lines (longest %d), want a few short lines:\n%.3000s", len(grown), len(lines), longest, grown)
	}
}

// fullRuns counts the full runs of the checks the agent has logged.
func (a *securityAgent) fullRuns(t testing.TB) int {
	t.Helper()
	n := 0
	for _, l := range strings.Split(a.logText(t), "\n") {
		if strings.Contains(l, `msg="checks ran"`) && strings.Contains(l, "full=true") {
			n++
		}
	}
	return n
}

// A flood of POST /v1/check from another user (45,931 in 10 s once made
// 252 full runs) makes the real agent run its checks once at once and once
// at the end of each 10 s gap, counted in the agent's own log.
func TestSecurityAgentCheckFloodRunsBounded(t *testing.T) {
	a := startSecurityAgent(t, "")
	first := a.fullRuns(t)
	if first == 0 {
		t.Fatalf("no full run logged after the first state; the log:\n%s", a.logText(t))
	}
	const n = 2000
	start := time.Now()
	res := a.peer.flood(t, 65534, "POST", "/v1/check", "", n)
	took := time.Since(start)
	var last struct {
		StartsAt time.Time `json:"starts_at"`
	}
	if res.Statuses[http.StatusAccepted] != n || json.Unmarshal([]byte(res.Last), &last) != nil || last.StartsAt.IsZero() {
		t.Fatalf("%v, want %d × 202 saying when the run starts; last %s", res.Statuses, n, res.Last)
	}
	// The run queued for the end of the gap, then time for a stray one.
	deadline := last.StartsAt.Add(60 * time.Second)
	for a.fullRuns(t) < first+2 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	runs := a.fullRuns(t) - first
	bound := 2 + int(took/(10*time.Second)) // at once, and at the end of each gap that ended during the flood or after it
	t.Logf("%d POST /v1/check as uid 65534 in %v: %d full runs (at most %d allowed)", n, took.Round(time.Millisecond), runs, bound)
	if runs < 1 || runs > bound {
		t.Fatalf("%d requests in %v made %d full runs, want 1 to %d", n, took, runs, bound)
	}
}
