package tray

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/agent/diag/health"
)

// newBareApp is an app without a ui loop: enough to call its handlers.
func newBareApp(b backend) *app {
	a := &app{
		d:          deps{now: time.Now, confirmWindow: 10 * time.Second},
		log:        slog.New(slog.DiscardHandler),
		notifier:   nopNotifier{},
		alerts:     newAlerter(),
		rebuild:    make(chan struct{}, 1),
		stateSeen:  make(chan struct{}),
		sent:       map[uint32]string{},
		lastSent:   map[string]uint32{},
		windowSent: map[uint32]bool{},
		m:          model{mode: modeRemote, settings: DefaultSettings()},
		backend:    b,
	}
	a.users = newUserChecks(func(context.Context) []health.Result { return nil }, time.Second, a.setUserFindings)
	return a
}

// The confirming click counts only within its window: after 10 s the item
// asks again, and nothing was requested in between.
func TestConfirmWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		remote := newFakeRemote(api.State{})
		a := newBareApp(remote)
		ctx := t.Context()
		a.requestFix(ctx, fix.DNSPublic, "dns-failure")
		if confirmOf(a) != fix.DNSPublic {
			t.Fatal("the first click did not ask for confirmation")
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if confirmOf(a) != "" {
			t.Fatal("the confirmation did not expire")
		}
		a.requestFix(ctx, fix.DNSPublic, "dns-failure")
		time.Sleep(9 * time.Second)
		a.requestFix(ctx, fix.DNSPublic, "dns-failure")
		a.wg.Wait()
		if runs := remote.fixes.Runs(); len(runs) != 1 || runs[0] != (fixRun{fix.DNSPublic, api.FixOptions{Confirm: true}}) {
			t.Fatalf("runs %+v, want one confirmed dns-public", runs)
		}
		// The old window's timer must not clear a later confirmation.
		a.requestFix(ctx, fix.DNSPublic, "dns-failure")
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if confirmOf(a) != fix.DNSPublic {
			t.Fatal("a stale timer ended the new confirmation")
		}
	})
}

// Without an agent, fixes and checks say so instead of doing nothing.
func TestRequestsWithoutAnAgent(t *testing.T) {
	a := newBareApp(nil)
	a.m.mode = modeUnreachable
	a.requestFix(context.Background(), fix.DNSFlush, "dns-failure")
	if a.m.note != "The Clearance service is not answering, so the fix cannot run now." || a.m.busy != "" {
		t.Fatalf("note %q busy %q", a.m.note, a.m.busy)
	}
	a.chatGPTError(context.Background())
	if a.m.checking {
		t.Fatal("checking without an agent")
	}
}

// confirmOf reads the pending confirmation as the app's own goroutines do:
// under its lock (the window's timer clears it from another goroutine).
func confirmOf(a *app) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.m.confirm
}
