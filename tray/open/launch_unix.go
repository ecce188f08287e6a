//go:build unix

package open

import (
	"os/exec"
	"syscall"
)

// detach puts the program in a session of its own.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
