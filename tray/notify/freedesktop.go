//go:build !windows && !darwin

package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"
)

// The Desktop Notifications Specification's names
// (specifications.freedesktop.org/notification-spec).
const (
	fdoName  = "org.freedesktop.Notifications"
	fdoPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	fdoIface = "org.freedesktop.Notifications"
)

// AppIcon is the themed icon name alerts carry (app_icon): the installer
// puts Clearance's icon in the hicolor theme under this name.
const AppIcon = "clearance"

// defaultLabel labels the click on the notification itself, for the
// servers that list the default action among the buttons.
const defaultLabel = "Open Clearance"

// maxRemembered bounds the IDs kept for matching clicks: servers that
// never say a notification closed must not make the set grow for ever.
const maxRemembered = 256

func newNotifier(ctx context.Context) (Notifier, error) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		return nil, ErrNoSessionBus
	}
	conn, err := connect(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("connect to the desktop session bus: %w", err)
	}
	// ActionInvoked is broadcast to every client: the match keeps to
	// signals from the notification server, and run keeps to the IDs this
	// process sent.
	if err := conn.AddMatchSignalContext(ctx,
		dbus.WithMatchSender(fdoName),
		dbus.WithMatchObjectPath(fdoPath),
		dbus.WithMatchInterface(fdoIface),
	); err != nil {
		conn.Close()
		return nil, fmt.Errorf("subscribe to notification clicks: %w", err)
	}
	n := &fdoNotifier{
		conn: conn,
		obj:  conn.Object(fdoName, fdoPath),
		sigs: make(chan *dbus.Signal, 16),
		out:  make(chan Invoked),
		done: make(chan struct{}),
	}
	conn.Signal(n.sigs)
	n.wg.Add(1)
	go n.run()
	return n, nil
}

// connect dials the bus on its own connection (a shared one would also
// carry the tray icon's traffic) and gives up when ctx ends.
func connect(ctx context.Context, addr string) (*dbus.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		conn *dbus.Conn
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		// Sequential delivery keeps ActionInvoked ahead of the
		// NotificationClosed that follows it for the same ID.
		c, err := dbus.Connect(addr, dbus.WithSignalHandler(dbus.NewSequentialSignalHandler()))
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.conn, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.conn != nil {
				r.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

type fdoNotifier struct {
	conn *dbus.Conn
	obj  dbus.BusObject
	sigs chan *dbus.Signal
	out  chan Invoked
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	// mu is held across the Notify call until its ID is recorded, so
	// that a click signal arriving right behind the reply waits for it.
	mu   sync.Mutex
	sent []uint32 // oldest first
}

func (n *fdoNotifier) Send(ctx context.Context, msg Notification) (uint32, error) {
	var caps []string
	if err := n.obj.CallWithContext(ctx, fdoIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return 0, serverError("ask the notification service what it can show", err)
	}
	var actions []string
	if slices.Contains(caps, "actions") {
		hasDefault := false
		for _, a := range msg.Actions {
			actions = append(actions, a.Key, a.Label)
			hasDefault = hasDefault || a.Key == DefaultAction
		}
		if !hasDefault {
			actions = append(actions, DefaultAction, defaultLabel)
		}
	}
	urgency := byte(1) // normal
	if msg.Critical {
		urgency = 2
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgency)}

	n.mu.Lock()
	defer n.mu.Unlock()
	var id uint32
	err := n.obj.CallWithContext(ctx, fdoIface+".Notify", 0,
		AppName, msg.ReplacesID, AppIcon, msg.Title, msg.Body, actions, hints, int32(-1),
	).Store(&id)
	if err != nil {
		return 0, serverError("show a notification", err)
	}
	n.remember(id)
	return id, nil
}

// remember records id as ours; the caller holds mu.
func (n *fdoNotifier) remember(id uint32) {
	if slices.Contains(n.sent, id) {
		return
	}
	if len(n.sent) >= maxRemembered {
		n.sent = slices.Delete(n.sent, 0, 1)
	}
	n.sent = append(n.sent, id)
}

func (n *fdoNotifier) ours(id uint32) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Contains(n.sent, id)
}

func (n *fdoNotifier) forget(id uint32) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if i := slices.Index(n.sent, id); i >= 0 {
		n.sent = slices.Delete(n.sent, i, i+1)
	}
}

// run turns the server's signals into clicks until the connection closes.
func (n *fdoNotifier) run() {
	defer n.wg.Done()
	defer close(n.out)
	for sig := range n.sigs {
		switch sig.Name {
		case fdoIface + ".ActionInvoked":
			var inv Invoked
			if dbus.Store(sig.Body, &inv.ID, &inv.Key) != nil || !n.ours(inv.ID) {
				continue
			}
			select {
			case n.out <- inv:
			case <-n.done:
			}
		case fdoIface + ".NotificationClosed":
			if len(sig.Body) > 0 {
				if id, ok := sig.Body[0].(uint32); ok {
					n.forget(id)
				}
			}
		}
	}
}

func (n *fdoNotifier) Invoked() <-chan Invoked { return n.out }

func (n *fdoNotifier) Close() error {
	var err error
	n.once.Do(func() {
		close(n.done)
		err = n.conn.Close()
		n.wg.Wait()
	})
	return err
}

// serverError says "no notification service" when that is what happened.
func serverError(doing string, err error) error {
	switch errorName(err) {
	case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
		return fmt.Errorf("%w: %w", ErrNoServer, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// errorName is the D-Bus error name of err; godbus returns call errors
// by value and others by pointer.
func errorName(err error) string {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name
	}
	var p *dbus.Error
	if errors.As(err, &p) {
		return p.Name
	}
	return ""
}
