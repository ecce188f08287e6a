package agent

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// lockProbeMachine tries the fix lock, without waiting, while the agent
// repairs: it must find it taken.
type lockProbeMachine struct {
	*fakeMachine
	probed  bool
	lockErr error // of the attempt; EWOULDBLOCK when the agent holds the lock
}

func (m *lockProbeMachine) RepairDNS(ctx context.Context, ch *platform.Changes) (bool, error) {
	m.probed = true
	f, err := os.OpenFile(fixLockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		m.lockErr = err
	} else {
		m.lockErr = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		f.Close()
	}
	return m.fakeMachine.RepairDNS(ctx, ch)
}

// The repair at start holds the fix lock: a `clearance fix` run in a
// process of its own while no agent answered may be in the middle of a
// switch, and its journal and temporary files are not a crash's to undo
// or remove.
func TestRepairDNSHoldsTheFixLock(t *testing.T) {
	m := &lockProbeMachine{fakeMachine: &fakeMachine{}}
	a, _, _ := fixAgent(t, m.fakeMachine)
	a.machine = m
	a.repairPending = true // as Run sets it
	if !a.repairDNS(t.Context()) {
		t.Fatal("the repair waits for a lock nobody holds")
	}
	if !m.probed {
		t.Fatal("the agent did not repair")
	}
	if !errors.Is(m.lockErr, syscall.EWOULDBLOCK) {
		t.Fatalf("during the repair the fix lock could be taken by another (err %v)", m.lockErr)
	}
}
