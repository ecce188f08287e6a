package proxy

import (
	"context"
	"fmt"

	"github.com/clearance-app/clearance/platform"
)

// proxySettings reads the primary network service's proxies with scutil,
// without cgo: CFNetwork would need it, and a CGO_ENABLED=0 build would
// silently see no proxy.
func proxySettings(ctx context.Context, run platform.Runner) ([]Setting, error) {
	out, err := run.Run(ctx, "/usr/sbin/scutil", "--proxy")
	if err != nil {
		return nil, &SourceError{Source: SourceMacOS, Err: fmt.Errorf("scutil --proxy failed: %w", err)}
	}
	s, err := ParseScutilProxy(out)
	if err != nil {
		return nil, &SourceError{Source: SourceMacOS, Err: err}
	}
	return s, nil
}
