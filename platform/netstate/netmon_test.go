package netstate

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// netlinkReads returns the recorded reads of testdata/netmon/NAME, each
// with the step that caused it.
func netlinkReads(t testing.TB, name string) (steps []string, reads [][]byte) {
	t.Helper()
	s := bufio.NewScanner(bytes.NewReader(platformtest.ReadFixture(t, "netmon", name)))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		step, h, ok := strings.Cut(line, "\t")
		b, err := hex.DecodeString(h)
		if !ok || err != nil {
			t.Fatalf("bad fixture line %.40q: %v", line, err)
		}
		steps, reads = append(steps, step), append(reads, b)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return steps, reads
}

// The recorded reads, in order, through one filter: which of them are
// changes. The fixture's README says which messages each read holds.
func TestNetlinkFilterRecorded(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the fixture was recorded on a little-endian machine; netlink is host-endian")
	}
	steps, reads := netlinkReads(t, "linux-netlink-tun.txt")
	want := []struct {
		step    string
		changed bool
	}{
		{"tuntap-add", true},     // RTM_NEWLINK
		{"link-up", true},        // RTM_NEWLINK, IFF_UP
		{"addr-add", true},       // RTM_NEWADDR 10.9.0.2/24
		{"addr-add", false},      // RTM_NEWROUTE local 10.9.0.2, table local
		{"addr-add", true},       // RTM_NEWROUTE 10.9.0.0/24, table main
		{"addr-add", false},      // RTM_NEWROUTE broadcast 10.9.0.255, table local
		{"addr-lifetime", false}, // RTM_NEWADDR again: permanent → lifetimes only
		{"addr-refresh", false},  // RTM_NEWADDR again: lifetimes renewed
		{"addr6-add", false},     // RTM_NEWROUTE multicast ff00::/8, table local
		{"addr6-add", true},      // RTM_NEWROUTE fd00:9::/64, table main
		{"addr6-add", true},      // RTM_NEWADDR fd00:9::2/64, tentative
		{"addr6-add", true},      // RTM_NEWADDR fd00:9::2/64, duplicate address detection done
		{"addr6-add", false},     // RTM_NEWROUTE local fd00:9::2, table local
		{"route-add", true},      // RTM_NEWROUTE 10.99.0.0/16
		{"route-del", true},      // RTM_DELROUTE 10.99.0.0/16
		{"link-down", true},      // RTM_NEWLINK, not IFF_UP
		{"link-down", true},      // RTM_DELROUTE fd00:9::/64
		{"link-down", false},     // RTM_DELROUTE local fd00:9::2, table local
		{"link-down", false},     // RTM_DELROUTE ff00::/8, table local
		{"link-down", true},      // RTM_DELADDR fd00:9::2
		{"tuntap-del", true},     // RTM_DELADDR 10.9.0.2
		{"tuntap-del", false},    // RTM_DELROUTE local 10.9.0.2, table local
		{"tuntap-del", true},     // RTM_DELLINK
	}
	if len(reads) != len(want) {
		t.Fatalf("%d reads in the fixture, the test expects %d", len(reads), len(want))
	}
	var nf netlinkFilter
	for i, w := range want {
		if steps[i] != w.step {
			t.Fatalf("read %d is from step %s, the test expects %s", i, steps[i], w.step)
		}
		got, err := nf.changed(reads[i])
		if err != nil {
			t.Fatalf("read %d (%s): %v", i, w.step, err)
		}
		if got != w.changed {
			t.Errorf("read %d (%s): changed = %v, want %v", i, w.step, got, w.changed)
		}
	}
	// The address was deleted, so adding it again is a change again.
	if got, _ := nf.changed(reads[2]); !got {
		t.Error("an address added again after its deletion was not a change")
	}
	if got, _ := nf.changed(reads[2]); got {
		t.Error("the same RTM_NEWADDR twice was a change twice")
	}
	// All the reads of a step at once, as one buffer, give the same answer.
	var nf2 netlinkFilter
	all := slices.Concat(reads...)
	if got, err := nf2.changed(all); err != nil || !got {
		t.Errorf("every read in one buffer: changed = %v, %v", got, err)
	}
}

// nlMsg builds one netlink message (host-endian, as the kernel writes it).
// Hand-written following linux/netlink.h, for cases not recorded here.
func nlMsg(typ uint16, payload []byte) []byte {
	b := make([]byte, nlmsgHdrLen, nlAlign(nlmsgHdrLen+len(payload)))
	binary.NativeEndian.PutUint32(b[0:4], uint32(nlmsgHdrLen+len(payload)))
	binary.NativeEndian.PutUint16(b[4:6], typ)
	b = append(b, payload...)
	return b[:cap(b)]
}

