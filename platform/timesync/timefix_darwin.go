package timesync

import (
	"context"

	"github.com/clearance-app/clearance/platform"
)

// syncTimeService runs sntp against Apple's server: timed, the daemon, takes
// no request to synchronize now.
func syncTimeService(ctx context.Context, _ platform.Runner, ch *platform.Changes) (string, error) {
	return syncMac(ctx, ch)
}
