package netstate

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform"
)

// The parser's spelled-out numbers (netmon.go) must be the kernel's: each
// line fails to compile if one differs from x/sys.
var (
	_ = [1]struct{}{}[nlmsgNoop-unix.NLMSG_NOOP]
	_ = [1]struct{}{}[nlmsgError-unix.NLMSG_ERROR]
	_ = [1]struct{}{}[nlmsgDone-unix.NLMSG_DONE]
	_ = [1]struct{}{}[nlmsgOverrun-unix.NLMSG_OVERRUN]
	_ = [1]struct{}{}[nlmsgHdrLen-unix.SizeofNlMsghdr]
	_ = [1]struct{}{}[rtmNewLink-unix.RTM_NEWLINK]
	_ = [1]struct{}{}[rtmDelLink-unix.RTM_DELLINK]
	_ = [1]struct{}{}[rtmNewAddr-unix.RTM_NEWADDR]
	_ = [1]struct{}{}[rtmDelAddr-unix.RTM_DELADDR]
	_ = [1]struct{}{}[rtmNewRoute-unix.RTM_NEWROUTE]
	_ = [1]struct{}{}[rtmDelRoute-unix.RTM_DELROUTE]
	_ = [1]struct{}{}[ifinfomsgLen-unix.SizeofIfInfomsg]
	_ = [1]struct{}{}[iflaWireless-unix.IFLA_WIRELESS]
	_ = [1]struct{}{}[ifaddrmsgLen-unix.SizeofIfAddrmsg]
	_ = [1]struct{}{}[ifaAddress-unix.IFA_ADDRESS]
	_ = [1]struct{}{}[ifaLocal-unix.IFA_LOCAL]
	_ = [1]struct{}{}[ifaFlags-unix.IFA_FLAGS]
	_ = [1]struct{}{}[ifaUsableMask-(unix.IFA_F_OPTIMISTIC|unix.IFA_F_DADFAILED|unix.IFA_F_DEPRECATED|unix.IFA_F_TENTATIVE)]
	_ = [1]struct{}{}[rtmsgLen-unix.SizeofRtMsg]
	_ = [1]struct{}{}[rtTableLocal-unix.RT_TABLE_LOCAL]
)

// netlinkGroups are the rtnetlink multicast groups the watch joins: links,
// IPv4 and IPv6 addresses and routes. Neighbours (ARP) are left out: they
// change with traffic, not with the network.
const netlinkGroups = unix.RTMGRP_LINK |
	unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR |
	unix.RTMGRP_IPV4_ROUTE | unix.RTMGRP_IPV6_ROUTE

// watchNetwork reads rtnetlink notifications from a NETLINK_ROUTE socket.
// The socket is non-blocking and wrapped with os.NewFile, so the reading
// goroutine parks in Go's netpoller (epoll) until the kernel has a message.
func watchNetwork(ctx context.Context) (<-chan struct{}, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("opening a netlink socket to watch the network: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: netlinkGroups}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("subscribing to network changes over netlink: %w", err)
	}
	f := os.NewFile(uintptr(fd), "netlink-route")
	var nf netlinkFilter
	// Notifications fit a page (NLMSG_GOODSIZE); a larger buffer leaves room
	// for several in one read.
	return platform.WatchFile(ctx, f, 32<<10, make(chan struct{}, 1), func(b []byte, err error) (bool, error) {
		if errors.Is(err, unix.ENOBUFS) {
			// The socket's buffer overflowed and messages were lost: a burst
			// of changes, so report one and read on.
			return true, nil
		}
		if err != nil {
			return false, err
		}
		changed, err := nf.changed(b)
		// A message that cannot be parsed is counted as a change: a
		// needless re-check costs less than a missed one.
		return changed || err != nil, nil
	}), nil
}
