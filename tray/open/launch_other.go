//go:build !unix

package open

import "os/exec"

// detach has nothing to do here: a GUI program started on Windows has no
// console to share.
func detach(*exec.Cmd) {}
