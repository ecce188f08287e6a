package ntpq

import (
	"time"

	"golang.org/x/sys/unix"
)

// sinceBoot reads a clock that no one sets and that runs on through
// suspend: CLOCK_BOOTTIME. Compared with the wall clock across processes,
// it tells a step of the wall clock from time passing.
func sinceBoot() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
