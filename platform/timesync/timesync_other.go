//go:build !linux && !windows && !darwin

package timesync

import (
	"context"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

func timeSyncStatus(context.Context, platform.Runner, host.ProcessReader) (State, error) {
	return State{}, platform.ErrNotSupported
}
