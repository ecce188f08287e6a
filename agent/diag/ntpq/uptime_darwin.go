package ntpq

import (
	"time"

	"golang.org/x/sys/unix"
)

// sinceBoot reads a clock that no one sets and that runs on through sleep:
// on macOS that is CLOCK_MONOTONIC (CLOCK_UPTIME_RAW is the one that stops).
func sinceBoot() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
