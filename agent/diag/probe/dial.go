package probe

import (
	"context"
	"net"
	"net/http/httptrace"
	"net/netip"
	"time"

	"github.com/clearance-app/clearance/agent/diag/lookup"
)

// fallbackDelay is how long the first address family has before the other
// is tried beside it: Go's dialer's default (RFC 6555, "Happy Eyeballs").
const fallbackDelay = 300 * time.Millisecond

// dialShared returns the transport's dialer. Within a run of the checks (a
// context carrying lookup.Shared) it takes the host's addresses from the
// run's lookup of d.Resolver's answers — one query per name per run,
// whichever check or probe asks first — and dials them itself; outside a
// run, and for an address, it is d.
//
// It keeps what Prober.Do relies on from Go's dialer: the lookup is traced
// (DNSStart, DNSDone) so that its time is the DNS phase and a request that
// ends while it is out failed at DNS; a failed lookup is the resolver's
// *net.DNSError; each connect is d's, traced as Go traces it; both address
// families are tried as Go tries them. With a proxy, the name dialled is
// the proxy's, and it is shared like any other.
func dialShared(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		shared := lookup.FromContext(ctx)
		host, port, err := net.SplitHostPort(addr)
		if shared == nil || err != nil {
			return d.DialContext(ctx, network, addr)
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return d.DialContext(ctx, network, addr) // nothing to look up
		}
		trace := httptrace.ContextClientTrace(ctx)
		if trace != nil && trace.DNSStart != nil {
			trace.DNSStart(httptrace.DNSStartInfo{Host: host})
		}
		a := shared.Of(d.Resolver).Lookup(ctx, host)
		if a.Err == nil && len(a.Addrs) == 0 {
			a.Err = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		if trace != nil && trace.DNSDone != nil {
			trace.DNSDone(httptrace.DNSDoneInfo{Addrs: a.Addrs, Err: a.Err})
		}
		if a.Err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: a.Err}
		}
		primaries, fallbacks := partition(network, a.Addrs)
		if len(primaries) == 0 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.AddrError{Err: "no suitable address found", Addr: host}}
		}
		return dialParallel(ctx, d, network, port, primaries, fallbacks)
	}
}

// partition splits the addresses network may use into the family of the
// first (in the resolver's order, which prefers what RFC 6724 prefers) and
// the other, as Go's dialer does.
func partition(network string, addrs []net.IPAddr) (primaries, fallbacks []net.IPAddr) {
	first := 0
	for _, a := range addrs {
		family := 6
		if a.IP.To4() != nil {
			family = 4
		}
		if (network == "tcp4" && family != 4) || (network == "tcp6" && family != 6) {
			continue
		}
		if first == 0 {
			first = family
		}
		if family == first {
			primaries = append(primaries, a)
		} else {
			fallbacks = append(fallbacks, a)
		}
	}
	return primaries, fallbacks
}

// dialParallel races the two families as Go's dialer does: the primaries
// first, the fallbacks fallbackDelay later or as soon as every primary has
// failed; the first connection wins, and the other is closed. When both
// fail, the primaries' error is the one returned.
func dialParallel(ctx context.Context, d *net.Dialer, network, port string, primaries, fallbacks []net.IPAddr) (net.Conn, error) {
	if len(fallbacks) == 0 {
		return dialSerial(ctx, d, network, port, primaries)
	}
	ctx, cancel := context.WithCancel(ctx) // ends the losing racer
	defer cancel()
	returned := make(chan struct{})
	defer close(returned)
	type result struct {
		conn    net.Conn
		err     error
		primary bool
	}
	results := make(chan result) // unbuffered: a racer that comes too late closes its own
	race := func(primary bool) {
		addrs := primaries
		if !primary {
			addrs = fallbacks
		}
		c, err := dialSerial(ctx, d, network, port, addrs)
		select {
		case results <- result{c, err, primary}:
		case <-returned:
			if c != nil {
				c.Close()
			}
		}
	}
	go race(true)
	timer := time.NewTimer(fallbackDelay)
	defer timer.Stop()
	var primaryErr, fallbackErr error
	for {
		select {
		case <-timer.C:
			go race(false)
		case r := <-results:
			if r.err == nil {
				return r.conn, nil
			}
			if r.primary {
				primaryErr = r.err
				if timer.Stop() { // the fallbacks were waiting: start them now
					timer.Reset(0)
				}
			} else {
				fallbackErr = r.err
			}
			if primaryErr != nil && fallbackErr != nil {
				return nil, primaryErr
			}
		}
	}
}

// dialSerial tries the addresses in turn and returns the first connection,
// or the first address's error (the most telling). There is no deadline to
// share among them: net/http dials with the request's values but not its
// deadline (a connection outlives the request that asked for it), as Go's
// own dialer does here; the request's deadline ends the wait for it.
func dialSerial(ctx context.Context, d *net.Dialer, network, port string, addrs []net.IPAddr) (net.Conn, error) {
	var firstErr error
	for _, a := range addrs {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}
