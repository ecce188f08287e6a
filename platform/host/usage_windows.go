package host

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	procGetProcessHandleCount   = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetProcessHandleCount")
	procK32GetProcessMemoryInfo = windows.NewLazySystemDLL("kernel32.dll").NewProc("K32GetProcessMemoryInfo")
)

// processMemoryCounters is PROCESS_MEMORY_COUNTERS (psapi.h).
type processMemoryCounters struct {
	cb                         uint32
	pageFaultCount             uint32
	peakWorkingSetSize         uintptr
	workingSetSize             uintptr
	quotaPeakPagedPoolUsage    uintptr
	quotaPagedPoolUsage        uintptr
	quotaPeakNonPagedPoolUsage uintptr
	quotaNonPagedPoolUsage     uintptr
	pagefileUsage              uintptr
	peakPagefileUsage          uintptr
}

// readUsage counts the process's handles, Windows's nearest to open
// descriptors, and reads its working set and processor time.
func readUsage() Usage {
	var u Usage
	self := windows.CurrentProcess()
	var handles uint32
	if r, _, _ := procGetProcessHandleCount.Call(uintptr(self), uintptr(unsafe.Pointer(&handles))); r != 0 {
		u.OpenFiles, u.OpenFilesKnown = int(handles), true
	}
	pmc := processMemoryCounters{cb: uint32(unsafe.Sizeof(processMemoryCounters{}))}
	if r, _, _ := procK32GetProcessMemoryInfo.Call(uintptr(self), uintptr(unsafe.Pointer(&pmc)), uintptr(pmc.cb)); r != 0 {
		u.ResidentBytes, u.ResidentBytesKnown = int64(pmc.workingSetSize), true
	}
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(self, &created, &exited, &kernel, &user) == nil {
		u.CPUSeconds, u.CPUSecondsKnown = (ticks(kernel)+ticks(user))/1e7, true
	}
	return u
}

// ticks reads a Filetime that holds a duration, in its 100 ns units.
func ticks(f windows.Filetime) float64 {
	return float64(uint64(f.HighDateTime)<<32 | uint64(f.LowDateTime))
}
