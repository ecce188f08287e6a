package proxy

import (
	"context"
	"os"

	"github.com/clearance-app/clearance/platform"
)

func proxySettings(ctx context.Context, run platform.Runner) ([]Setting, error) {
	return desktopProxySettings(ctx, run, os.Getenv)
}
