package autostart

import (
	"encoding/binary"
	"time"
)

// Windows keeps the choices of Task Manager's and Settings' "Startup
// apps" in Explorer\StartupApproved\Run: one REG_BINARY value per Run
// entry, of 12 bytes. The first byte is 02 when the entry may run and 03
// when it was turned off; a turned-off value carries the time it was
// turned off as a FILETIME in bytes 4–11. Sources: the trace of Task
// Manager in superuser.com question 1766797 (enabled 02 00 00 00 00 00 00
// 00 00 00 00 00; disabled 03 00 00 00 followed by 8 bytes that change
// each time); TranslucentTB (TranslucentTB/autostart.cpp @1b6ee88), which
// reads the value and treats a first byte of 3 as "disabled by user".
// Odd first bytes are all read as "off": that answer also shows a disabled
// value starting 0x63.

// startupApprovedValue is the value that turns an entry on or off at now.
func startupApprovedValue(on bool, now time.Time) []byte {
	v := make([]byte, 12)
	if on {
		v[0] = 0x02
		return v
	}
	v[0] = 0x03
	binary.LittleEndian.PutUint64(v[4:], filetime(now))
	return v
}

// startupApproved reads a value: whether the entry may run. A missing or
// short value does not turn anything off.
func startupApproved(v []byte) bool {
	return len(v) == 0 || v[0]&1 == 0
}

// filetime is t in 100-nanosecond intervals since 1601-01-01 UTC.
func filetime(t time.Time) uint64 {
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01, in 100 ns
	return uint64(t.UnixNano()/100) + epochDiff
}
