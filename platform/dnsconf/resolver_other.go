//go:build !linux && !windows && !darwin

package dnsconf

import (
	"context"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

func resolver(context.Context, platform.Runner, host.ProcessReader) (ResolverInfo, error) {
	return ResolverInfo{}, platform.ErrNotSupported
}

func servers(context.Context) ([]string, error) { return nil, platform.ErrNotSupported }
