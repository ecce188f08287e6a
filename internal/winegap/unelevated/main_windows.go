package main

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: unelevated PROGRAM [ARG...]")
		os.Exit(2)
	}
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "unelevated:", err)
		os.Exit(2)
	}
	os.Exit(int(code))
}

// run starts argv with the limited token linked to this process's
// elevated one, and waits for it.
func run(argv []string) (uint32, error) {
	var self windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_QUERY|windows.TOKEN_DUPLICATE, &self); err != nil {
		return 0, fmt.Errorf("open this process's token: %w", err)
	}
	defer self.Close()
	linked, err := self.GetLinkedToken()
	if err != nil {
		return 0, fmt.Errorf("find the limited token: %w", err)
	}
	defer linked.Close()
	var limited windows.Token
	if err := windows.DuplicateTokenEx(linked, windows.MAXIMUM_ALLOWED, nil, windows.SecurityImpersonation, windows.TokenPrimary, &limited); err != nil {
		return 0, fmt.Errorf("copy the limited token: %w", err)
	}
	defer limited.Close()
	if limited.IsElevated() {
		return 0, fmt.Errorf("the linked token is elevated too")
	}
	cmdline, err := windows.UTF16PtrFromString(windows.ComposeCommandLine(argv))
	if err != nil {
		return 0, err
	}
	si := windows.StartupInfo{Cb: uint32(unsafe.Sizeof(windows.StartupInfo{}))}
	var pi windows.ProcessInformation
	if err := windows.CreateProcessAsUser(limited, nil, cmdline, nil, nil, true, 0, nil, nil, &si, &pi); err != nil {
		return 0, fmt.Errorf("start %s: %w", argv[0], err)
	}
	defer windows.CloseHandle(pi.Thread)
	defer windows.CloseHandle(pi.Process)
	if _, err := windows.WaitForSingleObject(pi.Process, windows.INFINITE); err != nil {
		return 0, err
	}
	var code uint32
	if err := windows.GetExitCodeProcess(pi.Process, &code); err != nil {
		return 0, err
	}
	return code, nil
}
