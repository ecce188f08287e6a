package timesync

import (
	"context"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// State says whether the operating system keeps the clock in sync.
type State struct {
	// Service names the time service found ("systemd-timesyncd", "chronyd",
	// "ntpd", "W32Time", "timed"); "" when none is installed.
	Service string
	// Active is true when that service is running (or, on macOS, network
	// time is switched on).
	Active bool
	// Synchronized is the OS's own verdict when it has one (timedatectl's
	// NTPSynchronized); nil when unknown.
	Synchronized *bool
	// Virtualized names the container or WSL this runs in ("docker", "lxc",
	// "wsl", …), where time is kept by the host; "" on a real machine.
	Virtualized string
	// Detail is a short plain-language account for the report.
	Detail string
}

// Read reports the OS time service. Where the running processes name it
// (Linux), they come from procs, so that a caller can share one reading
// among all who need it. Per OS: timesync_linux.go etc.
func Read(ctx context.Context, run platform.Runner, procs host.ProcessReader) (State, error) {
	return timeSyncStatus(ctx, run, procs)
}
