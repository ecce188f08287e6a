//go:build unix

package platform

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

var keepEnv = keepClearanceVars

// ResetEnv gives this process ServiceEnv's environment by executing itself
// again with it (same pid, same arguments), so that nothing read from the
// environment before main — the Go runtime's GODEBUG, the dynamic loader's
// LD_ variables — survives either. It returns at once when the
// environment is already that one. Should the exec fail, it resets the
// environment in place, which every command the agent runs inherits, and
// says why.
func ResetEnv() error {
	want := ServiceEnv(os.Environ())
	if sameEnv(os.Environ(), want) {
		return nil
	}
	exe, err := os.Executable()
	if err == nil {
		err = syscall.Exec(exe, os.Args, want)
	}
	setEnv(want)
	return fmt.Errorf("start again with the service's environment (reset in place instead): %w", err)
}

// setEnv replaces this process's environment with env.
func setEnv(env []string) {
	os.Clearenv()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
}
