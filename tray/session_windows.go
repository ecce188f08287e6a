package tray

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
)

// claimSession takes a named mutex in the session's own namespace
// (Local\), so that one tray runs per signed-in session; release lets go.
func claimSession() (release func(), err error) {
	name, _ := windows.UTF16PtrFromString(`Local\app.clearance.Tray`)
	h, err := windows.CreateMutex(nil, false, name)
	if errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		if h != 0 {
			windows.CloseHandle(h)
		}
		return nil, ErrAlreadyRunning
	}
	if err != nil {
		return nil, fmt.Errorf("create the tray's session mutex: %w", err)
	}
	return func() { windows.CloseHandle(h) }, nil
}
