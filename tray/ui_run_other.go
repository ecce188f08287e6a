//go:build (cgo || !darwin) && !linux

package tray

import (
	"context"

	"fyne.io/systray"
)

// runTray runs the library's native event loop on this goroutine (Windows
// and macOS need it on the main thread) until ctx ends or done is closed;
// ready is called from the loop's start.
func runTray(ctx context.Context, ready func(), done <-chan struct{}) {
	stop := context.AfterFunc(ctx, systray.Quit)
	defer stop()
	go func() {
		select {
		case <-done:
			systray.Quit()
		case <-ctx.Done():
		}
	}()
	systray.Run(ready, nil)
}
