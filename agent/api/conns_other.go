//go:build !unix && !windows

package api

import (
	"net"

	"github.com/clearance-app/clearance/platform/host"
)

// acceptCred: there is no local socket here (see listen_other.go).
func acceptCred(net.Conn) (cred host.PeerCred, known, final bool) {
	return host.PeerCred{}, false, false
}

// fileLimit: no descriptor limit to keep under; maxConns bounds the
// connections.
func fileLimit() (int, bool) { return 0, false }
