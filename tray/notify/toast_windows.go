package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"git.sr.ht/~jackmordaunt/go-toast/wintoast"

	"github.com/clearance-app/clearance/assets"
)

// toastCLSID identifies Clearance's activation callback to Windows: the
// COM class a toast click is delivered to (HKCU\Software\Classes\
// AppUserModelId\Clearance, CustomActivator). Constant, so that toasts
// still in the Action Center after a restart reach the new process.
const toastCLSID = "{D10A3AEA-8D28-41F5-A8DF-8D22842AD59A}"

// newNotifier registers Clearance as a toast sender for this user (HKCU,
// no elevation) and its in-process activation callback: button presses
// on its toasts come back to the running tray, never to a PowerShell
// script (go-toast's fallback, which loses them) and never to a new
// process (no ActivationExe is registered, so a click after the tray has
// quit does nothing). Only one Notifier per process: the callback is
// process-wide.
func newNotifier(context.Context) (Notifier, error) {
	data := wintoast.AppData{AppID: AppName, GUID: toastCLSID}
	if p, err := writeToastIcon(); err == nil {
		data.IconPath = p
	}
	if err := wintoast.SetAppData(data); err != nil {
		return nil, fmt.Errorf("register Clearance for notifications: %w", err)
	}
	n := &toastNotifier{out: make(chan Invoked), done: make(chan struct{})}
	wintoast.SetActivationCallback(n.activated)
	return n, nil
}

// writeToastIcon puts the icon the Action Center shows beside Clearance's
// name in the user's cache directory: Windows takes it by path.
func writeToastIcon() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "Clearance")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "clearance-48.png")
	return p, os.WriteFile(p, assets.PNG(assets.IconClear, 48), 0o644)
}

type toastNotifier struct {
	next atomic.Uint32
	out  chan Invoked
	done chan struct{}

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Send shows a toast. Windows cannot update a toast in place through
// go-toast: one with ReplacesID appears as a new toast, under the old ID.
func (n *toastNotifier) Send(_ context.Context, msg Notification) (uint32, error) {
	id := msg.ReplacesID
	if id == 0 {
		id = n.next.Add(1)
	}
	xml, err := toastXML(msg, id)
	if err != nil {
		return 0, err
	}
	if err := wintoast.Push(xml); err != nil {
		return 0, fmt.Errorf("show a notification: %w", err)
	}
	return id, nil
}

// activated runs on a COM thread for every click on one of our toasts; it
// must not block there.
func (n *toastNotifier) activated(_, args string, _ []wintoast.UserData) {
	inv, ok := parseToastArgs(args)
	if !ok {
		return
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.wg.Add(1)
	n.mu.Unlock()
	go func() {
		defer n.wg.Done()
		select {
		case n.out <- inv:
		case <-n.done:
		}
	}()
}

func (n *toastNotifier) Invoked() <-chan Invoked { return n.out }

func (n *toastNotifier) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	close(n.done)
	n.mu.Unlock()
	wintoast.SetActivationCallback(func(string, string, []wintoast.UserData) {})
	n.wg.Wait()
	close(n.out)
	return nil
}
