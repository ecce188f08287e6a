package host

import (
	"errors"
	"strconv"
	"strings"
)

// Usage is what this process holds of the machine, for the agent's root-only
// debug numbers: a count that only grows is a leak. A field the OS gives no
// cheap, current reading of is left unknown rather than guessed.
type Usage struct {
	// OpenFiles counts open file descriptors (Linux, macOS) or handles
	// (Windows: files, sockets, events, threads and the rest alike).
	OpenFiles      int
	OpenFilesKnown bool
	// ResidentBytes is the memory the process has in RAM now (Linux's
	// resident set, Windows's working set).
	ResidentBytes      int64
	ResidentBytesKnown bool
	// CPUSeconds is the processor time the process has used since it
	// started, in user and system mode together.
	CPUSeconds      float64
	CPUSecondsKnown bool
}

// ReadUsage reads this process's usage now. It costs a few system calls:
// no reading here stops the process or walks its memory.
func ReadUsage() Usage { return readUsage() }

// ParseStatmResident returns the resident pages of a Linux
// /proc/PID/statm (proc(5): size, resident, shared, text, lib, data, dt,
// in pages).
func ParseStatmResident(statm string) (pages int64, err error) {
	f := strings.Fields(statm)
	if len(f) < 2 {
		return 0, errors.New("statm has fewer than two fields")
	}
	pages, err = strconv.ParseInt(f[1], 10, 64)
	if err != nil || pages < 0 {
		return 0, errors.New("statm's resident field is not a count of pages: " + strconv.Quote(f[1]))
	}
	return pages, nil
}
