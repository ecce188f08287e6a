package timesync

import (
	"errors"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// SetSystemTime takes UTC and enables SE_SYSTEMTIME_NAME itself, which
// LocalSystem and elevated administrators hold. x/sys/windows has the
// Systemtime struct but no wrapper.
var procSetSystemTime = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetSystemTime")

var systemClock = clockSetter{
	now:  time.Now,
	set:  setSystemTime,
	desc: powershellDateCommand,
}

func setSystemTime(t time.Time) error {
	s := toSystemtime(t)
	st := windows.Systemtime{
		Year: s.Year, Month: s.Month, DayOfWeek: s.DayOfWeek, Day: s.Day,
		Hour: s.Hour, Minute: s.Minute, Second: s.Second, Milliseconds: s.Milliseconds,
	}
	r, _, err := procSetSystemTime.Call(uintptr(unsafe.Pointer(&st)))
	if r != 0 {
		return nil
	}
	var errno windows.Errno
	if errors.As(err, &errno) && errno != 0 {
		return err
	}
	return errors.New("SetSystemTime returned FALSE")
}
