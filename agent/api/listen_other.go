//go:build !unix && !windows

package api

import (
	"context"
	"net"

	"github.com/clearance-app/clearance/platform"
)

// Listen has no implementation here: there is no local socket to offer.
func Listen(string) (net.Listener, error) { return nil, platform.ErrNotSupported }

// Dial has no implementation here.
func Dial(context.Context, string) (net.Conn, error) { return nil, platform.ErrNotSupported }
