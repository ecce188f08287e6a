package api

import (
	"sync"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// Answers of the group database kept for the limits on checks and
// connections: a caller who floods them must not cost a lookup (a file
// read, or a round trip to a directory server) per request. Fixes ask
// afresh (see mayFix).
const (
	exemptFor      = 5 * time.Second // how long an answer is kept
	maxExemptUsers = 1024            // how many users' answers are kept
)

// exempt says whether c is spared the limits on checks and connections:
// the callers who may run fixes (see privileged). A uid's answer is kept
// for exemptFor.
func (h *Handler) exempt(c host.PeerCred) bool {
	if c.Admin || c.Interactive {
		return true
	}
	if c.SID != "" || c.UID < 0 {
		return false
	}
	now := h.cfg.Now()
	if ok, known := h.exempts.get(c.UID, now); known {
		return ok
	}
	ok, _, _ := h.privileged(c) // an unreadable database exempts nobody
	h.exempts.put(c.UID, ok, now)
	return ok
}

// exemptCache holds the group database's recent answers, by uid.
type exemptCache struct {
	mu sync.Mutex
	m  map[int]exemptAnswer
}

type exemptAnswer struct {
	exempt bool
	until  time.Time
}

func (c *exemptCache) get(uid int, now time.Time) (exempt, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.m[uid]
	if !ok || !now.Before(a.until) {
		return false, false
	}
	return a.exempt, true
}

// put keeps an answer given at now; when maxExemptUsers are kept, it first
// forgets the expired ones, and then, if need be, any one.
func (c *exemptCache) put(uid int, exempt bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int]exemptAnswer{}
	}
	if _, ok := c.m[uid]; !ok && len(c.m) >= maxExemptUsers {
		for k, a := range c.m {
			if !now.Before(a.until) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < maxExemptUsers {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[uid] = exemptAnswer{exempt, now.Add(exemptFor)}
}
