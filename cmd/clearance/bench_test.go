package main

import (
	"os/exec"
	"testing"
	"time"
)

// Benchmarks of whole `clearance check` runs, as a person runs it: a fresh
// process each time. They report the wall time, the CPU time (user+system)
// of the process and its peak RSS. .ci/bench runs them against the real
// build (CLEARANCE_BIN); without it they run this test binary as the program.

func BenchmarkCheckLoopback(b *testing.B) {
	w := newWorld(b, worldOptions{})
	benchRuns(b, func() *exec.Cmd { return w.cmd(b) })
}

// One probed host answers only after 2 s: the run should take little more
// than that, since the checks run concurrently.
func BenchmarkCheckSlowPeer(b *testing.B) {
	w := newWorld(b, worldOptions{slow: 2 * time.Second})
	benchRuns(b, func() *exec.Cmd { return w.cmd(b) })
}

func (w *world) cmd(tb testing.TB) *exec.Cmd {
	cmd := clearanceCmd(tb, nil, "check", "--json", "--config", w.config)
	cmd.Env = append(withoutProxyEnv(cmd.Env), w.env...)
	return cmd
}

// benchRuns runs the command b.N times and reports per-run means.
func benchRuns(b *testing.B, mk func() *exec.Cmd) {
	b.Helper()
	var wall, cpu time.Duration
	var rss int64
	for b.Loop() {
		cmd := mk()
		start := time.Now()
		err := cmd.Run()
		wall += time.Since(start)
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			b.Fatal(err)
		}
		st := cmd.ProcessState
		cpu += st.UserTime() + st.SystemTime()
		rss = max(rss, maxRSS(st))
	}
	n := float64(b.N)
	b.ReportMetric(float64(wall.Microseconds())/1000/n, "wall-ms/run")
	b.ReportMetric(float64(cpu.Microseconds())/1000/n, "cpu-ms/run")
	if rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "maxrss-MiB")
	}
	b.ReportMetric(0, "ns/op") // the per-run metrics above say it better
}
