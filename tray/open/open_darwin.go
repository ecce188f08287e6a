package open

import (
	"context"

	"github.com/clearance-app/clearance/platform/browser"
)

func (o *Opener) openURL(ctx context.Context, u string) error {
	return o.Launch.Start(ctx, "open", u)
}

// openFile opens a document with its type's program, as a double click in
// the Finder would.
func (o *Opener) openFile(ctx context.Context, path string) error {
	return o.Launch.Start(ctx, "open", path)
}

// privateWindow finds the default browser in LaunchServices and opens a
// private window of it.
func (o *Opener) privateWindow(ctx context.Context, u string) error {
	d, err := browser.FindDefault(ctx, o.lookup())
	if err != nil {
		return unknownDefault(err)
	}
	return o.macPrivateWindow(ctx, d, u)
}
