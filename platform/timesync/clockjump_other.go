//go:build !linux

package timesync

import (
	"context"

	"github.com/clearance-app/clearance/platform"
)

func watchClockJump(context.Context) (<-chan struct{}, error) { return nil, platform.ErrNotSupported }
