//go:build !linux && !windows && !darwin

package platform

import "context"

func timeSyncStatus(context.Context, Runner) (TimeSync, error) { return TimeSync{}, ErrNotSupported }
