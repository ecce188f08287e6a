//go:build !windows && !darwin

package open

import "context"

func (o *Opener) openURL(ctx context.Context, u string) error { return o.xdgOpenURL(ctx, u) }

func (o *Opener) openFile(ctx context.Context, path string) error { return o.xdgOpenFile(ctx, path) }

func (o *Opener) privateWindow(ctx context.Context, u string) error {
	return o.xdgPrivateWindow(ctx, u)
}
