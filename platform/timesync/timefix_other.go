//go:build !linux && !windows && !darwin

package timesync

import "context"

func syncTimeService(context.Context, Runner, *Changes) (string, error) { return "", ErrNotSupported }
