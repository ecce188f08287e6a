package notifytest

import (
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// The Desktop Notifications Specification's names
// (specifications.freedesktop.org/notification-spec).
const (
	Name  = "org.freedesktop.Notifications"
	Path  = dbus.ObjectPath("/org/freedesktop/Notifications")
	Iface = "org.freedesktop.Notifications"
)

// Reasons a notification closed, as NotificationClosed carries them.
const (
	ClosedExpired   uint32 = 1
	ClosedDismissed uint32 = 2
	ClosedByCall    uint32 = 3
)

// Call is one Notify call as the server received it.
type Call struct {
	ID            uint32 // the ID the server answered with
	AppName       string
	ReplacesID    uint32
	AppIcon       string
	Summary       string
	Body          string
	Actions       []string // flat key, label pairs
	Hints         map[string]dbus.Variant
	ExpireTimeout int32
	Sender        string // the caller's unique bus name
}

// ActionKeys returns the keys of the call's actions, in order.
func (c Call) ActionKeys() []string {
	var keys []string
	for i := 0; i+1 < len(c.Actions); i += 2 {
		keys = append(keys, c.Actions[i])
	}
	return keys
}

// Urgency returns the urgency hint (0 low, 1 normal, 2 critical) and
// whether the call carried one.
func (c Call) Urgency() (byte, bool) {
	v, ok := c.Hints["urgency"]
	if !ok {
		return 0, false
	}
	b, ok := v.Value().(byte)
	return b, ok
}

// Server is a notification server on the test's session bus.
type Server struct {
	conn  *dbus.Conn
	calls chan Call

	mu     sync.Mutex
	caps   []string
	next   uint32
	all    []Call
	closed []uint32
}

// DefaultCapabilities are what Start advertises: those of a server that
// shows buttons.
var DefaultCapabilities = []string{"actions", "body", "body-markup", "icon-static", "persistence"}

// Start connects to the session bus at DBUS_SESSION_BUS_ADDRESS (see
// StartBus) and takes the name org.freedesktop.Notifications, failing the
// test if another owner has it. The server stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		t.Fatal("notifytest.Start: DBUS_SESSION_BUS_ADDRESS is not set; call StartBus first")
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("notifytest.Start: connect to %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &Server{
		conn:  conn,
		calls: make(chan Call, 1024),
		caps:  slices.Clone(DefaultCapabilities),
	}
	if err := conn.Export(methods{s}, Path, Iface); err != nil {
		t.Fatalf("notifytest.Start: export: %v", err)
	}
	reply, err := conn.RequestName(Name, dbus.NameFlagDoNotQueue)
	if err != nil {
		t.Fatalf("notifytest.Start: request %s: %v", Name, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("notifytest.Start: %s is already owned on this bus (reply %v)", Name, reply)
	}
	return s
}

// SetCapabilities replaces what GetCapabilities answers from now on, e.g.
// without "actions" for a server that shows no buttons.
func (s *Server) SetCapabilities(caps ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.caps = slices.Clone(caps)
}

// WaitCall returns the next Notify call not yet returned by WaitCall,
// waiting up to Deadline for it.
func (s *Server) WaitCall(t testing.TB) Call {
	t.Helper()
	select {
	case c := <-s.calls:
		return c
	case <-time.After(Deadline):
		t.Fatalf("no Notify call within %v", Deadline)
		return Call{}
	}
}

// Calls returns every Notify call received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.all)
}

// CloseCalls returns the IDs clients asked to close, in order.
func (s *Server) CloseCalls() []uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.closed)
}

// EmitAction broadcasts ActionInvoked(id, key), as a server does when a
// person presses a button (key "default": clicks the notification).
func (s *Server) EmitAction(t testing.TB, id uint32, key string) {
	t.Helper()
	if err := s.conn.Emit(Path, Iface+".ActionInvoked", id, key); err != nil {
		t.Fatalf("emit ActionInvoked: %v", err)
	}
}

// EmitClosed broadcasts NotificationClosed(id, reason).
func (s *Server) EmitClosed(t testing.TB, id, reason uint32) {
	t.Helper()
	if err := s.conn.Emit(Path, Iface+".NotificationClosed", id, reason); err != nil {
		t.Fatalf("emit NotificationClosed: %v", err)
	}
}

// methods is what the server exports, kept apart from Server so that the
// test-side methods above are not callable over the bus.
type methods struct{ s *Server }

func (m methods) GetCapabilities() ([]string, *dbus.Error) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return slices.Clone(m.s.caps), nil
}

func (m methods) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "notifytest", "Clearance", "1", "1.2", nil
}

func (m methods) Notify(sender dbus.Sender, appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expireTimeout int32) (uint32, *dbus.Error) {
	m.s.mu.Lock()
	id := replacesID
	if id == 0 {
		m.s.next++
		id = m.s.next
	}
	c := Call{
		ID: id, AppName: appName, ReplacesID: replacesID, AppIcon: appIcon, Summary: summary, Body: body,
		Actions: actions, Hints: hints, ExpireTimeout: expireTimeout, Sender: string(sender),
	}
	m.s.all = append(m.s.all, c)
	m.s.mu.Unlock()
	select {
	case m.s.calls <- c:
	default: // a test that never waits must not block the server
	}
	return id, nil
}

func (m methods) CloseNotification(id uint32) *dbus.Error {
	m.s.mu.Lock()
	m.s.closed = append(m.s.closed, id)
	m.s.mu.Unlock()
	if err := m.s.conn.Emit(Path, Iface+".NotificationClosed", id, ClosedByCall); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}
