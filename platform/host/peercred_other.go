//go:build !linux && !darwin && !windows

package host

import "net"

// peerCred has no implementation here: without it no caller can be
// authorized, so the local API refuses everything.
func peerCred(net.Conn) (PeerCred, error) { return PeerCred{}, ErrNotSupported }
