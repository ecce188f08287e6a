package host

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// The live reading and the reading of /proc as a tree agree: the same name
// for this process and for PID 1.
func TestReadProcessesAgreesWithTheTree(t *testing.T) {
	if _, err := os.Stat("/proc/self/comm"); err != nil {
		t.Skip("no /proc here:", err)
	}
	live, err := ReadProcesses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tree, err := ProcessesIn(os.DirFS("/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []string{"1", strconv.Itoa(os.Getpid())} {
		if live.ByPID[pid] == "" || live.ByPID[pid] != tree.ByPID[pid] {
			t.Errorf("PID %s: %q live, %q from the tree", pid, live.ByPID[pid], tree.ByPID[pid])
		}
	}
	if live.Complete != tree.Complete {
		t.Errorf("complete: %v live, %v from the tree", live.Complete, tree.Complete)
	}
}
