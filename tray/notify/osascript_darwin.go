package notify

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/clearance-app/clearance/platform"
)

// newNotifier shows plain notifications through osascript: buttons need
// cgo, UNUserNotificationCenter and a signed app bundle, so macOS alerts
// carry none and clicks are never reported; the tray menu is where fixes
// are on macOS.
func newNotifier(context.Context) (Notifier, error) {
	return &osaNotifier{run: platform.System, out: make(chan Invoked)}, nil
}

type osaNotifier struct {
	run  platform.Runner
	next atomic.Uint32
	out  chan Invoked
	once sync.Once
}

func (n *osaNotifier) Send(ctx context.Context, msg Notification) (uint32, error) {
	if _, err := n.run.Run(ctx, "osascript", osascriptArgs(msg)...); err != nil {
		return 0, fmt.Errorf("show a notification: %w", err)
	}
	if msg.ReplacesID != 0 {
		return msg.ReplacesID, nil
	}
	return n.next.Add(1), nil
}

func (n *osaNotifier) Invoked() <-chan Invoked { return n.out }

func (n *osaNotifier) Close() error {
	n.once.Do(func() { close(n.out) })
	return nil
}
