//go:build unix

package api

import (
	"net"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform/host"
)

// acceptCred names the caller of a connection just accepted: the kernel
// recorded it at connect, and the caller cannot change it afterwards, so
// it is final: the connection's requests are authorized as that caller.
func acceptCred(c net.Conn) (cred host.PeerCred, known, final bool) {
	cred, err := host.PeerCredOf(c)
	return cred, err == nil, true
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
