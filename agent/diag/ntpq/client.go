// Package ntpq measures this machine's clock against NTP servers politely,
// and turns NTP answers, HTTP Date headers and certificate dates into one
// offset. Its Client asks each server at most once per 64 s and obeys a
// kiss-of-death, across processes when given a Store; QueryAll asks the
// configured servers at once through it. Combine throws out servers that
// disagree with the majority, for measuring; StepQuorum is the stricter
// rule a caller that sets the clock must meet. It never sets the clock.
package ntpq

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beevik/ntp"
)

// MinInterval is the shortest time between two queries to one server: the
// NTP pool's rule, and Clearance's (docs/architecture.md, "How the checks
// judge").
const MinInterval = 64 * time.Second

// DefaultTimeout bounds one query when the context allows longer: an
// answer that has not come within it is not coming.
const DefaultTimeout = 5 * time.Second

// maxBackoff caps the interval a kiss-of-death can ask for: 2^17 s
// (36 h) is NTP's largest poll interval; a bigger one is a garbled packet.
const maxBackoff = 1 << 17 * time.Second

// refusedBackoff is how long a server that refuses us (DENY, RSTR) is left
// alone. RFC 5905 says to stop asking it; a day lets a fixed server back in
// for an agent that runs for weeks.
const refusedBackoff = 24 * time.Hour

// Client queries NTP servers. It is safe for concurrent use; keep one for
// the life of the process so that its memory of servers keeps us polite.
// The zero value is ready to use.
type Client struct {
	// Now is the clock that times the cache and backoffs; default time.Now.
	Now func() time.Time
	// SystemTime is the local clock being measured (beevik's
	// GetSystemTime); default the system clock.
	SystemTime func() time.Time
	// Timeout is the longest wait for one answer, shortened by the
	// context's deadline; default DefaultTimeout.
	Timeout time.Duration
	// Resolver resolves server names; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Store, when set, shares the client's memory with the user's other
	// processes: a server any of them asked less than MinInterval ago is
	// not asked again, and a kiss-of-death outlives the process. Nil keeps
	// the memory in this process. Its errors are not returned: a store
	// that cannot be read or written costs politeness, never the answer.
	Store Store

	mu      sync.Mutex
	servers map[string]*server

	// storeMu makes Load–change–Save one step within the process, so that
	// concurrent queries to different servers do not drop each other's
	// records.
	storeMu sync.Mutex
	// uptime reads the boot clock that tells a step of the wall clock
	// across processes; tests set it. Default: the OS's, unless Now is
	// injected (an injected wall clock has no boot clock to compare with).
	uptime func() (time.Duration, bool)
}

// server is what the client remembers about one server. turn lets one
// caller at a time ask it, so that concurrent checks share one query.
type server struct {
	turn  chan struct{}
	users int // callers between server() and release(); guarded by Client.mu

	// Guarded by turn.
	asked time.Time // when a datagram last went out to it; zero if never
	// askedWall is the measured clock (SystemTime) then: a step of that
	// clock since makes the answer stale.
	askedWall time.Time
	resp      *ntp.Response
	err       error
	backoff   time.Duration // from asked; non-zero after a kiss-of-death
}

// Query returns the server's answer, from memory when it was asked less
// than MinInterval ago (by this process, or another one sharing Store). A
// kiss-of-death is returned as a *KissError, also during the backoff it
// asks for. The answer is not validated: call Response.Validate (or
// FromResponse) before trusting it. Each caller gets its own copy.
func (c *Client) Query(ctx context.Context, addr string) (*ntp.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ntp query to %s not sent: %w", addr, err)
	}
	s := c.server(addr)
	defer c.release(s)
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("ntp query to %s not sent: %w", addr, ctx.Err())
	}
	defer func() { <-s.turn }()

	now, wall := c.now(), c.systemTime()
	if resp, err, ok := s.remembered(now, wall); ok {
		return copyOf(resp), err
	}
	up, upOK := c.bootClock()
	if resp, err, ok := c.recall(addr, now, up, upOK); ok {
		return resp, err
	}
	resp, sent, err := c.ask(ctx, addr)
	if !sent {
		// Nothing reached the wire (no route, no such name): the server was
		// not asked, so nothing to remember.
		return nil, err
	}
	s.asked, s.askedWall, s.resp, s.err, s.backoff = now, wall, resp, err, 0
	if resp != nil && resp.IsKissOfDeath() {
		kiss := kissOf(addr, resp, now)
		s.resp, s.err, s.backoff = nil, kiss, kiss.Until.Sub(now)
	}
	c.keep(addr, s.record(now, up, upOK), now, up, upOK)
	return copyOf(s.resp), s.err
}

