//go:build unix

package host

import (
	"fmt"
	"net"
	"syscall"

	"github.com/clearance-app/clearance/platform"
)

// unixSocket returns the socket of a Unix-domain connection: only there can
// the kernel name the peer.
func unixSocket(c net.Conn) (syscall.RawConn, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil, fmt.Errorf("peer credentials of a %T: %w", c, platform.ErrNotSupported)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("peer credentials: %w", err)
	}
	return raw, nil
}
