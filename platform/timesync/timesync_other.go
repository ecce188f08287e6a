//go:build !linux && !windows && !darwin

package timesync

import "context"

func timeSyncStatus(context.Context, Runner) (TimeSync, error) { return TimeSync{}, ErrNotSupported }
