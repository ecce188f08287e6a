//go:build unix

package api

import (
	"net"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform/host"
)

// acceptCred names the caller of a connection just accepted: the kernel
// recorded it at connect.
func acceptCred(c net.Conn) (host.PeerCred, bool) {
	cred, err := host.PeerCredOf(c)
	return cred, err == nil
}

// fileLimit is the process's limit on open descriptors (Go raises the soft
// limit to the hard one at start).
func fileLimit() (int, bool) {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 0, false
	}
	return int(min(rl.Cur, 1<<30)), true
}
