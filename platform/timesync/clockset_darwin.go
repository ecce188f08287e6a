package timesync

import (
	"time"

	"golang.org/x/sys/unix"
)

// systemClock steps the clock with settimeofday(2), which needs root.
var systemClock = clockSetter{
	now: time.Now,
	set: func(t time.Time) error {
		tv := unix.NsecToTimeval(t.UnixNano())
		return unix.Settimeofday(&tv)
	},
	desc: bsdDateCommand,
}
