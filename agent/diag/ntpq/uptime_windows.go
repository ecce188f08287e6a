package ntpq

import (
	"time"

	"golang.org/x/sys/windows"
)

// sinceBoot reads a clock that no one sets and that runs on through sleep
// and hibernation: GetTickCount64, to the tick (10–16 ms).
func sinceBoot() (time.Duration, bool) {
	return windows.DurationSinceBoot(), true
}