// record is what the store keeps of the query that went out at now.
// Called while holding s.turn.
func (s *server) record(now time.Time, up time.Duration, upOK bool) Record {
	r := Record{Asked: now}
	if upOK {
		r.Uptime = up
	}
	var kiss *KissError
	switch {
	case errors.As(s.err, &kiss):
		r.Kiss = &KissOfDeath{Code: kiss.Code, Until: kiss.Until}
	case s.err != nil:
		r.Failure = Reason(s.err)
	case s.resp != nil:
		r.Answer = answerOf(s.resp)
	}
	return r
}

// recall returns the stored answer while the stored query holds the server
// off. A query whose time cannot be told (the wall clock puts it in the
// future) is taken as sent now, and stored so, for every process to hold
// off a full interval: conservative, and over within 64 s.
func (c *Client) recall(addr string, now time.Time, up time.Duration, upOK bool) (*ntp.Response, error, bool) {
	if c.Store == nil {
		return nil, nil, false
	}
	c.storeMu.Lock()
	defer c.storeMu.Unlock()
	recs, err := c.Store.Load()
	if err != nil {
		return nil, nil, false // unreadable or foreign: as if empty, replaced on the next save
	}
	r, ok := recs[addr]
	if !ok {
		return nil, nil, false
	}
	age, steady, known := r.age(now, up, upOK)
	if !known {
		pinned := Record{Asked: now}
		if upOK {
			pinned.Uptime = up
		}
		if r.Kiss != nil {
			pinned.Kiss = &KissOfDeath{Code: r.Kiss.Code, Until: now.Add(r.hold())}
		}
		recs[addr] = pinned
		prune(recs, now, up, upOK)
		c.Store.Save(recs) // best effort: a failure costs politeness only
		resp, err := pinned.remembered(addr, now, 0, false)
		return resp, err, true
	}
	if age >= r.hold() {
		return nil, nil, false
	}
	resp, err := r.remembered(addr, now, age, steady)
	return resp, err, true
}

// keep stores the record of a query that went out.
func (c *Client) keep(addr string, r Record, now time.Time, up time.Duration, upOK bool) {
	if c.Store == nil {
		return
	}
	c.storeMu.Lock()
	defer c.storeMu.Unlock()
	recs, err := c.Store.Load()
	if err != nil || recs == nil {
		recs = map[string]Record{} // a corrupt or foreign file is replaced
	}
	recs[addr] = r
	prune(recs, now, up, upOK)
	c.Store.Save(recs) // best effort: a failure costs politeness only
}

func (c *Client) bootClock() (time.Duration, bool) {
	switch {
	case c.uptime != nil:
		return c.uptime()
	case c.Now != nil:
		return 0, false
	}
	return sinceBoot()
}

// copyOf keeps the remembered answer safe from callers that modify theirs.
func copyOf(r *ntp.Response) *ntp.Response {
	if r == nil {
		return nil
	}
	c := *r
	return &c
}

// remembered returns the server's last answer while it may not be asked
// again. An answer from before the measured clock (wall, the reading of
// SystemTime now) was stepped, or the machine slept, describes a clock
// that no longer exists: it is not returned, and still the server is not
// asked before the interval is over (ErrClockChanged).
func (s *server) remembered(now, wall time.Time) (*ntp.Response, error, bool) {
	if s.asked.IsZero() {
		return nil, nil, false
	}
	elapsed := now.Sub(s.asked) // monotonic when both readings have it
	if s.backoff > 0 {
		if elapsed < s.backoff {
			return nil, s.err, true
		}
		return nil, nil, false
	}
	if elapsed >= MinInterval {
		return nil, nil, false
	}
	if clockStepped(wall.Round(0).Sub(s.askedWall.Round(0)), elapsed) {
		return nil, ErrClockChanged, true
	}
	return s.resp, s.err, true
}

