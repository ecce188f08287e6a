package probe

import (
	"crypto/tls"
	"time"

	"github.com/clearance-app/clearance/agent/diag/statefile"
)

// sessionFile is the layout of SessionCache.Path; its version changes when
// its meaning does.
type sessionFile struct {
	Version  int                     `json:"version"`
	Network  string                  `json:"network"`
	Sessions map[string]savedSession `json:"sessions"`
}

// savedSession is one session as crypto/tls exports it. State holds the
// session's secret and the server's verified chain: whoever can write the
// file decides which server a resumed connection trusts, and whoever can
// read it can pose as that server, hence statefile.LoadPrivate.
type savedSession struct {
	Made   time.Time `json:"made"`
	Ticket []byte    `json:"ticket"`
	State  []byte    `json:"state"` // tls.SessionState.Bytes
}

const sessionFileVersion = 1

// maxSessionFile bounds what Load reads: a session with a real chain is a
// few KiB, maxSessions of them in base64 well under this.
const maxSessionFile = 1 << 20

// Load replaces what the cache holds with the sessions kept at Path, if
// they were made on Network. Whatever it cannot use is nothing remembered,
// never an error, as a full handshake is all it costs: no file, a damaged
// or oversized one, one from another version or another network, one that
// is not private to this user (a link, someone else's, one others may
// read or write: statefile.LoadPrivate), a session crypto/tls cannot take
// back, one past its age. A cache kept in this process only loads nothing.
func (c *SessionCache) Load() {
	if c == nil || c.Path == "" || c.Network == "" {
		return
	}
	var f sessionFile
	found, err := statefile.LoadPrivate(c.Path, maxSessionFile, &f)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions, c.changed = map[string]session{}, false
	if err != nil || !found || f.Version != sessionFileVersion || f.Network != c.Network {
		return
	}
	for key, s := range f.Sessions {
		state, err := tls.ParseSessionState(s.State)
		if err != nil {
			continue
		}
		cs, err := tls.NewResumptionState(s.Ticket, state)
		if err != nil {
			continue
		}
		c.sessions[key] = session{state: cs, made: s.Made}
	}
	c.prune()
}

// Save writes the sessions to Path, with the Network they were made on,
// when they changed since Load: mode 0600, in one step, not fsynced
// (statefile.Save; a torn file reads as damaged, which costs a full
// handshake a host). A cache kept in this process only has nothing to do.
func (c *SessionCache) Save() error {
	if c == nil || c.Path == "" {
		return nil
	}
	c.mu.Lock()
	if !c.changed || c.Network == "" {
		c.mu.Unlock()
		return nil
	}
	c.prune()
	f := sessionFile{Version: sessionFileVersion, Network: c.Network, Sessions: map[string]savedSession{}}
	for key, s := range c.sessions {
		ticket, state, err := s.state.ResumptionState()
		if err != nil || state == nil {
			continue
		}
		b, err := state.Bytes()
		if err != nil {
			continue
		}
		f.Sessions[key] = savedSession{Made: s.made.UTC(), Ticket: ticket, State: b}
	}
	c.changed = false
	c.mu.Unlock()
	return statefile.Save(c.Path, f)
}
