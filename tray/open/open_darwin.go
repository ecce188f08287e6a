package open

import (
	"context"
	"errors"

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

// startBrowser starts the browser by its bundle ID with args.
func (o *Opener) startBrowser(ctx context.Context, d browser.DefaultApp, args []string, what string) error {
	return o.macLaunch(ctx, d, args, what)
}

// findBrowser names the browser by its bundle ID: open(1) says, when it
// starts, whether LaunchServices knows it.
func (o *Opener) findBrowser(name string) (browser.DefaultApp, error) {
	id := browserApps[name].bundle
	if id == "" {
		return browser.DefaultApp{}, errors.New("no bundle ID is known for it")
	}
	return browser.DefaultApp{ID: id, Name: name, Known: true}, nil
}