// clockStepped reports whether the wall clock moved differently from the
// monotonic clock: a step (a time sync, a person setting the clock) or a
// suspend. Half a second of slew is not a step.
func clockStepped(wall, monotonic time.Duration) bool {
	d := wall - monotonic
	return d > 500*time.Millisecond || d < -500*time.Millisecond
}

// kissOf reads a kiss-of-death: RATE asks for at least MinInterval or the
// server's poll interval, whichever is longer; DENY and RSTR refuse us.
func kissOf(addr string, resp *ntp.Response, now time.Time) *KissError {
	wait := max(MinInterval, min(resp.Poll, maxBackoff))
	if resp.KissCode == "DENY" || resp.KissCode == "RSTR" {
		wait = max(wait, refusedBackoff)
	}
	return &KissError{Server: addr, Code: resp.KissCode, Until: now.Add(wait)}
}

func (c *Client) server(addr string) *server {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.servers == nil {
		c.servers = map[string]*server{}
	}
	c.forgetOld()
	s, ok := c.servers[addr]
	if !ok {
		s = &server{turn: make(chan struct{}, 1)}
		c.servers[addr] = s
	}
	s.users++
	return s
}

func (c *Client) release(s *server) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.users--
}

// forgetOld drops servers whose memory no longer matters (a server removed
// from the configuration), so the map stays as small as the server list.
// A server with callers is kept: a caller holding a forgotten entry would
// not see a newer one, and two queries could go out together. Called with
// c.mu held; with no users, nobody holds turn, so its fields may be read.
func (c *Client) forgetOld() {
	now := c.now()
	for addr, s := range c.servers {
		if s.users == 0 && (s.asked.IsZero() || now.Sub(s.asked) > max(s.backoff, MinInterval)) {
			delete(c.servers, addr)
		}
	}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// systemTime reads the clock being measured: SystemTime, else the clock
// that times the cache.
func (c *Client) systemTime() time.Time {
	if c.SystemTime != nil {
		return c.SystemTime()
	}
	return c.now()
}

// ask sends one query, bounded by ctx. sent reports whether a datagram
// went out, which is what politeness counts.
func (c *Client) ask(ctx context.Context, addr string) (resp *ntp.Response, sent bool, err error) {
	timeout := cmp.Or(c.Timeout, DefaultTimeout)
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	if timeout <= 0 {
		return nil, false, fmt.Errorf("ntp query to %s not sent: %w", addr, context.DeadlineExceeded)
	}
	var conn *watchedConn
	opts := ntp.QueryOptions{
		Timeout:       timeout,
		GetSystemTime: c.SystemTime,
		// Our own dialer, so that resolving the name honours ctx and a
		// cancelled ctx ends the wait at once (beevik/ntp takes no context).
		// It costs kernel receive timestamps: microseconds, irrelevant here.
		Dialer: func(_, remote string) (net.Conn, error) {
			d := net.Dialer{Resolver: c.Resolver}
			nc, err := d.DialContext(ctx, "udp", remote)
			if err != nil {
				return nil, err
			}
			conn = &watchedConn{Conn: nc, stop: context.AfterFunc(ctx, func() { nc.Close() })}
			return conn, nil
		},
	}
	resp, err = queryRecovering(addr, opts)
	if conn != nil {
		conn.stop()
		sent = conn.sent.Load()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, sent, fmt.Errorf("no answer from %s in time: %w", addr, ctx.Err())
		}
		return nil, sent, fmt.Errorf("ntp query to %s: %w", addr, err)
	}
	return resp, sent, nil
}

// watchedConn notes whether the query left the machine.
type watchedConn struct {
	net.Conn
	sent atomic.Bool
	stop func() bool
}

func (w *watchedConn) Write(b []byte) (int, error) {
	n, err := w.Conn.Write(b)
	if n > 0 {
		w.sent.Store(true)
	}
	return n, err
}

// queryRecovering is ntp.QueryWithOptions, with a panic in it turned into
// an error: beevik/ntp v1.6.0 panics ("negative shift amount") on an
// answer whose poll or precision is out of range, and an answer is what
// any server on the network chooses to send (found by FuzzNTPConsensus;
// its input is a seed in testdata/fuzz).
func queryRecovering(addr string, opts ntp.QueryOptions) (resp *ntp.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, fmt.Errorf("its answer could not be read (%v)", p)
		}
	}()
	return ntp.QueryWithOptions(addr, opts)
}
