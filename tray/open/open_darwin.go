package open

import "context"

func (o *Opener) openURL(ctx context.Context, u string) error {
	return o.Launch.Start(ctx, "open", u)
}

func (o *Opener) privateWindow(ctx context.Context, u string) error {
	return o.macPrivateWindow(ctx, u)
}
