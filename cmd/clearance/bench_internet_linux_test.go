package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
)

// What one run costs, measured in the test internet (newInternet), whose
// app pages are of a real app's size: CPU (user and system), wall time,
// bytes on the client's interface (both ways), DNS queries and TLS
// handshakes as the peers counted them. .ci/bench runs these against the
// real build; the numbers go in the README and closing notes, never into
// assertions.
//
// NTP answers are remembered for 64 s (ntpq), so runs this close together
// ask the time servers only on the first: on the schedule each run asks
// three to five, about 1 KB on the wire.

// cost is one or more runs' worth of what is measured.
type cost struct {
	user, sys, wall time.Duration
	bytes           int64
	peers           peerStats
}

func (c *cost) add(o cost) {
	c.user += o.user
	c.sys += o.sys
	c.wall += o.wall
	c.bytes += o.bytes
	c.peers.DNSQueries += o.peers.DNSQueries
	c.peers.TLSFull += o.peers.TLSFull
	c.peers.TLSResumed += o.peers.TLSResumed
}

// report gives the mean per run of n runs, as benchmark metrics.
func (c cost) report(b *testing.B, n int, per string) {
	f := float64(n)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / f }
	b.ReportMetric(ms(c.user+c.sys), "cpu-ms/"+per)
	b.ReportMetric(ms(c.user), "user-ms/"+per)
	b.ReportMetric(ms(c.sys), "sys-ms/"+per)
	b.ReportMetric(ms(c.wall), "wall-ms/"+per)
	b.ReportMetric(float64(c.bytes)/1024/f, "wire-KiB/"+per)
	b.ReportMetric(float64(c.peers.DNSQueries)/f, "dns-queries/"+per)
	b.ReportMetric(float64(c.peers.TLSFull)/f, "tls-full/"+per)
	b.ReportMetric(float64(c.peers.TLSResumed)/f, "tls-resumed/"+per)
	b.ReportMetric(0, "ns/op") // the metrics above say it better
}

// BenchmarkInternetCheck runs whole `clearance check` processes in the
// client namespace with the default configuration, one after another as a
// person would (so the second and later find what the first remembered),
// and reports each run's cost net of the launcher (`ip netns exec`).
func BenchmarkInternetCheck(b *testing.B) {
	if !canNetns() {
		b.Skip("needs root and ip(8) for a network namespace")
	}
	n := newInternet(b, internetOptions{})
	cfg := writeConfig(b)
	launcher := launcherCost(b, n.client)
	// One cache directory for every run, as a person has one: what a run
	// remembers (NTP answers, TLS sessions) is there for the next.
	// clearanceCmd gives each command a new one.
	cache := roottest.Dir(b)
	var total cost
	var rss int64
	for b.Loop() {
		cmd := clearanceCmd(b, n.client.prefix(), "check", "--json", "--config", cfg)
		cmd.Env = append(append(withoutProxyEnv(cmd.Env), n.env...), "XDG_CACHE_HOME="+cache)
		bytes0, peers0 := n.wireBytes(b), n.stats(b)
		start := time.Now()
		out, err := cmd.Output()
		wall := time.Since(start)
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			b.Fatal(err)
		}
		requireHealthyRun(b, out)
		st := cmd.ProcessState
		total.add(cost{
			user: st.UserTime() - launcher.user, sys: st.SystemTime() - launcher.sys, wall: wall - launcher.wall,
			bytes: n.wireBytes(b) - bytes0, peers: n.stats(b).sub(peers0),
		})
		rss = max(rss, maxRSS(st))
	}
	total.report(b, b.N, "run")
	b.ReportMetric(float64(rss)/(1<<20), "maxrss-MiB")
}

// requireHealthyRun fails the benchmark unless the run reached every
// OpenAI host: the cost of a run that failed early says nothing.
func requireHealthyRun(b *testing.B, out []byte) {
	b.Helper()
	var rep jsonReport
	if err := json.Unmarshal(out, &rep); err != nil {
		b.Fatalf("not the JSON report: %v\n%s", err, out)
	}
	if st := rep.status("endpoints"); st != "pass" {
		b.Fatalf("the endpoints check says %q, not pass: the run measured is not a healthy one\n%s", st, out)
	}
}

