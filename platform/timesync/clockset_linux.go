package timesync

import (
	"time"

	"golang.org/x/sys/unix"
)

// systemClock steps CLOCK_REALTIME, which needs root or CAP_SYS_TIME.
var systemClock = clockSetter{
	now: time.Now,
	set: func(t time.Time) error {
		ts := unix.NsecToTimespec(t.UnixNano())
		return unix.ClockSettime(unix.CLOCK_REALTIME, &ts)
	},
	desc: unixDateCommand,
}
