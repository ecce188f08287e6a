package notifytest

import (
	"os"
	"slices"
	"testing"

	"github.com/godbus/dbus/v5"
)

// The bus and server work together and go away with the test that
// started them: a later connection to the address fails.
func TestBusAndServerAreCleanedUp(t *testing.T) {
	var addr string
	t.Run("inner", func(t *testing.T) {
		addr = StartBus(t)
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != addr {
			t.Fatal("StartBus did not set DBUS_SESSION_BUS_ADDRESS")
		}
		srv := Start(t)
		conn, err := dbus.Connect(addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		obj := conn.Object(Name, Path)
		var caps []string
		if err := obj.Call(Iface+".GetCapabilities", 0).Store(&caps); err != nil || !slices.Contains(caps, "actions") {
			t.Fatalf("GetCapabilities = %q, %v", caps, err)
		}
		var id uint32
		if err := obj.Call(Iface+".Notify", 0, "app", uint32(0), "", "summary", "body", []string{"k", "K"},
			map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(2))}, int32(-1)).Store(&id); err != nil {
			t.Fatal(err)
		}
		c := srv.WaitCall(t)
		if u, ok := c.Urgency(); c.ID != id || c.Summary != "summary" || !slices.Equal(c.ActionKeys(), []string{"k"}) || !ok || u != 2 || c.Sender != conn.Names()[0] {
			t.Errorf("recorded %+v", c)
		}
		if err := obj.Call(Iface+".CloseNotification", 0, id).Err; err != nil {
			t.Fatal(err)
		}
		if got := srv.CloseCalls(); !slices.Equal(got, []uint32{id}) {
			t.Errorf("close calls %v", got)
		}
	})
	if addr == "" {
		t.Skip("no bus was started")
	}
	if conn, err := dbus.Connect(addr); err == nil {
		conn.Close()
		t.Fatal("the private bus still answers after its test ended")
	}
}