// launcherCost is the mean cost of `ip netns exec NAME true`: the part of a
// measured process that is the launcher's, not the program's.
func launcherCost(b *testing.B, ns *netns) cost {
	b.Helper()
	const runs = 20
	var c cost
	for range runs {
		cmd := exec.Command("ip", "netns", "exec", ns.name, "true")
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ip netns exec true: %v: %s", err, out)
		}
		c.add(cost{wall: time.Since(start), user: cmd.ProcessState.UserTime(), sys: cmd.ProcessState.SystemTime()})
	}
	return cost{user: c.user / runs, sys: c.sys / runs, wall: c.wall / runs}
}

// BenchmarkInternetAgent runs the agent in the client namespace and
// measures its full cycles, triggered with POST /v1/check as root:
// "scheduled" with its idle connections closed before each (as after the
// minutes between runs on the schedule), with the agent's resident memory
// after them; "reused" back to back, within the connections' idle timeout
// (as the active interval's rechecks are).
func BenchmarkInternetAgent(b *testing.B) {
	if !canNetns() {
		b.Skip("needs root and ip(8) for a network namespace")
	}
	n := newInternet(b, internetOptions{})
	b.Run("scheduled", func(b *testing.B) { benchAgentCycles(b, n, true) })
	b.Run("reused", func(b *testing.B) { benchAgentCycles(b, n, false) })
}

func benchAgentCycles(b *testing.B, n *internet, fresh bool) {
	env := append([]string{}, n.env...)
	if fresh {
		env = append(env, freshConnectionsEnv+"=1")
	}
	// The default configuration, but for a schedule far longer than the
	// benchmark: every measured run is one it asked for.
	cfg := writeConfig(b, "[agent]", `interval = "1h"`, `active_interval = "1h"`)
	a := startAgent(b, n.client.prefix(), cfg, env...)
	pid := a.cmd.Process.Pid
	st := a.waitState(b, 30*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	// States are pushed on the event stream: polling would cost the agent
	// CPU of its own in every measured cycle.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	states := make(chan api.State, 16)
	go a.client.Follow(ctx, func(s api.State) error { states <- s; return nil })
	var total cost
	for b.Loop() {
		user0, sys0 := procTimes(b, pid)
		bytes0, peers0 := n.wireBytes(b), n.stats(b)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := a.client.CheckNow(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
		st = nextRun(b, states, start)
		wall := time.Since(start)
		user1, sys1 := procTimes(b, pid)
		total.add(cost{user: user1 - user0, sys: sys1 - sys0, wall: wall, bytes: n.wireBytes(b) - bytes0, peers: n.stats(b).sub(peers0)})
	}
	if c := checkStatus(st, "endpoints"); c != "pass" {
		b.Fatalf("the endpoints check says %q, not pass: the runs measured are not healthy ones", c)
	}
	total.report(b, b.N, "cycle")
	// Resident memory once the last run's work is done; the anonymous
	// part is the heap and stacks, the rest the program's own pages.
	time.Sleep(time.Second)
	status := fmt.Sprintf("/proc/%d/status", pid)
	b.ReportMetric(float64(statusField(status, "VmRSS"))/1024, "rss-MiB")
	b.ReportMetric(float64(statusField(status, "RssAnon"))/1024, "rss-anon-MiB")
}

// nextRun waits for the state of the run asked for at start: one that
// ended after it. The stream also carries other states (more than one a
// run), which may still be queued from before start.
func nextRun(b testing.TB, states <-chan api.State, start time.Time) api.State {
	b.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case st := <-states:
			if st.UpdatedAt.After(start) {
				return st
			}
		case <-deadline:
			b.Fatal("no new run within 30 s")
		}
	}
}

func checkStatus(st api.State, name string) string {
	for _, c := range st.Checks {
		if c.Name == name {
			return string(c.Status)
		}
	}
	return fmt.Sprintf("no %s check", name)
}
