//go:build fakeclock

package wallclock

import (
	"context"
	"os"
	"strings"
	"time"
)

var offsetFile = os.Getenv(EnvOffset)

// offset reads the file each time: a test build, called a few times a run.
func offset() time.Duration {
	b, err := os.ReadFile(offsetFile)
	if err != nil {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return d
}

// Now is the real wall clock plus the file's offset. The reading has no
// monotonic part, as a clock that can be stepped has none.
func Now() time.Time { return time.Now().Add(offset()).Round(0) }

// WatchSteps reports each change of the offset, read every 100 ms: a step
// of the fake clock, as timesync.WatchJumps reports one of the real clock.
func WatchSteps(ctx context.Context) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	last := offset()
	go func() {
		defer close(ch)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if d := offset(); d != last {
				last = d
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
	}()
	return ch, nil
}
