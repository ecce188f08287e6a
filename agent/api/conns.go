package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// Connection limits. Each connection costs the agent a file descriptor and
// some memory, and a local user must not be able to run it out of either:
// were it to, root could not even ask for /v1/health.
const (
	// maxConnsPerUser is how many connections one user (other than root
	// and administrators) may hold: a tray holds one or two.
	maxConnsPerUser = 64
	// reservedConns of the total are kept for root, administrators and
	// those who may run fixes, so that a crowd of other users cannot lock
	// them out.
	reservedConns = 32
	// maxConns bounds the total whatever the descriptor limit, for memory.
	maxConns = 1024
	// refuseTimeout bounds the refusal of a connection.
	refuseTimeout = time.Second
)

// unknownCaller is whom a connection is counted for when the OS could not
// name its caller at accept: together, as one user who may not fix.
const unknownCaller = "an unknown caller"

// connLimit is the most connections the agent holds at once: a quarter of
// the process's descriptors stay free for its own files, probes and
// watchers, and never more than maxConns.
func connLimit() int {
	n, ok := fileLimit()
	if !ok {
		return maxConns
	}
	return max(min(n-n/4, maxConns), reservedConns+1)
}

// connCounter counts the open connections, in all and per user.
type connCounter struct {
	total, perUser, reserved int

	mu     sync.Mutex
	open   int
	byUser map[string]int // by userKey
}

func newConnCounter(total, perUser int) *connCounter {
	return &connCounter{total: total, perUser: perUser, reserved: reservedConns, byUser: map[string]int{}}
}

// admit counts a new connection from cred, or says why it is refused. known
// says whether the OS named the caller at accept; a caller it could not
// name is counted with the others it could not, and never in the reserve.
// Root and administrators are bounded by the total only; every other user
// by maxConnsPerUser, and kept out of the reserve unless privileged says
// they may run fixes.
//
// privileged is asked only when the answer depends on it, and under the
// lock: admit runs on the accept loop alone, which waits for the answer
// anyway, and the answer is cached (see Handler.exempt).
func (c *connCounter) admit(cred host.PeerCred, known bool, privileged func() bool) (release func(), refused string) {
	key := unknownCaller
	if known {
		key = userKey(cred)
	}
	admin := known && cred.Admin
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.open >= c.total:
		return nil, fmt.Sprintf("the agent has too many connections open (%d); try again in a minute", c.open)
	case admin:
	case c.byUser[key] >= c.perUser:
		return nil, fmt.Sprintf("%s has %d connections open to the agent, the most one user may; close some (a script that does not end its requests?) and try again", key, c.byUser[key])
	case c.open >= c.total-c.reserved && (!known || !privileged()):
		return nil, fmt.Sprintf("the agent has too many connections open (%d); try again in a minute", c.open)
	}
	c.open++
	if admin {
		key = "" // not counted per user
	} else {
		c.byUser[key]++
	}
	var once sync.Once
	return func() { once.Do(func() { c.release(key) }) }, ""
}

func (c *connCounter) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open--
	if key != "" {
		if c.byUser[key]--; c.byUser[key] <= 0 {
			delete(c.byUser, key)
		}
	}
}

// limitListener refuses connections over the limits as they are accepted,
// before net/http gives them a goroutine and buffers, with a 503.
type limitListener struct {
	net.Listener
	h     *Handler
	count *connCounter
	// refusing holds a place for each refusal being written; when all are
	// taken, connections are closed without an answer.
	refusing chan struct{}
}

func newLimitListener(ln net.Listener, h *Handler, total, perUser int) *limitListener {
	return &limitListener{Listener: ln, h: h, count: newConnCounter(total, perUser), refusing: make(chan struct{}, maxRefusing)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		cred, known, final := acceptCred(c)
		release, refused := l.count.admit(cred, known, func() bool { return l.h.exempt(cred) })
		if refused == "" {
			return &limitedConn{Conn: c, cred: cred, known: known, final: final, release: release}, nil
		}
		who := unknownCaller
		if known {
			who = userKey(cred)
		}
		l.h.refusals.note(who, "connection refused", "caller", who, "err", refused)
		select {
		case l.refusing <- struct{}{}:
			go func() {
				defer func() { <-l.refusing }()
				refuse(c, refused)
			}()
		default:
			c.Close()
		}
	}
}

// maxRefusing bounds the refusals being written at once, and so the
// descriptors they hold.
const maxRefusing = 16

// refuse answers a connection that is not taken with 503 and the error
// shape of every answer, and closes it. It first reads the request's head,
// for at most refuseTimeout: a client still writing its request to a
// connection closed under it would see a broken pipe, not the answer.
func refuse(c net.Conn, msg string) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(refuseTimeout))
	br := bufio.NewReaderSize(c, 512)
	for n := 0; n < maxRefusedHead; {
		line, err := br.ReadSlice('\n')
		n += len(line)
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) || len(bytes.TrimSpace(line)) == 0 && err == nil {
			break // the end of the head, of the connection, or of the wait
		}
	}
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	c.SetWriteDeadline(time.Now().Add(refuseTimeout))
	fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"+
		"Retry-After: 60\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s\n", len(body)+1, body)
}

// maxRefusedHead is as much of a refused request as is read.
const maxRefusedHead = 32 << 10

// limitedConn is a connection the limits counted: closing it gives its
// place back. It carries the caller the OS named at accept, and whether
// that is also who its requests are authorized as (see acceptCred).
type limitedConn struct {
	net.Conn
	cred         host.PeerCred
	known, final bool
	release      func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// serveCtxKey keys, in a connection's context, the context it was accepted
// under, which ends when the server stops: an event stream outlives its
// request's context (see events).
type serveCtxKey struct{}

// serveContext returns the context the request's connection was accepted
// under, or ok false when ConnContext did not see it.
func serveContext(ctx context.Context) (context.Context, bool) {
	sc, ok := ctx.Value(serveCtxKey{}).(context.Context)
	return sc, ok
}
