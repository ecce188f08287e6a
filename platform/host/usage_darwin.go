package host

// readUsage counts descriptors in /dev/fd, which macOS's fdesc file system
// lists per process. The resident set is left unknown: its current value
// needs Mach's task_info, which Go reaches only through cgo, and getrusage
// gives only the peak.
func readUsage() Usage {
	var u Usage
	u.OpenFiles, u.OpenFilesKnown = countFDs("/dev/fd")
	u.CPUSeconds, u.CPUSecondsKnown = cpuSeconds()
	return u
}
