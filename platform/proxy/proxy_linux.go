package proxy

import (
	"context"
	"github.com/clearance-app/clearance/platform"
	"os"
)

func proxySettings(ctx context.Context, run platform.Runner) ([]Setting, error) {
	return desktopProxySettings(ctx, run, os.Getenv)
}