// nlAttr builds one route attribute.
func nlAttr(typ uint16, v []byte) []byte {
	b := make([]byte, 4, nlAlign(4+len(v)))
	binary.NativeEndian.PutUint16(b[0:2], uint16(4+len(v)))
	binary.NativeEndian.PutUint16(b[2:4], typ)
	b = append(b, v...)
	return b[:cap(b)]
}

func TestNetlinkFilterHandWritten(t *testing.T) {
	ifinfo := make([]byte, ifinfomsgLen)
	binary.NativeEndian.PutUint32(ifinfo[4:8], 3)
	addr := func(flags byte, attrs ...[]byte) []byte {
		p := []byte{2, 24, flags, 0, 3, 0, 0, 0} // AF_INET, /24, flags, scope, index 3
		return slices.Concat(append([][]byte{p}, attrs...)...)
	}
	ip := nlAttr(ifaLocal, []byte{10, 9, 0, 2})
	extFlags := func(f uint32) []byte { return nlAttr(ifaFlags, binary.NativeEndian.AppendUint32(nil, f)) }
	route := func(table byte) []byte { return []byte{2, 16, 0, 0, table, 3, 0, 1, 0, 0, 0, 0} }

	tests := []struct {
		name    string
		msgs    [][]byte // fed in order to one filter; the last one's answer is checked
		changed bool
		err     bool
	}{
		{"done", [][]byte{nlMsg(nlmsgDone, make([]byte, 4))}, false, false},
		{"error reply", [][]byte{nlMsg(nlmsgError, make([]byte, 20))}, false, false},
		{"noop", [][]byte{nlMsg(nlmsgNoop, nil)}, false, false},
		{"overrun", [][]byte{nlMsg(nlmsgOverrun, nil)}, true, false},
		{"neighbour, not subscribed", [][]byte{nlMsg(0x1c, make([]byte, 12))}, false, false},
		{"wireless event", [][]byte{nlMsg(rtmNewLink, slices.Concat(ifinfo, nlAttr(3, []byte("wlan0\x00")), nlAttr(iflaWireless, make([]byte, 8))))}, false, false},
		{"link change", [][]byte{nlMsg(rtmNewLink, slices.Concat(ifinfo, nlAttr(3, []byte("wlan0\x00"))))}, true, false},
		{"route in a VPN's own table", [][]byte{nlMsg(rtmNewRoute, route(52))}, true, false},
		{"route in table local", [][]byte{nlMsg(rtmNewRoute, route(rtTableLocal))}, false, false},
		{"DONE and a change in one read", [][]byte{slices.Concat(nlMsg(nlmsgDone, make([]byte, 4)), nlMsg(rtmDelLink, ifinfo))}, true, false},
		{"extended flags: tentative → usable", [][]byte{
			nlMsg(rtmNewAddr, addr(0, ip, extFlags(0x40))),
			nlMsg(rtmNewAddr, addr(0, ip, extFlags(0))),
		}, true, false},
		{"extended flags: NODAD only", [][]byte{
			nlMsg(rtmNewAddr, addr(0, ip, extFlags(0))),
			nlMsg(rtmNewAddr, addr(0, ip, extFlags(0x02))),
		}, false, false},
		{"same address on another link", [][]byte{
			nlMsg(rtmNewAddr, addr(0, ip)),
			nlMsg(rtmNewAddr, func() []byte { p := addr(0, ip); p[4] = 4; return p }()),
		}, true, false},
		{"address of a deleted link", [][]byte{
			nlMsg(rtmNewAddr, addr(0, ip)),
			nlMsg(rtmDelLink, ifinfo),
			nlMsg(rtmNewAddr, addr(0, ip)),
		}, true, false},
		{"header cut short", [][]byte{nlMsg(rtmNewRoute, route(254))[:10]}, false, true},
		{"length beyond the read", [][]byte{nlMsg(rtmNewRoute, route(254))[:20]}, false, true},
		{"length below the header", [][]byte{func() []byte {
			b := nlMsg(rtmNewRoute, route(254))
			binary.NativeEndian.PutUint32(b, 8)
			return b
		}()}, false, true},
		{"route payload cut short", [][]byte{nlMsg(rtmNewRoute, []byte{2, 16})}, false, true},
		{"attribute beyond its message", [][]byte{nlMsg(rtmNewAddr, slices.Concat(addr(0), []byte{200, 0, 2, 0}))}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nf netlinkFilter
			var got bool
			var err error
			for _, m := range tt.msgs {
				got, err = nf.changed(m)
			}
			if (err != nil) != tt.err {
				t.Fatalf("error = %v, want an error: %v", err, tt.err)
			}
			if got != tt.changed {
				t.Errorf("changed = %v, want %v", got, tt.changed)
			}
		})
	}
}

