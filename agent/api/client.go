package api

import (
	"context"
	"net"
	"net/http"
)

// BaseURL is what requests to the agent are addressed to; the host is a
// placeholder, the connection goes to the socket or pipe.
const BaseURL = "http://clearance"

// NewClient returns an HTTP client that talks to the agent at addr (a
// socket path or pipe name, DefaultAddress when empty). It sets no overall
// timeout, so that it can follow /v1/events; bound requests with a context.
func NewClient(addr string) *http.Client {
	if addr == "" {
		addr = DefaultAddress
	}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return Dial(ctx, addr)
		},
		MaxIdleConns: 2,
	}}
}
