package timesync

import "context"

// WatchJumps reports when the wall clock is set — an NTP step, a person,
// `date -s` — and, where the operating system signals it, when the machine
// resumes from sleep, so that the agent re-checks the clock at once. The
// channel has the same contract as WatchNetwork's: capacity 1, coalescing,
// closed when ctx ends or the watch fails. It returns ErrNotSupported where
// the operating system has no implementation; the agent then compares
// monotonic and wall time at each of its own wake-ups.
//
// Like WatchNetwork it does no periodic work: one goroutine parked on the
// operating system.
func WatchJumps(ctx context.Context) (<-chan struct{}, error) { return watchClockJump(ctx) }
