//go:build linux

package notify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/tray/notify/notifytest"
)

func newTestNotifier(t *testing.T) Notifier {
	t.Helper()
	n, err := New(context.Background())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func waitInvoked(t *testing.T, n Notifier) Invoked {
	t.Helper()
	select {
	case inv, ok := <-n.Invoked():
		if !ok {
			t.Fatal("Invoked channel closed")
		}
		return inv
	case <-time.After(notifytest.Deadline):
		t.Fatalf("no click delivered within %v", notifytest.Deadline)
		return Invoked{}
	}
}

func TestSendCarriesTitleUrgencyAndButtons(t *testing.T) {
	notifytest.StartBus(t)
	srv := notifytest.Start(t)
	n := newTestNotifier(t)
	ctx := context.Background()

	id, err := n.Send(ctx, Notification{
		Title:    "ChatGPT will fail: your clock is 3 minutes fast",
		Body:     "Cloudflare rejects requests from clocks this far off.",
		Critical: true,
		Actions:  []Action{{"time-sync", "Sync the clock"}, {"details", "Details…"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.WaitCall(t)
	if c.ID != id {
		t.Errorf("Send returned %d, the server assigned %d", id, c.ID)
	}
	if c.AppName != "Clearance" || c.AppIcon != AppIcon || c.Summary != "ChatGPT will fail: your clock is 3 minutes fast" ||
		c.Body != "Cloudflare rejects requests from clocks this far off." || c.ReplacesID != 0 || c.ExpireTimeout != -1 {
		t.Errorf("Notify call = %+v", c)
	}
	want := []string{"time-sync", "Sync the clock", "details", "Details…", "default", defaultLabel}
	if !slices.Equal(c.Actions, want) {
		t.Errorf("actions = %q, want %q", c.Actions, want)
	}
	if u, ok := c.Urgency(); !ok || u != 2 {
		t.Errorf("urgency of a critical alert = %d (present %v), want 2", u, ok)
	}

	// A normal alert that updates the first in place.
	id2, err := n.Send(ctx, Notification{Title: "Clock synced", ReplacesID: id})
	if err != nil {
		t.Fatal(err)
	}
	c = srv.WaitCall(t)
	if c.ReplacesID != id || id2 != id {
		t.Errorf("replacement: replaces_id sent %d, id returned %d; want both %d", c.ReplacesID, id2, id)
	}
	if u, _ := c.Urgency(); u != 1 {
		t.Errorf("urgency of a normal alert = %d, want 1", u)
	}
	if !slices.Equal(c.ActionKeys(), []string{"default"}) {
		t.Errorf("an alert without buttons still offers the click on itself: got %q", c.ActionKeys())
	}
}

// A server that does not advertise "actions" gets none: it would show
// them as text, or drop the notification.
func TestNoButtonsWithoutActionsCapability(t *testing.T) {
	notifytest.StartBus(t)
	srv := notifytest.Start(t)
	srv.SetCapabilities("body", "persistence")
	n := newTestNotifier(t)
	if _, err := n.Send(context.Background(), Notification{Title: "t", Actions: []Action{{"fix", "Fix"}}}); err != nil {
		t.Fatal(err)
	}
	if c := srv.WaitCall(t); len(c.Actions) != 0 {
		t.Errorf("actions sent to a server without the capability: %q", c.Actions)
	}
}

// ActionInvoked is broadcast to every client on the bus: a click on
// another program's notification, or on one this process never sent,
// must not reach Invoked; a click on ours must, with its key.
func TestInvokedOnlyForOwnNotifications(t *testing.T) {
	notifytest.StartBus(t)
	srv := notifytest.Start(t)
	ours := newTestNotifier(t)
	theirs := newTestNotifier(t) // another client on the same bus
	ctx := context.Background()

	theirID, err := theirs.Send(ctx, Notification{Title: "someone else's", Actions: []Action{{"fix", "Fix"}}})
	if err != nil {
		t.Fatal(err)
	}
	ourID, err := ours.Send(ctx, Notification{Title: "ours", Actions: []Action{{"dns-flush", "Flush DNS"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv.EmitAction(t, theirID, "fix")
	srv.EmitAction(t, 4242, "fix") // an ID nobody here sent
	srv.EmitAction(t, ourID, "dns-flush")
	if got := waitInvoked(t, ours); got != (Invoked{ID: ourID, Key: "dns-flush"}) {
		t.Errorf("first click delivered = %+v, want ours (%d, dns-flush)", got, ourID)
	}
	if got := waitInvoked(t, theirs); got != (Invoked{ID: theirID, Key: "fix"}) {
		t.Errorf("the other client got %+v, want its own click", got)
	}

	srv.EmitAction(t, ourID, DefaultAction)
	if got := waitInvoked(t, ours); got != (Invoked{ID: ourID, Key: "default"}) {
		t.Errorf("click on the notification delivered %+v", got)
	}
}

// Once the server says a notification closed, a late click with its ID
// (the server may reuse IDs) is not ours any more.
func TestClosedNotificationIsForgotten(t *testing.T) {
	notifytest.StartBus(t)
	srv := notifytest.Start(t)
	n := newTestNotifier(t)
	ctx := context.Background()
	first, err := n.Send(ctx, Notification{Title: "first"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := n.Send(ctx, Notification{Title: "second"})
	if err != nil {
		t.Fatal(err)
	}
	srv.EmitClosed(t, first, notifytest.ClosedDismissed)
	srv.EmitAction(t, first, DefaultAction)
	srv.EmitAction(t, second, DefaultAction)
	if got := waitInvoked(t, n); got.ID != second {
		t.Errorf("delivered %+v after %d closed; want the click on %d", got, first, second)
	}
}

func TestCloseEndsInvoked(t *testing.T) {
	notifytest.StartBus(t)
	notifytest.Start(t)
	n, err := New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-n.Invoked():
		if ok {
			t.Fatal("a click came out of a closed notifier")
		}
	case <-time.After(notifytest.Deadline):
		t.Fatal("Invoked not closed by Close")
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Without a session bus, New says so plainly and does not let godbus
// launch a bus of its own (dbus-launch would leave a stray daemon).
func TestNoSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("DISPLAY", ":99") // what would make godbus try dbus-launch
	before := countProcesses(t, "dbus-launch")
	n, err := New(context.Background())
	if err == nil {
		n.Close()
		t.Fatal("New succeeded without a session bus")
	}
	if !errors.Is(err, ErrNoSessionBus) {
		t.Fatalf("error = %v, want ErrNoSessionBus", err)
	}
	if !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS") {
		t.Errorf("error %q does not name what is missing", err)
	}
	if after := countProcesses(t, "dbus-launch"); after > before {
		t.Errorf("dbus-launch processes went from %d to %d", before, after)
	}
}

// A session bus without a notification daemon: New works (the daemon may
// start later), Send says no service is running.
func TestNoNotificationServer(t *testing.T) {
	notifytest.StartBus(t)
	n := newTestNotifier(t)
	_, err := n.Send(context.Background(), Notification{Title: "t"})
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("Send without a server: %v, want ErrNoServer", err)
	}
}

func TestConnectGivesUpWithContext(t *testing.T) {
	notifytest.StartBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := New(ctx); err == nil {
		n.Close()
		t.Fatal("New succeeded with a cancelled context")
	}
}

// countProcesses counts running processes whose command name is name.
func countProcesses(t *testing.T, name string) int {
	t.Helper()
	comms, err := filepath.Glob("/proc/[0-9]*/comm")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range comms {
		if b, err := os.ReadFile(f); err == nil && strings.TrimSpace(string(b)) == name {
			n++
		}
	}
	return n
}
