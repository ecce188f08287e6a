package agent

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// holdFixLock takes the fix lock in another process, flock(1), as a
// `clearance fix` run in a terminal would, until release is called.
func holdFixLock(t *testing.T) (release func()) {
	t.Helper()
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("needs flock(1) (util-linux)")
	}
	if err := os.MkdirAll(filepath.Dir(fixLockPath()), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("flock", fixLockPath(), "cat") // holds it until its input ends
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	released := false
	release = func() {
		if !released {
			released = true
			stdin.Close()
			cmd.Wait()
		}
	}
	t.Cleanup(release)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		unlock, err := tryFixLock()
		if errors.Is(err, errFixLockBusy) {
			return release
		}
		if err != nil {
			t.Fatal(err)
		}
		unlock()
		if time.Now().After(deadline) {
			t.Fatal("flock(1) did not take the fix lock")
		}
	}
}

func (m *fakeMachine) called(what string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Contains(m.calls, what)
}

// An agent that starts while another process holds the fix lock answers
// its API at once; a fix asked for meanwhile is answered 409 once it has
// waited a bounded time; and the repair of an interrupted DNS switch is
// made as soon as the lock is let go, before any fix.
func TestStartWhileAnotherProcessHoldsTheFixLock(t *testing.T) {
	if !host.IsAdmin() {
		t.Skip("the agent repairs at start only as root")
	}
	release := holdFixLock(t)
	defer func(d time.Duration) { fixLockWait = d }(fixLockWait)
	fixLockWait = time.Second

	m := &fakeMachine{}
	opts := testOptions(t, newScript("dns"))
	opts.Machine = m
	opts.Address = filepath.Join(roottest.Dir(t), "agent.sock") // the socket's directory must be root's alone
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	client := api.NewAgentClient(opts.Address)
	defer client.Close()
	hctx, hcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer hcancel()
	var health error
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) { // until the socket is there
		_, health = client.Health(hctx)
		if health == nil || hctx.Err() != nil {
			t.Logf("/v1/health answered %v after the start, with the fix lock held elsewhere", time.Since(start).Round(time.Millisecond))
			break
		}
	}
	if health != nil {
		t.Fatalf("the API does not answer while another process holds the fix lock: %v", health)
	}
	if m.called("repair") {
		t.Fatal("the agent repaired while another process held the fix lock")
	}

	_, err = client.RunFix(t.Context(), fix.DNSFlush, api.FixOptions{})
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || apiErr.Message != errFixLockBusy.Message {
		t.Fatalf("a fix while another process holds the lock: %v, want 409 %q", err, errFixLockBusy.Message)
	}
	if m.called("flush") {
		t.Fatal("the fix ran without the lock")
	}

	release()
	for deadline := time.Now().Add(30 * time.Second); !m.called("repair"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the agent did not repair once the lock was let go")
		}
	}
	if res, err := client.RunFix(t.Context(), fix.DNSFlush, api.FixOptions{}); err != nil || res.Result == api.Failed {
		t.Fatalf("a fix once the lock is free: %+v %v", res, err)
	}
	m.mu.Lock()
	calls := slices.Clone(m.calls)
	m.mu.Unlock()
	if slices.Index(calls, "repair") > slices.Index(calls, "flush") || len(slices.DeleteFunc(calls, func(c string) bool { return c != "repair" })) != 1 {
		t.Fatalf("the machine was asked %v, want one repair before the fix", calls)
	}
}

// A fix asked for before the start's repair could be made makes it first,
// under the same lock.
func TestFixRepairsFirst(t *testing.T) {
	m := &fakeMachine{}
	a, _, _ := fixAgent(t, m)
	a.repairPending = true // Run found the lock taken
	if _, err := a.RunFix(t.Context(), fix.DNSFlush, api.FixOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RunFix(t.Context(), fix.DNSFlush, api.FixOptions{}); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.Equal(m.calls, []string{"repair", "flush", "flush"}) {
		t.Fatalf("the machine was asked %v, want one repair, then the fixes", m.calls)
	}
}
