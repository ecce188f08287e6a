package host

import (
	"fmt"
	"net"
)

// PeerCred is who is at the other end of a local connection, as the kernel
// (or, on Windows, the pipe client's token) says — never as the client says.
type PeerCred struct {
	// UID and GID are the caller's effective user and group at connect
	// time; -1 where the OS has no numeric ids (Windows).
	UID, GID int
	// PID is the calling process, 0 when the OS does not say.
	PID int
	// SID is the Windows user's security identifier, "" elsewhere.
	SID string
	// User names the Windows account (DOMAIN\name) for messages, "" elsewhere.
	User string
	// Admin: root; on Windows LocalSystem or an enabled (elevated) member
	// of BUILTIN\Administrators.
	Admin bool
	// Interactive: on Windows, the token carries the INTERACTIVE group (a
	// person signed in at this computer, on the console or by Remote
	// Desktop) at medium integrity or above. Always false elsewhere.
	Interactive bool
}

// String describes the caller for logs.
func (c PeerCred) String() string {
	if c.SID != "" {
		return fmt.Sprintf("%s (%s) pid %d", c.User, c.SID, c.PID)
	}
	return fmt.Sprintf("uid %d gid %d pid %d", c.UID, c.GID, c.PID)
}

// PeerCredOf returns the identity of the process at the other end of c: a
// *net.UnixConn (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS) or a
// go-winio named pipe on Windows. It returns ErrNotSupported elsewhere.
func PeerCredOf(c net.Conn) (PeerCred, error) {
	return peerCred(c)
}
