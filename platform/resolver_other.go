//go:build !linux && !windows && !darwin

package platform

import "context"

func resolver(context.Context, Runner) (ResolverInfo, error) { return ResolverInfo{}, ErrNotSupported }
