package tray

import (
	"context"

	"fyne.io/systray"
)

// runTray starts the tray and calls ready once the item and its menu are
// on the session bus, then waits for ctx or done. On Linux the library's
// own Run calls onReady while it is still exporting the item, and an icon
// set in that window is lost (the exported property keeps the first one);
// with the external loop, start returns only when the export is complete.
// Linux needs no native event loop: godbus serves the bus.
func runTray(ctx context.Context, ready func(), done <-chan struct{}) {
	start, end := systray.RunWithExternalLoop(nil, nil)
	start()
	ready()
	select {
	case <-ctx.Done():
	case <-done:
	}
	end()
}
