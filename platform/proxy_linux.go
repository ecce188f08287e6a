package platform

import (
	"context"
	"os"
)

func proxySettings(ctx context.Context, run Runner) ([]ProxySetting, error) {
	return desktopProxySettings(ctx, run, os.Getenv)
}
