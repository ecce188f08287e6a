package open

import "context"

func (o *Opener) openURL(ctx context.Context, u string) error {
	return o.Launch.Start(ctx, "open", u)
}

// openFile opens a document with its type's program, as a double click in
// the Finder would.
func (o *Opener) openFile(ctx context.Context, path string) error {
	return o.Launch.Start(ctx, "open", path)
}

func (o *Opener) privateWindow(ctx context.Context, u string) error {
	return o.macPrivateWindow(ctx, u)
}
