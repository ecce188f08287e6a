package netstate

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sys/windows"

	"github.com/clearance-app/clearance/platform"
)

// On Windows the watch is iphlpapi's change notifications: unicast
// addresses (NotifyUnicastIpAddressChange) and routes (NotifyRouteChange2),
// for IPv4 and IPv6. A link going down or up changes its addresses' state
// and its routes, so NotifyIpInterfaceChange is left out: it also reports
// per-interface parameter updates that are not changes of the network.
// Windows calls back on its own thread pool; nothing here polls or keeps a
// goroutine while idle.
//
// One registration serves every watcher: callbacks made with
// windows.NewCallback are never freed, so there is one, made once, and it
// fans out to the watchers' channels.

// mibInitialNotification is MIB_NOTIFICATION_TYPE's MibInitialNotification,
// sent once on registration when asked for; it is not a change.
const mibInitialNotification = 3

var (
	// winSubsMu guards winSubs. The callback holds it while sending, so a
	// watcher removed under it is never sent to again and may close its
	// channel. It is never held while registering or cancelling, which wait
	// for running callbacks.
	winSubsMu sync.Mutex
	winSubs   = map[chan struct{}]struct{}{}

	// winRegMu guards winHandles, the registration shared by all watchers.
	winRegMu   sync.Mutex
	winHandles []windows.Handle

	winCallback = sync.OnceValue(func() uintptr { return windows.NewCallback(onNetworkChange) })
)

// onNetworkChange has the shape of PUNICAST_IPADDRESS_CHANGE_CALLBACK and
// PIPFORWARD_CHANGE_CALLBACK: caller context, the row, the notification type.
// The type is a 32-bit enum: the rest of its register is not defined.
func onNetworkChange(_, _, notificationType uintptr) uintptr {
	if uint32(notificationType) == mibInitialNotification {
		return 0
	}
	winSubsMu.Lock()
	for ch := range winSubs {
		platform.Notify(ch)
	}
	winSubsMu.Unlock()
	return 0
}

func watchNetwork(ctx context.Context) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	winRegMu.Lock()
	defer winRegMu.Unlock()
	if len(winHandles) == 0 {
		if err := registerNetworkNotifications(); err != nil {
			return nil, err
		}
	}
	winSubsMu.Lock()
	winSubs[ch] = struct{}{}
	winSubsMu.Unlock()
	context.AfterFunc(ctx, func() {
		winSubsMu.Lock()
		delete(winSubs, ch)
		last := len(winSubs) == 0
		winSubsMu.Unlock()
		close(ch)
		if last {
			winRegMu.Lock()
			cancelNetworkNotifications()
			winRegMu.Unlock()
		}
	})
	return ch, nil
}

// registerNetworkNotifications registers both notifications, or neither.
// The caller holds winRegMu.
func registerNetworkNotifications() error {
	cb := winCallback()
	var h windows.Handle
	if err := windows.NotifyUnicastIpAddressChange(windows.AF_UNSPEC, cb, nil, false, &h); err != nil {
		return fmt.Errorf("subscribing to address changes (NotifyUnicastIpAddressChange): %w", err)
	}
	winHandles = append(winHandles, h)
	if err := windows.NotifyRouteChange2(windows.AF_UNSPEC, cb, nil, false, &h); err != nil {
		cancelNetworkNotifications()
		return fmt.Errorf("subscribing to route changes (NotifyRouteChange2): %w", err)
	}
	winHandles = append(winHandles, h)
	return nil
}

// cancelNetworkNotifications ends the shared registration. The caller holds
// winRegMu; a watcher that started meanwhile and found the registration in
// place is not affected, because it is cancelled only when no watcher is left
// and re-registered by the next one.
func cancelNetworkNotifications() {
	winSubsMu.Lock()
	inUse := len(winSubs) > 0
	winSubsMu.Unlock()
	if inUse {
		return
	}
	for _, h := range winHandles {
		windows.CancelMibChangeNotify2(h)
	}
	winHandles = nil
}
