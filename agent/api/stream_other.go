//go:build !linux

package api

import "net"

// prepareStream leaves the connection as it is. On Windows the pipe has no
// output buffer (go-winio asks for none), so a write to a client that does
// not read waits for it, and the write timeout drops it at the next
// heartbeat; on macOS a write waits once the socket's 8 KiB of send space
// (net.local.stream.sendspace) is used up.
func prepareStream(net.Conn) {}

// unread: the OS does not say how much of a stream its client has read.
func unread(net.Conn) (pending, ok bool) { return false, false }
