package probe

import (
	"crypto/tls"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/diag/statefile"
)

// SessionCache remembers the TLS sessions of a Prober, so that the next
// connection to a host resumes one: a shorter handshake, with no
// certificate chain on the wire. A resumed session proves as much as a
// full handshake: only the server that issued it (or whoever holds its
// ticket keys) can resume it, and crypto/tls checks its remembered chain
// again against today's roots and clock first, so an interceptor or a
// wrong clock still shows as a refused certificate. Its zero value is
// ready, and kept in this process only; Path (sessionfile.go) keeps it
// between runs.
//
// It holds at most maxSessions hosts, each for at most sessionMaxAge, and
// Forget drops them all: a session made on one network is never offered on
// another, where it would tell an observer that this is the machine seen
// there before.
type SessionCache struct {
	// Path is the file that keeps the sessions between runs (Load, Save);
	// "" keeps them in this process only.
	Path string
	// Network names the network this run is on: the file's sessions are
	// used only on the network they were made on. "" (not known) keeps
	// them in this process only.
	Network string
	// Now dates the sessions; nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	gen      uint64 // Forget's count: a transport's view sees only its own
	sessions map[string]session
	changed  bool // since Load or Save
}

// session is one remembered session and when it was made.
type session struct {
	state *tls.ClientSessionState
	made  time.Time
}

const (
	// maxSessions: Clearance talks to a handful of hosts; the oldest
	// session goes first past this.
	maxSessions = 32
	// sessionMaxAge is how long a session is offered: a day, well within
	// the 7 days TLS 1.3 allows a ticket (RFC 8446, 4.6.1), which
	// SessionState does not tell; crypto/tls also drops one whose own
	// lifetime has passed.
	sessionMaxAge = 24 * time.Hour
)

// Forget drops every session: after a network change, neither a
// remembered session nor one still arriving on a connection from before
// the change (through a transport's view, forTransport) is offered again.
func (c *SessionCache) Forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.sessions = nil
	c.changed = true
}

// OnNetwork says which network the next connections are made on (a name
// such as check's networkName): when it is not the one the sessions were
// made on, they are forgotten, as by Forget. So a process that no network
// watch tells of a change — the tray, an agent whose watch failed — still
// offers no session on another network, and a file's sessions are used
// only where they were made.
func (c *SessionCache) OnNetwork(name string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Network == name {
		return
	}
	c.Network = name
	c.gen++
	c.sessions = nil
	c.changed = true
}

// forTransport is the tls.ClientSessionCache of one transport: it reads
// and writes the cache until the next Forget, and nothing after it. A nil
// cache gives none (a nil interface, not a nil pointer in one).
func (c *SessionCache) forTransport() tls.ClientSessionCache {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return sessionView{c: c, gen: c.gen}
}

type sessionView struct {
	c   *SessionCache
	gen uint64
}

// Get returns the session remembered for key (crypto/tls's: the server
// name), unless it is too old, or dated in the future (the clock was set
// back since: its age cannot be told).
func (v sessionView) Get(key string) (*tls.ClientSessionState, bool) {
	c := v.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if v.gen != c.gen {
		return nil, false
	}
	s, ok := c.sessions[key]
	if !ok {
		return nil, false
	}
	if age := c.now().Sub(s.made); age < 0 || age > sessionMaxAge {
		delete(c.sessions, key)
		c.changed = true
		return nil, false
	}
	return s.state, true
}

// Put remembers a session for key; a nil one forgets it (crypto/tls does
// that with a session the server refused).
func (v sessionView) Put(key string, cs *tls.ClientSessionState) {
	c := v.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if v.gen != c.gen {
		return
	}
	c.changed = true
	if cs == nil {
		delete(c.sessions, key)
		return
	}
	if c.sessions == nil {
		c.sessions = map[string]session{}
	}
	c.sessions[key] = session{state: cs, made: c.now()}
	c.prune()
}

// prune drops sessions past their age and, past maxSessions, the oldest.
// c.mu is held.
func (c *SessionCache) prune() {
	now := c.now()
	for key, s := range c.sessions {
		if age := now.Sub(s.made); age < 0 || age > sessionMaxAge {
			delete(c.sessions, key)
		}
	}
	statefile.Trim(c.sessions, maxSessions, func(s session) time.Time { return s.made })
}

func (c *SessionCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
