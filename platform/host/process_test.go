package host

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"testing/fstest"
)

// A /proc tree read as the processes: each PID's comm, each name once in
// Names, and Complete only when PID 1 shows (hidepid hides the rest).
func TestProcessesIn(t *testing.T) {
	p, err := ProcessesIn(fstest.MapFS{
		"proc/1/comm":      {Data: []byte("systemd\n")},
		"proc/412/comm":    {Data: []byte("chronyd\n")},
		"proc/413/comm":    {Data: []byte("chronyd\n")},
		"proc/self/comm":   {Data: []byte("not a pid\n")},
		"proc/500/cmdline": {Data: []byte("no comm: ended while listed")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Names(); !slices.Equal(got, []string{"chronyd", "systemd"}) || !p.Complete {
		t.Errorf("names %v complete %v, want [chronyd systemd], complete", got, p.Complete)
	}
	if !p.Running("chronyd") || p.Running("ntpd") || p.ByPID["412"] != "chronyd" {
		t.Errorf("processes %+v", p)
	}

	p, err = ProcessesIn(fstest.MapFS{"proc/4242/comm": {Data: []byte("clearance\n")}})
	if err != nil || p.Complete {
		t.Errorf("hidepid: complete %v err %v, want a partial list", p.Complete, err)
	}
	if _, err := ProcessesIn(fstest.MapFS{}); err == nil {
		t.Error("no error without /proc")
	}
}

// On this machine, for real: this test's own process is among them.
func TestReadProcessesHere(t *testing.T) {
	p, err := ReadProcesses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.ByPID[strconv.Itoa(os.Getpid())] == "" {
		t.Fatalf("this process (%d) is not among the %d listed", os.Getpid(), len(p.ByPID))
	}
	t.Logf("%d processes, complete %v", len(p.ByPID), p.Complete)
}
