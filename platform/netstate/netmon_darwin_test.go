package netstate

import (
	"context"
	"slices"
	"testing"

	"golang.org/x/net/route"
	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// Route messages marshalled by golang.org/x/net/route, in the layout macOS
// writes, get the answers the hand-written ones in netmon_test.go get.
func TestRouteSocketChangesMarshalled(t *testing.T) {
	addrs := []route.Addr{
		unix.RTAX_DST:     &route.Inet4Addr{IP: [4]byte{10, 99, 0, 0}},
		unix.RTAX_GATEWAY: &route.Inet4Addr{IP: [4]byte{10, 9, 0, 1}},
		unix.RTAX_NETMASK: &route.Inet4Addr{IP: [4]byte{255, 255, 0, 0}},
	}
	tests := []struct {
		name  string
		typ   int
		flags int
		want  []uint16
	}{
		{"static route added", unix.RTM_ADD, unix.RTF_UP | unix.RTF_GATEWAY | unix.RTF_STATIC, []uint16{7}},
		{"route deleted", unix.RTM_DELETE, unix.RTF_UP | unix.RTF_GATEWAY, []uint16{7}},
		{"ARP entry", unix.RTM_ADD, unix.RTF_UP | unix.RTF_HOST | unix.RTF_LLINFO | unix.RTF_WASCLONED, nil},
		{"lookup answer", unix.RTM_GET, unix.RTF_UP, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &route.RouteMessage{Version: unix.RTM_VERSION, Type: tt.typ, Flags: tt.flags, Index: 7, Seq: 1, Addrs: addrs}
			b, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := routeSocketChanges(b)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// Cancelling ctx closes the channel of a real route socket watch.
func TestWatchNetworkCancelCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := WatchNetwork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	platformtest.WaitClosed(t, ch)
}
