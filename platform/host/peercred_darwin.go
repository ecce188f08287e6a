package host

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// xucredVersion is XUCRED_VERSION of <sys/ucred.h>.
const xucredVersion = 0

// peerCred reads LOCAL_PEERCRED (the peer's effective uid and groups when
// it connected; the first group is its effective gid) and LOCAL_PEERPID.
func peerCred(c net.Conn) (PeerCred, error) {
	raw, err := unixSocket(c)
	if err != nil {
		return PeerCred{}, err
	}
	var xu *unix.Xucred
	var pid int
	var xerr, perr error
	if err := raw.Control(func(fd uintptr) {
		xu, xerr = unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
		pid, perr = unix.GetsockoptInt(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERPID)
	}); err != nil {
		return PeerCred{}, fmt.Errorf("peer credentials: %w", err)
	}
	if xerr != nil {
		return PeerCred{}, fmt.Errorf("peer credentials (LOCAL_PEERCRED): %w", xerr)
	}
	if xu.Version != xucredVersion {
		return PeerCred{}, fmt.Errorf("peer credentials: unknown xucred version %d", xu.Version)
	}
	cred := PeerCred{UID: int(xu.Uid), GID: -1, Admin: xu.Uid == 0}
	if xu.Ngroups > 0 {
		cred.GID = int(xu.Groups[0])
	}
	if perr == nil { // the pid only names the caller in logs
		cred.PID = pid
	}
	return cred, nil
}
