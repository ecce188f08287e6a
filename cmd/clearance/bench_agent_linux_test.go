package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
)

// The agent's footprint, as the issue asks for it: CPU per full check
// cycle, resident memory when idle, wake-ups per idle minute, and the time
// from a network change to the updated state. .ci/bench runs these against
// the real build; numbers go in closing notes, never into assertions.

// BenchmarkAgentCycle runs full cycles against loopback peers that answer
// as the real hosts do, then leaves the agent idle and counts its threads'
// context switches (each a wake-up) over BENCH_IDLE (default 60 s).
func BenchmarkAgentCycle(b *testing.B) {
	w := newWorld(b, worldOptions{})
	appendFile(b, w.config, "\n[agent]\ninterval = \"1h\"\nactive_interval = \"1h\"\n")
	a := startAgent(b, nil, w.config, withoutProxyEnv(w.env)...)
	pid := a.cmd.Process.Pid
	st := a.waitState(b, 30*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })

	var cpu time.Duration
	for b.Loop() {
		before := procCPU(b, pid)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := a.client.CheckNow(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
		prev := st.UpdatedAt
		st = a.waitState(b, 30*time.Second, "a new run", func(s api.State) bool { return s.UpdatedAt.After(prev) })
		cpu += procCPU(b, pid) - before
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/cycle")
	b.ReportMetric(0, "ns/op")

	idle := 60 * time.Second
	if v, err := time.ParseDuration(os.Getenv("BENCH_IDLE")); err == nil {
		idle = v
	}
	a.client.Close() // no open connection: idle means idle
	// Once after each cycle, 30 s on, the prober closes its idle keep-alive
	// connections (probe.Prober's IdleConnTimeout); the steady state starts
	// after that.
	time.Sleep(35 * time.Second)
	sw0 := procSwitches(b, pid)
	time.Sleep(idle)
	sw1 := procSwitches(b, pid)
	b.ReportMetric(float64(sw1-sw0)/idle.Minutes(), "wakeups/idle-min")
	b.ReportMetric(procRSS(b, pid)/(1<<20), "idle-rss-MiB")
}

// BenchmarkAgentNetworkChange measures, inside a namespace, the time from
// a tun device carrying the default route going up (or down) to the
// agent's event stream carrying a state whose vpn check has seen it.
func BenchmarkAgentNetworkChange(b *testing.B) {
	if !canNetns() {
		b.Skip("needs root and ip(8) for a network namespace")
	}
	name := "clr-bench-netchange"
	run := func(args ...string) {
		if out, err := execCommand("ip", args...); err != nil {
			b.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	execCommand("ip", "netns", "del", name)
	run("netns", "add", name)
	b.Cleanup(func() { execCommand("ip", "netns", "del", name) })
	run("-n", name, "link", "set", "lo", "up")
	ns := &netns{name: name}
	ns.offlineResolver(b)   // names fail at once: no DNS timeouts in the numbers
	ns.holdTun(b, "bench0") // with a process behind it, as a VPN client holds it
	run("-n", name, "addr", "add", "10.77.0.2/24", "dev", "bench0")
	a := startAgent(b, []string{"ip", "netns", "exec", name}, agentTestConfig(b))
	a.waitState(b, 30*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	states := make(chan api.State, 16)
	go a.client.Follow(ctx, func(st api.State) error { states <- st; return nil })
	vpnSees := func(st api.State, up bool) bool {
		for _, c := range st.Checks {
			if c.Name == "vpn" {
				return (c.Status == "warn") == up
			}
		}
		return false
	}
	var upTotal, downTotal time.Duration
	var ups, downs int
	up := false
	for b.Loop() {
		up = !up
		start := time.Now()
		if up {
			run("-n", name, "link", "set", "bench0", "up")
			run("-n", name, "route", "add", "default", "dev", "bench0")
		} else {
			run("-n", name, "link", "set", "bench0", "down")
		}
		for done := false; !done; {
			select {
			case st := <-states:
				done = vpnSees(st, up)
			case <-time.After(30 * time.Second):
				b.Fatalf("no state with the change within 30 s (up=%v)", up)
			}
		}
		if up {
			upTotal += time.Since(start)
			ups++
		} else {
			downTotal += time.Since(start)
			downs++
		}
		// The full run that follows the local one: a change in the middle
		// of it would wait for its end, which is not what is measured here.
		b.StopTimer()
		select {
		case <-states:
		case <-time.After(30 * time.Second):
			b.Fatal("no full run after the change")
		}
		b.StartTimer()
	}
	// The local checks (vpn) run first after a change, so both directions
	// measure the agent's own reaction; the full run after an "up" waits
	// for the probes into a tunnel that nobody answers to time out.
	b.ReportMetric(float64(upTotal.Milliseconds())/float64(max(ups, 1)), "up-to-state-ms")
	b.ReportMetric(float64(downTotal.Milliseconds())/float64(max(downs, 1)), "down-to-state-ms")
	b.ReportMetric(0, "ns/op")
}

func appendFile(tb testing.TB, path, s string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		tb.Fatal(err)
	}
}

// procCPU is the user+system time of a process so far (/proc/PID/stat).
func procCPU(tb testing.TB, pid int) time.Duration {
	user, sys := procTimes(tb, pid)
	return user + sys
}

// procTimes are the user and system time of a process so far, fields 14
// and 15 of /proc/PID/stat (proc(5)), in ticks of 1/100 s (USER_HZ).
func procTimes(tb testing.TB, pid int) (user, sys time.Duration) {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut) * time.Second / 100, time.Duration(st) * time.Second / 100
}

// procSwitches sums the context switches of every thread of a process.
func procSwitches(tb testing.TB, pid int) int64 {
	tb.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		tb.Fatalf("no threads of %d: %v", pid, err)
	}
	var n int64
	for _, t := range tasks {
		n += statusField(t, "voluntary_ctxt_switches") + statusField(t, "nonvoluntary_ctxt_switches")
	}
	return n
}

func procRSS(tb testing.TB, pid int) float64 {
	return float64(statusField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS")) * 1024
}

// statusField reads a number from a /proc status file (0 if absent).
func statusField(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == key {
			fs := strings.Fields(v)
			if len(fs) > 0 {
				n, _ := strconv.ParseInt(fs[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// execCommand runs a command and returns its combined output.
func execCommand(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}
