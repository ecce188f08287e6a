package netstate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform"
)

// The parser's spelled-out numbers (netmon.go) must be the kernel's: each
// line fails to compile if one differs from x/sys.
var (
	_ = [1]struct{}{}[rsVersion-unix.RTM_VERSION]
	_ = [1]struct{}{}[rsAdd-unix.RTM_ADD]
	_ = [1]struct{}{}[rsDelete-unix.RTM_DELETE]
	_ = [1]struct{}{}[rsChange-unix.RTM_CHANGE]
	_ = [1]struct{}{}[rsNewAddr-unix.RTM_NEWADDR]
	_ = [1]struct{}{}[rsDelAddr-unix.RTM_DELADDR]
	_ = [1]struct{}{}[rsIfInfo-unix.RTM_IFINFO]
	_ = [1]struct{}{}[rsLLInfo-unix.RTF_LLINFO]
	_ = [1]struct{}{}[rsWasCloned-unix.RTF_WASCLONED]
	_ = [1]struct{}{}[rsRtMsghdrLen-unix.SizeofRtMsghdr]
	_ = [1]struct{}{}[rsIfaMsghdrLen-unix.SizeofIfaMsghdr]
	_ = [1]struct{}{}[rsIfMsghdrLen-unix.SizeofIfMsghdr]
)

// watchNetwork reads a PF_ROUTE socket, where the kernel writes a message
// for every change of addresses, interfaces and routes. The socket is
// non-blocking and wrapped with os.NewFile, so the reading goroutine parks
// in Go's netpoller (kqueue) until there is one.
func watchNetwork(ctx context.Context) (<-chan struct{}, error) {
	// No SOCK_CLOEXEC on macOS: hold ForkLock as package net does, so that
	// no child started meanwhile inherits the socket.
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("opening a route socket to watch the network: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("opening a route socket to watch the network: %w", err)
	}
	f := os.NewFile(uintptr(fd), "route-socket")
	return platform.WatchFile(ctx, f, 8<<10, make(chan struct{}, 1), func(b []byte, err error) (bool, error) {
		if errors.Is(err, unix.ENOBUFS) {
			// Messages were lost to a full socket buffer: a burst of changes.
			return true, nil
		}
		if err != nil {
			return false, err
		}
		indexes, err := routeSocketChanges(b)
		if err != nil {
			return true, nil // unparsed counts as a change
		}
		for _, i := range indexes {
			if !quietIndex(i) {
				return true, nil
			}
		}
		return false, nil
	}), nil
}

// quietIndex reports whether interface index i is a quiet interface. An
// index that no longer resolves (the interface just went away) is not.
func quietIndex(i uint16) bool {
	if i == 0 {
		return false
	}
	ifi, err := net.InterfaceByIndex(int(i))
	return err == nil && quietInterface(ifi.Name)
}
