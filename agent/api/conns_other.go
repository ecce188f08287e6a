//go:build !unix

package api

import (
	"net"

	"github.com/clearance-app/clearance/platform/host"
)

// acceptCred cannot name the caller here: Windows lets a pipe server read
// its client's token only once it has read from the pipe, which the
// server does when the first request arrives. Connections are then only
// counted in all, not per user; each request is still authorized.
func acceptCred(net.Conn) (host.PeerCred, bool) { return host.PeerCred{}, false }

// fileLimit: Windows has no descriptor limit to keep under; maxConns
// bounds the connections.
func fileLimit() (int, bool) { return 0, false }
