package platform

import "context"

func timeSyncStatus(context.Context, Runner) (TimeSync, error) { return TimeSync{}, ErrNotSupported }
