package api

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// streamSendBuffer is the send buffer asked for an event stream's socket
// (the kernel doubles it): room for a state or two, but not the 208 KiB of
// the default, which a client that does not read could keep pinned for as
// long as it lingers, or fill with some 280 heartbeats before a write
// would block and the write timeout could notice.
const streamSendBuffer = 16 << 10

// prepareStream sets the stream's send buffer; a failure only leaves the
// default.
func prepareStream(c net.Conn) {
	if raw, ok := rawSocket(c); ok {
		raw.Control(func(fd uintptr) {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, streamSendBuffer)
		})
	}
}

// unread says whether what was written to c is not all read by its client
// yet (SIOCOUTQ: on a Unix socket, what the peer has not taken from its
// queue), and ok false when the kernel does not say.
func unread(c net.Conn) (pending, ok bool) {
	raw, ok := rawSocket(c)
	if !ok {
		return false, false
	}
	var n int
	var err error
	if cerr := raw.Control(func(fd uintptr) { n, err = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ) }); cerr != nil || err != nil {
		return false, false
	}
	return n > 0, true
}

// rawSocket is the socket under an accepted connection.
func rawSocket(c net.Conn) (syscall.RawConn, bool) {
	if lc, ok := c.(*limitedConn); ok {
		c = lc.Conn
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, false
	}
	raw, err := sc.SyscallConn()
	return raw, err == nil
}
