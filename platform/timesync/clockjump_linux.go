package timesync

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform"
)

// watchClockJump uses a CLOCK_REALTIME timerfd armed with
// TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET for a time the clock never
// reaches, as systemd's time_change_fd does: the kernel cancels such a timer
// whenever the wall clock is set, and a read then fails with ECANCELED.
//
// Resume from suspend counts too. In the kernel (torvalds/linux),
// timekeeping_resume() in kernel/time/timekeeping.c ends with
// timerfd_resume() ("Notify timerfd as resume is equivalent to
// clock_was_set()"), which in fs/timerfd.c schedules timerfd_clock_was_set();
// kernels older than timerfd_resume() (added around 5.15) reached the same
// function from hrtimers_resume() through clock_was_set_delayed().
// timerfd_clock_was_set() cancels a timer only when the offset between
// CLOCK_MONOTONIC and CLOCK_REALTIME changed; CLOCK_MONOTONIC stands still
// while suspended, so it does after any sleep whose length the kernel could
// measure.
func watchClockJump(ctx context.Context) (<-chan struct{}, error) {
	return watchClockTimer(ctx, farFuture())
}

// watchClockTimer is watchClockJump with the first expiry given, so that a
// test can make the kernel end the timer at once (a time in the past)
// without setting the clock.
func watchClockTimer(ctx context.Context, first unix.Timespec) (<-chan struct{}, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_REALTIME, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("creating a timerfd to watch the clock: %w", err)
	}
	jumped := false
	switch err := armClockTimer(fd, first); {
	case errors.Is(err, unix.ECANCELED):
		// Armed, and the clock was set in the meantime.
		jumped = true
	case err != nil:
		unix.Close(fd)
		return nil, fmt.Errorf("arming a timerfd to watch the clock: %w", err)
	}
	ch := make(chan struct{}, 1)
	if jumped {
		platform.Notify(ch)
	}
	f := os.NewFile(uintptr(fd), "timerfd-clock")
	return platform.WatchFile(ctx, f, 8, ch, func(b []byte, err error) (bool, error) {
		return clockTimerRead(len(b), err, func() error { return armClockTimer(fd, farFuture()) })
	}), nil
}

// clockTimerRead decides what one read from the clock timer means: whether
// the clock jumped, and an error that ends the watch. ECANCELED is the clock
// being set (or a resume); a count of expirations (n == 8) means the clock
// was set past the far-future expiry. Both re-arm the timer: after an
// expiry it must be, and after a cancellation the kernel keeps the old
// expiry armed, so arming again is harmless. A re-arm that itself reports
// ECANCELED has armed the timer and seen another jump, nothing worse.
func clockTimerRead(n int, err error, rearm func() error) (bool, error) {
	switch {
	case errors.Is(err, unix.ECANCELED):
	case err != nil:
		return false, err
	case n != 8:
		return false, fmt.Errorf("reading the clock timer gave %d bytes, not 8", n)
	}
	if err := rearm(); err != nil && !errors.Is(err, unix.ECANCELED) {
		return true, fmt.Errorf("re-arming the clock timer: %w", err)
	}
	return true, nil
}

func armClockTimer(fd int, at unix.Timespec) error {
	const flags = unix.TFD_TIMER_ABSTIME | unix.TFD_TIMER_CANCEL_ON_SET
	err := unix.TimerfdSettime(fd, flags, &unix.ItimerSpec{Value: at}, nil)
	if err != nil && !errors.Is(err, unix.ECANCELED) && at == farFuture() {
		// Like systemd: a kernel with a 32-bit time_t refuses TIME_T_MAX;
		// 2038 is then the latest it can arm.
		err = unix.TimerfdSettime(fd, flags, &unix.ItimerSpec{Value: unix.Timespec{Sec: math.MaxInt32}}, nil)
	}
	return err
}

// farFuture is TIME_T_MAX for this architecture's time_t, the value systemd
// arms its clock-change timerfd with. The kernel clamps it to year 2262,
// beyond what settimeofday accepts, so the timer only ends by cancellation.
func farFuture() unix.Timespec {
	var ts unix.Timespec
	ts.Sec = 1<<(8*unsafe.Sizeof(ts.Sec)-1) - 1
	return ts
}
