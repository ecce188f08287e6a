package api

import (
	"sync"
	"time"
)

// checkGap is the least time between the runs that callers other than
// root and the fix group start. A full run opens a handful of outbound
// connections to the sites it probes: a local user asking in a loop must
// not make the machine look like an attacker to them, and get it
// rate-limited.
const checkGap = 10 * time.Second

// checkGaps spaces the runs that such callers ask for. A request inside the
// gap joins the one run queued for its end.
type checkGaps struct {
	mu     sync.Mutex
	last   time.Time // when the last run they asked for was started
	queued bool      // a run is set to start at last+checkGap
}

// now takes the run at now, when the gap since the last one is over and
// none is queued.
func (g *checkGaps) now(now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.queued || now.Before(g.last.Add(checkGap)) {
		return false
	}
	g.last = now
	return true
}

// queue returns when the run asked for at now starts, and sets run to be
// called then, unless it is already set.
func (g *checkGaps) queue(now time.Time, clock func() time.Time, run func()) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	at := g.last.Add(checkGap)
	if g.queued {
		return at
	}
	if !now.Before(at) { // the gap ended meanwhile
		g.last = now
		run()
		return now
	}
	g.queued = true
	time.AfterFunc(at.Sub(now), func() {
		g.mu.Lock()
		g.queued, g.last = false, clock()
		g.mu.Unlock()
		run()
	})
	return at
}
