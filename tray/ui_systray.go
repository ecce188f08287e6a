//go:build cgo || !darwin

package tray

import (
	"context"
	"reflect"
	"sync"

	"fyne.io/systray"

	"github.com/clearance-app/clearance/assets"
)

// systrayUI draws views with fyne.io/systray: a StatusNotifierItem with a
// D-Bus menu on Linux, a notification-area icon on Windows, a menu-bar item
// on macOS. The library is global state, so there is one per process.
type systrayUI struct {
	clicks chan<- action
	icon   func(assets.IconState) []byte

	done     chan struct{} // closed by quit
	quitOnce sync.Once

	mu     sync.Mutex
	base   context.Context
	shown  *view
	cancel context.CancelFunc // ends the click forwarding of the menu shown
}

func newSystrayUI(clicks chan<- action, icon func(assets.IconState) []byte) ui {
	return &systrayUI{clicks: clicks, icon: icon, base: context.Background(), done: make(chan struct{})}
}

func (u *systrayUI) run(ctx context.Context, ready func()) error {
	u.mu.Lock()
	u.base = ctx
	u.mu.Unlock()
	// Before the tray starts, so that the icon is there when the item is
	// registered; the title is also the item's id for the tray host.
	systray.SetTitle("Clearance")
	systray.SetIcon(u.icon(assets.IconUnknown))
	systray.SetTooltip("Clearance")
	runTray(ctx, ready, u.done)
	return nil
}

func (u *systrayUI) quit() { u.quitOnce.Do(func() { close(u.done) }) }

// show changes only what differs from the view shown: the icon, the
// tooltip, and the menu, which is rebuilt whole (ResetMenu) when any item
// differs, as items cannot be moved.
func (u *systrayUI) show(v view) {
	u.mu.Lock()
	defer u.mu.Unlock()
	first := u.shown == nil
	if first || v.Icon != u.shown.Icon {
		systray.SetIcon(u.icon(v.Icon))
	}
	if first || v.Tooltip != u.shown.Tooltip {
		systray.SetTooltip(v.Tooltip)
	}
	if first || !reflect.DeepEqual(v.Menu, u.shown.Menu) {
		if u.cancel != nil {
			u.cancel()
		}
		ctx, cancel := context.WithCancel(u.base)
		u.cancel = cancel
		systray.ResetMenu()
		for _, it := range v.Menu {
			u.add(ctx, nil, it)
		}
	}
	u.shown = &v
}

// add adds it under parent (nil: the top level), and forwards its clicks
// until ctx ends or the item is removed.
func (u *systrayUI) add(ctx context.Context, parent *systray.MenuItem, it item) {
	if it.Separator {
		if parent == nil {
			systray.AddSeparator()
		} else {
			parent.AddSeparator()
		}
		return
	}
	var mi *systray.MenuItem
	switch {
	case parent == nil && it.Checkbox:
		mi = systray.AddMenuItemCheckbox(it.Title, it.Tooltip, it.Checked)
	case parent == nil:
		mi = systray.AddMenuItem(it.Title, it.Tooltip)
	case it.Checkbox:
		mi = parent.AddSubMenuItemCheckbox(it.Title, it.Tooltip, it.Checked)
	default:
		mi = parent.AddSubMenuItem(it.Title, it.Tooltip)
	}
	if it.Disabled {
		mi.Disable()
	}
	for _, c := range it.Children {
		u.add(ctx, mi, c)
	}
	if it.Act.kind != actNone && !it.Disabled {
		go forward(ctx, mi.ClickedCh, it.Act, u.clicks)
	}
}

// forward sends act on clicks for each click of an item. The library drops
// a click that finds nobody waiting, so this goroutine always waits.
func forward(ctx context.Context, clicked <-chan struct{}, act action, clicks chan<- action) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-clicked:
			if !ok {
				return // removed by ResetMenu
			}
			select {
			case clicks <- act:
			case <-ctx.Done():
				return
			}
		}
	}
}
