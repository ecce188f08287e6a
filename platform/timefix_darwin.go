package platform

import "context"

// syncTimeService runs sntp against Apple's server: timed, the daemon, takes
// no request to synchronize now.
func syncTimeService(ctx context.Context, _ Runner, ch *Changes) (string, error) {
	return syncMac(ctx, ch)
}
