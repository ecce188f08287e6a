//go:build !linux && !darwin && !windows

package ntpq

import "time"

// sinceBoot has no clock to read here: records carry the wall time only.
func sinceBoot() (time.Duration, bool) { return 0, false }
