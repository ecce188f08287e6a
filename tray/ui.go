package tray

import "context"

// ui is the tray's face: the icon, its tooltip and its menu. The app draws
// views; the ui sends the actions of clicked items on the channel it was
// made with.
type ui interface {
	// run shows the tray and blocks until quit is called or ctx ends. ready
	// is called once views can be shown; it must return at once.
	run(ctx context.Context, ready func()) error
	// show draws v. The items of the previous menu stop sending clicks.
	show(v view)
	// quit makes run return.
	quit()
}
