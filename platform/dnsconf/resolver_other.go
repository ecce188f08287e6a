//go:build !linux && !windows && !darwin

package dnsconf

import "context"

func resolver(context.Context, Runner) (ResolverInfo, error) { return ResolverInfo{}, ErrNotSupported }

func servers(context.Context) ([]string, error) { return nil, ErrNotSupported }
