package timesync

import (
	"context"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// What one read from the clock timer means, with errors as os.File
// returns them.
func TestClockTimerRead(t *testing.T) {
	canceled := &fs.PathError{Op: "read", Path: "timerfd-clock", Err: unix.ECANCELED}
	tests := []struct {
		name      string
		n         int
		err       error
		rearmErr  error
		jumped    bool
		rearmed   bool
		wantError bool
	}{
		{"clock set", 0, canceled, nil, true, true, false},
		{"clock set past the expiry", 8, nil, nil, true, true, false},
		{"set again while re-arming", 0, canceled, unix.ECANCELED, true, true, false},
		{"re-arming fails", 0, canceled, unix.EINVAL, true, true, true},
		{"watch closed", 0, os.ErrClosed, nil, false, false, true},
		{"short read", 4, nil, nil, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rearmed := false
			jumped, err := clockTimerRead(tt.n, tt.err, func() error { rearmed = true; return tt.rearmErr })
			if jumped != tt.jumped || rearmed != tt.rearmed || (err != nil) != tt.wantError {
				t.Errorf("jumped %v, re-armed %v, error %v; want %v, %v, an error: %v",
					jumped, rearmed, err, tt.jumped, tt.rearmed, tt.wantError)
			}
		})
	}
}

// The watch is a CLOCK_REALTIME timerfd armed with
// TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET far in the future, as the
// kernel itself reports in fdinfo. Cancelling ctx closes the channel and
// leaves no goroutine or descriptor behind.
func TestWatchClockJumpArmsCancelOnSetTimer(t *testing.T) {
	before := timerFDs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := WatchJumps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fd := newTimerFD(t, before)
	info := timerFDInfo(t, fd)
	if info["clockid"] != "0" { // CLOCK_REALTIME
		t.Errorf("clockid %s, want 0 (CLOCK_REALTIME)", info["clockid"])
	}
	if info["settime flags"] != "03" { // TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET
		t.Errorf("settime flags %s, want 03", info["settime flags"])
	}
	checkFarFuture(t, info)
	cancel()
	platformtest.WaitClosed(t, ch)

	platformtest.WatchCancel(t, WatchJumps)
}

// The clock cannot be set here, but the kernel can end the timer another
// way: armed for a time already past, it expires at once, which the watch
// takes as the clock having been set beyond its far-future expiry. A value
// arrives and the timer is armed again, far in the future.
func TestWatchClockJumpExpiryRearms(t *testing.T) {
	before := timerFDs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := watchClockTimer(ctx, unix.Timespec{Sec: 1})
	if err != nil {
		t.Fatal(err)
	}
	fd := newTimerFD(t, before)
	select {
	case <-ch:
	case <-time.After(platformtest.Wait):
		t.Fatalf("no value within %v of the timer expiring", platformtest.Wait)
	}
	// The value is sent after re-arming.
	checkFarFuture(t, timerFDInfo(t, fd))
	cancel()
	platformtest.WaitClosed(t, ch)
}

// timerFDs lists this process's timerfd descriptors.
func timerFDs(t *testing.T) map[string]bool {
	t.Helper()
	fds := map[string]bool{}
	for _, fd := range platformtest.OpenFDs(t) {
		if n, target, _ := strings.Cut(fd, " "); target == "anon_inode:[timerfd]" {
			fds[n] = true
		}
	}
	return fds
}

// newTimerFD returns the one timerfd that is not in before.
func newTimerFD(t *testing.T, before map[string]bool) string {
	t.Helper()
	var added []string
	for fd := range timerFDs(t) {
		if !before[fd] {
			added = append(added, fd)
		}
	}
	if len(added) != 1 {
		t.Fatalf("the watch opened %d timerfds (%v), want 1", len(added), added)
	}
	return added[0]
}

// timerFDInfo reads the kernel's fdinfo for a timerfd: "clockid",
// "settime flags", "it_value" and so on.
func timerFDInfo(t *testing.T, fd string) map[string]string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/fdinfo/" + fd)
	if err != nil {
		t.Fatal(err)
	}
	info := map[string]string{}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}

// checkFarFuture checks that the timer has more than a century to run.
func checkFarFuture(t *testing.T, info map[string]string) {
	t.Helper()
	m := regexp.MustCompile(`^\((\d+), \d+\)$`).FindStringSubmatch(info["it_value"])
	if m == nil {
		t.Fatalf("fdinfo it_value %q", info["it_value"])
	}
	if s, _ := strconv.ParseInt(m[1], 10, 64); s < 100*365*24*3600 {
		t.Errorf("the timer expires in %d s, want more than a century", s)
	}
}
