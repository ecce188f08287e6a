//go:build !linux && !windows && !darwin

package timesync

import "time"

// systemClock cannot set the clock here: StepClock returns ErrNotSupported.
var systemClock = clockSetter{now: time.Now, desc: unixDateCommand}
