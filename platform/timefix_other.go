//go:build !linux && !windows && !darwin

package platform

import "context"

func syncTimeService(context.Context, Runner, *Changes) (string, error) { return "", ErrNotSupported }