// rsMsg builds one macOS route socket message of the given type, laid out
// as XNU's struct rt_msghdr (routes) or ifa_msghdr / if_msghdr (addresses,
// interfaces) with no addresses after it. Hand-written from bsd/net/route.h
// and net/if.h, whose offsets x/sys/unix's ztypes_darwin_*.go mirror:
// golang.org/x/net/route, which could marshal them, builds only on BSDs.
func rsMsg(typ byte, index uint16, flags uint32) []byte {
	size := rsRtMsghdrLen
	switch typ {
	case rsNewAddr, rsDelAddr:
		size = rsIfaMsghdrLen
	case rsIfInfo:
		size = rsIfMsghdrLen
	}
	b := make([]byte, size)
	binary.LittleEndian.PutUint16(b[0:2], uint16(size))
	b[2], b[3] = rsVersion, typ
	if size == rsRtMsghdrLen {
		binary.LittleEndian.PutUint16(b[4:6], index) // rtm_index
		binary.LittleEndian.PutUint32(b[8:12], flags)
	} else {
		binary.LittleEndian.PutUint32(b[8:12], flags)
		binary.LittleEndian.PutUint16(b[12:14], index) // ifam_index, ifm_index
	}
	return b
}

func TestRouteSocketChanges(t *testing.T) {
	const rtfUpGatewayStatic = 0x1 | 0x2 | 0x800
	tests := []struct {
		name string
		b    []byte
		want []uint16
		err  bool
	}{
		{"route added", rsMsg(rsAdd, 4, rtfUpGatewayStatic), []uint16{4}, false},
		{"route deleted", rsMsg(rsDelete, 4, rtfUpGatewayStatic), []uint16{4}, false},
		{"route changed", rsMsg(rsChange, 4, rtfUpGatewayStatic), []uint16{4}, false},
		{"address added", rsMsg(rsNewAddr, 9, 0), []uint16{9}, false},
		{"address deleted", rsMsg(rsDelAddr, 9, 0), []uint16{9}, false},
		{"interface state", rsMsg(rsIfInfo, 12, 0x8843), []uint16{12}, false},
		{"ARP entry", rsMsg(rsAdd, 4, 0x1|0x4|rsLLInfo|rsWasCloned), nil, false},
		{"route cloned for one destination", rsMsg(rsAdd, 4, 0x1|0x2|0x4|rsWasCloned), nil, false},
		{"RTM_GET answer", rsMsg(0x4, 4, 0x1), nil, false},
		{"RTM_MISS", rsMsg(0x7, 0, 0), nil, false},
		{"multicast address", rsMsg(0xf, 4, 0), nil, false},
		{"two in one read", slices.Concat(rsMsg(0x7, 0, 0), rsMsg(rsNewAddr, 9, 0)), []uint16{9}, false},
		{"another version", func() []byte { b := rsMsg(rsAdd, 4, 0x1); b[2] = 4; return b }(), nil, true},
		{"cut short", rsMsg(rsAdd, 4, 0x1)[:40], nil, true},
		{"route header too small", func() []byte { b := rsMsg(rsAdd, 4, 0x1)[:40]; b[0] = 40; return b }(), nil, true},
		{"three bytes", []byte{3, 0, 5}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := routeSocketChanges(tt.b)
			if (err != nil) != tt.err {
				t.Fatalf("error = %v, want an error: %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := routeSocketChanges(func() []byte { b := rsMsg(rsAdd, 4, 0x1); b[2] = 4; return b }()); !errors.Is(err, errRouteVersion) {
		t.Errorf("another version: %v, want errRouteVersion", err)
	}
}

func TestQuietInterface(t *testing.T) {
	for name, want := range map[string]bool{
		"awdl0": true, "llw0": true,
		"en0": false, "utun3": false, "ipsec0": false, "ppp0": false, "lo0": false, "bridge100": false,
	} {
		if got := quietInterface(name); got != want {
			t.Errorf("quietInterface(%q) = %v, want %v", name, got, want)
		}
	}
}
