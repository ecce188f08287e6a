package tray

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

// BenchmarkTrayPushToMenu measures the tray's footprint (the targets: idle
// RSS under 30 MiB; a pushed state reaches the menu in under 500 ms).
// One op is a state change pushed by the agent's real API server until a
// tray host, woken by the menu's LayoutUpdated signal, reads the new
// finding with GetLayout. It reports the tray child's resident memory when
// idle after start and after the pushes, and the slowest push. The numbers
// are measured here and never asserted:
//
//	go test ./tray -run '^$' -bench TrayPushToMenu -benchtime 50x
func BenchmarkTrayPushToMenu(b *testing.B) {
	r := newRig(b, rigOptions{state: stateWith(at(60))})
	r.waitMenu("the first state", func(m menuNode) bool { return m.has("Quit") })
	time.Sleep(2 * time.Second) // idle: the start-up work is done
	pid := r.tray.cmd.Process.Pid
	idle := rssMiB(b, pid)

	if err := r.conn.AddMatchSignal(dbus.WithMatchSender(r.item), dbus.WithMatchInterface("com.canonical.dbusmenu"),
		dbus.WithMatchMember("LayoutUpdated")); err != nil {
		b.Fatal(err)
	}
	sigs := make(chan *dbus.Signal, 1024)
	r.conn.Signal(sigs)
	codes := []finding.Code{"clock-skew", "dns-failure"}
	var slowest time.Duration
	i := 0
	for b.Loop() {
		code := codes[i%len(codes)]
		want := finding.Lookup(code).Title
		for len(sigs) > 0 {
			<-sigs
		}
		start := time.Now()
		r.agent.state.Set(stateWith(time.Now().UTC().Add(time.Duration(i)*time.Second), findingOf(code, "", nil)))
		for {
			select {
			case <-sigs:
			case <-time.After(patience):
				b.Fatalf("push %d: no menu update", i)
			}
			if m, _, err := r.layout(); err == nil && m.has(want) {
				break
			}
		}
		slowest = max(slowest, time.Since(start))
		i++
	}
	b.StopTimer()
	b.ReportMetric(idle, "idle-RSS-MiB")
	b.ReportMetric(rssMiB(b, pid), "final-RSS-MiB")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-ms")
}

// rssMiB reads a process's resident set size from /proc.
func rssMiB(b testing.TB, pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
