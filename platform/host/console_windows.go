package host

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	procGetConsoleProcessList = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetConsoleProcessList")
	procFreeConsole           = windows.NewLazySystemDLL("kernel32.dll").NewProc("FreeConsole")
)

// detachConsole frees the console when this process is its only user:
// GetConsoleProcessList returns how many processes share it (0 on failure,
// for example when there is no console at all).
func detachConsole() {
	var pids [2]uint32
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	if n == 1 {
		procFreeConsole.Call()
	}
}
