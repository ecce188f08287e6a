package browser

import "context"

func findDefault(ctx context.Context, l Lookup) (DefaultApp, error) {
	return macDefault(ctx, l.runner())
}
