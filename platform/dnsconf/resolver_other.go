//go:build !linux && !windows && !darwin

package dnsconf

import "context"

func resolver(context.Context, Runner) (ResolverInfo, error) { return ResolverInfo{}, ErrNotSupported }
