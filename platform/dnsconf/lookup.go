package dnsconf

import (
	"context"
	"net"
	"time"
)

// dnsTryTimeout bounds one DNS exchange of Go's own resolver. Its default
// is resolv.conf's 5 s per attempt, longer than a check's whole time limit,
// so one lost UDP packet would end a lookup in a timeout instead of the
// resolver's next attempt: a false "DNS does not answer".
const dnsTryTimeout = 1500 * time.Millisecond

// SystemResolver returns the resolver that checks and probes use: the
// system's, with a per-attempt limit where Go resolves by itself.
func SystemResolver() *net.Resolver { return systemResolver() }

// goResolver is Go's own resolver (reading resolv.conf as usual) whose
// exchanges each end after dnsTryTimeout, so its retries happen in time.
func goResolver() *net.Resolver {
	var d net.Dialer
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, address)
			if err != nil {
				return nil, err
			}
			// The resolver frames a query as a datagram only when the conn
			// is a net.PacketConn: the wrapper must stay one for UDP.
			if uc, ok := c.(*net.UDPConn); ok {
				return tryUDPConn{uc}, nil
			}
			return tryConn{c}, nil
		},
	}
}

// tryConn and tryUDPConn shorten every deadline the resolver sets to
// dnsTryTimeout from now.
type (
	tryConn    struct{ net.Conn }
	tryUDPConn struct{ *net.UDPConn }
)

func (c tryConn) SetDeadline(t time.Time) error    { return c.Conn.SetDeadline(clampTry(t)) }
func (c tryUDPConn) SetDeadline(t time.Time) error { return c.UDPConn.SetDeadline(clampTry(t)) }

func clampTry(t time.Time) time.Time {
	if limit := time.Now().Add(dnsTryTimeout); t.IsZero() || t.After(limit) {
		return limit
	}
	return t
}
