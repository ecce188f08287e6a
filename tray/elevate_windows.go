package tray

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

var procShellExecuteExW = windows.NewLazySystemDLL("shell32.dll").NewProc("ShellExecuteExW")

// shellExecuteInfo is SHELLEXECUTEINFOW; Go's alignment of these fields
// matches the C layout on 386, amd64 and arm64.
type shellExecuteInfo struct {
	cbSize       uint32
	fMask        uint32
	hwnd         windows.Handle
	lpVerb       *uint16
	lpFile       *uint16
	lpParameters *uint16
	lpDirectory  *uint16
	nShow        int32
	hInstApp     windows.Handle
	lpIDList     uintptr
	lpClass      *uint16
	hkeyClass    windows.Handle
	dwHotKey     uint32
	hIcon        windows.Handle
	hProcess     windows.Handle
}

const (
	seeMaskNoCloseProcess = 0x00000040
	seeMaskNoAsync        = 0x00000100
	swHide                = 0
)

// elevate runs `exe fix … --result TOKEN` through UAC (the "runas" verb)
// and reads the result the elevated process leaves in the results
// directory: the output of an elevated process cannot be piped back to an
// unelevated one. A declined prompt is ERROR_CANCELLED.
func elevate(ctx context.Context, _ platform.Runner, exe, id string, opts api.FixOptions) (api.FixResult, error) {
	token := newResultToken()
	args := resultArgs(id, opts, token)

	verb, _ := windows.UTF16PtrFromString("runas")
	file, err := windows.UTF16PtrFromString(exe)
	if err != nil {
		return api.FixResult{}, err
	}
	params, err := windows.UTF16PtrFromString(windowsArgs(args))
	if err != nil {
		return api.FixResult{}, err
	}
	info := shellExecuteInfo{fMask: seeMaskNoCloseProcess | seeMaskNoAsync, lpVerb: verb, lpFile: file, lpParameters: params, nShow: swHide}
	info.cbSize = uint32(unsafe.Sizeof(info))
	if r, _, callErr := procShellExecuteExW.Call(uintptr(unsafe.Pointer(&info))); r == 0 {
		if errors.Is(callErr, windows.ERROR_CANCELLED) {
			return dismissed(id), nil
		}
		return api.FixResult{}, fmt.Errorf("start the fix with administrator rights: %w", callErr)
	}
	if info.hProcess == 0 {
		return api.FixResult{}, fmt.Errorf("%w: Windows gave no process to wait for", errElevationFailed)
	}
	defer windows.CloseHandle(info.hProcess)

	wait := elevationTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		wait = max(time.Until(dl), 0)
	}
	ev, err := windows.WaitForSingleObject(info.hProcess, uint32(wait/time.Millisecond))
	if err != nil {
		return api.FixResult{}, fmt.Errorf("wait for the fix: %w", err)
	}
	if ev != windows.WAIT_OBJECT_0 {
		return api.FixResult{}, fmt.Errorf("%w: it did not finish within %s", errElevationFailed, wait)
	}
	var code uint32
	if err := windows.GetExitCodeProcess(info.hProcess, &code); err != nil {
		return api.FixResult{}, fmt.Errorf("read the fix's exit status: %w", err)
	}
	var runErr error
	if code != 0 {
		runErr = &platform.ExitError{Argv: append([]string{exe}, args...), Code: int(code)}
	}
	return readResultFile(id, token, runErr)
}
