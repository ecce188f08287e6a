//go:build linux || darwin

package host

import (
	"os"
	"syscall"
)

// countFDs counts the entries of a directory that lists this process's
// descriptors, less the one it is read through.
func countFDs(dir string) (int, bool) {
	f, err := os.Open(dir)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0, false
	}
	return len(names) - 1, true
}

// cpuSeconds is the processor time getrusage counts for this process, in
// user and system mode.
func cpuSeconds() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9, true
}
