//go:build !windows && !darwin

package open

import (
	"context"

	"github.com/clearance-app/clearance/platform/browser"
)

// What only the desktops of Linux and the BSDs use: the web opener and
// the private window through xdg-open and the default browser's entry.

// xdgOpenURL hands the page to xdg-open, which knows the desktop's default.
func (o *Opener) xdgOpenURL(ctx context.Context, u string) error {
	return o.xdgOpen(ctx, u, "no program to open web pages is set up on this desktop", "the browser did not start")
}

// xdgPrivateWindow runs the default browser's own command line, from its
// desktop file, with its private-window option.
func (o *Opener) xdgPrivateWindow(ctx context.Context, u string) error {
	d, err := browser.FindDefault(ctx, o.lookup())
	if err != nil {
		return unknownDefault(err)
	}
	return o.launchPrivate(ctx, d, u)
}
