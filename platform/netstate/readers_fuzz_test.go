package netstate

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// sysfsFiles are the files sysfsDetail reads of an interface, in the
// order of FuzzSysfsDetail's arguments.
var sysfsFiles = []string{"type", "tun_flags", "uevent", "operstate", "carrier"}

// FuzzSysfsDetail reads arbitrary contents, each file there or not, as an
// interface's directory in /sys/class/net. What it reads keeps its
// promises: an interface down is never up, and one whose operstate says
// down or whatever else the kernel does not call up or unknown is not up
// either; it is a tun or tap device exactly when tun_flags is there; the
// numbers are those written; DEVTYPE is one line's value. ParseUevent's
// keys and values, written back as lines, read back the same.
//
// Seeds: the interfaces recorded in testdata/iface/linux-sysfs-netns*.
func FuzzSysfsDetail(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "iface", "linux-sysfs-*", "*"))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		var contents [5]string
		var present uint8
		for i, name := range sysfsFiles {
			if b, err := os.ReadFile(filepath.Join(d, name)); err == nil {
				contents[i], present = string(b), present|1<<i
			}
		}
		f.Add(contents[0], contents[1], contents[2], contents[3], contents[4], present, true)
	}
	f.Fuzz(func(t *testing.T, typ, tunFlags, uevent, operstate, carrier string, present uint8, flagUp bool) {
		contents := []string{typ, tunFlags, uevent, operstate, carrier}
		fsys := fstest.MapFS{}
		for i, name := range sysfsFiles {
			if present&(1<<i) != 0 {
				fsys["if0/"+name] = &fstest.MapFile{Data: []byte(contents[i])}
			}
		}
		has := func(name string) bool { _, ok := fsys["if0/"+name]; return ok }
		i := Interface{Name: "if0", Up: flagUp}
		sysfsDetail(fsys, &i)

		op := ""
		if has("operstate") {
			op = strings.TrimSpace(operstate)
		}
		if i.Up && (!flagUp || (op != "up" && op != "unknown" && op != "")) {
			t.Fatalf("up with the flag %v and operstate %q", flagUp, op)
		}
		if i.TunTap != has("tun_flags") {
			t.Fatalf("TunTap %v with tun_flags there: %v", i.TunTap, has("tun_flags"))
		}
		if n, err := ParseSysfsInt(tunFlags); has("tun_flags") && err == nil && n >= 0 && n <= math.MaxUint32 && int64(i.TunFlags) != n {
			t.Fatalf("tun_flags %q read as %#x", tunFlags, i.TunFlags)
		}
		if n, err := ParseSysfsInt(typ); has("type") && err == nil && int64(i.LinkType) != n {
			t.Fatalf("type %q read as %d", typ, i.LinkType)
		}
		if strings.Contains(i.DevType, "\n") {
			t.Fatalf("DEVTYPE %q spans lines", i.DevType)
		}

		u := ParseUevent(uevent)
		var lines []string
		for k, v := range u {
			if strings.Contains(k, "=") || strings.ContainsAny(k+v, "\n") {
				t.Fatalf("uevent %q read as key %q, value %q", uevent, k, v)
			}
			lines = append(lines, k+"="+v)
		}
		back := ParseUevent(strings.Join(lines, "\n"))
		if len(back) != len(u) {
			t.Fatalf("uevent read as %q, written back and read as %q", u, back)
		}
		for k, v := range u {
			if back[k] != v {
				t.Fatalf("uevent read as %q, written back and read as %q", u, back)
			}
		}
	})
}

// FuzzParseTailscaleStatus reads arbitrary bytes as `tailscale status
// --json`. Output it cannot read is an error that says whose it was, and
// no exit node; output it reads says an exit node is online only when one
// is used, and the same answer, written as tailscale writes it, is read
// back the same.
//
// Seeds: the outputs of TestParseTailscaleStatus.
func FuzzParseTailscaleStatus(f *testing.F) {
	f.Add([]byte(`{"BackendState":"Running","Self":{}}`))
	f.Add([]byte(`{"BackendState":"Running","ExitNodeStatus":{"ID":"n1","Online":true,"TailscaleIPs":["100.64.0.9/32"]}}`))
	f.Add([]byte(`{"ExitNodeStatus":{"ID":"n1","Online":false}}`))
	f.Add([]byte("not json"))
	f.Add([]byte(`{"ExitNodeStatus":null,"exitnodestatus":{"online":true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseTailscaleStatus(data)
		if err != nil {
			if got != (TailscaleExitNode{}) || !strings.Contains(err.Error(), "tailscale") {
				t.Fatalf("%+v with %v; want no exit node and an error that says it was tailscale's", got, err)
			}
			return
		}
		if got.Online && !got.InUse {
			t.Fatalf("an exit node online that is not used: %+v", got)
		}
		var doc any = map[string]any{}
		if got.InUse {
			doc = map[string]any{"ExitNodeStatus": map[string]any{"Online": got.Online}}
		}
		b, _ := json.Marshal(doc)
		if back, err := ParseTailscaleStatus(b); err != nil || back != got {
			t.Fatalf("%+v written as %s reads back as %+v (%v)", got, b, back, err)
		}
	})
}
