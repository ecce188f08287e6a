package host

import "os"

func readUsage() Usage {
	var u Usage
	u.OpenFiles, u.OpenFilesKnown = countFDs("/proc/self/fd")
	u.CPUSeconds, u.CPUSecondsKnown = cpuSeconds()
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if pages, err := ParseStatmResident(string(b)); err == nil {
			u.ResidentBytes, u.ResidentBytesKnown = pages*int64(os.Getpagesize()), true
		}
	}
	return u
}
