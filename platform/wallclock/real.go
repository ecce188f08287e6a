//go:build !fakeclock

package wallclock

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/platform/timesync"
)

// Now is the wall clock: time.Now.
func Now() time.Time { return time.Now() }

// WatchSteps reports when the wall clock is set or the machine resumes
// (timesync.WatchJumps).
func WatchSteps(ctx context.Context) (<-chan struct{}, error) { return timesync.WatchJumps(ctx) }
