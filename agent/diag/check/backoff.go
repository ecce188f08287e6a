package check

import (
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/diag/probe"
)

// Backoff keeps the agent from asking again too soon of a host that
// rate-limited it: Cloudflare counts every request, and a watcher that
// keeps probing a 429 prolongs the very block it reports. Each rate-limited
// answer doubles the wait (from 30 s, up to an hour), and a Retry-After
// longer than that is honoured as asked. A host held off is not probed; its
// last verdict stands for it, with the wait that remains.
//
// `clearance check` runs once and needs none; the agent keeps one across
// runs. It is safe for concurrent use.
type Backoff struct {
	mu    sync.Mutex
	holds map[string]hold
}

type hold struct {
	until   time.Time
	strikes int
	last    probe.Verdict
}

const (
	backoffBase = 30 * time.Second
	backoffMax  = time.Hour
)

// NewBackoff returns an empty Backoff.
func NewBackoff() *Backoff { return &Backoff{holds: map[string]hold{}} }

// held returns the verdict that stands for host while it is held off at
// now, with RetryAfter set to the wait that remains.
func (b *Backoff) held(host string, now time.Time) (probe.Verdict, bool) {
	if b == nil {
		return probe.Verdict{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.holds[host]
	if !ok || !now.Before(h.until) {
		return probe.Verdict{}, false
	}
	v := h.last
	v.RetryAfter, v.HasRetryAfter = h.until.Sub(now).Round(time.Second), true
	v.Reason = "not asked again until " + h.until.UTC().Format(time.RFC3339) + ", as it rate-limited Clearance: " + h.last.Reason
	return v, true
}

// observe records host's answer at now: a rate limit starts or lengthens
// its hold; any other answer ends it.
func (b *Backoff) observe(host string, now time.Time, v probe.Verdict) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if v.Kind != probe.KindRateLimited {
		delete(b.holds, host)
		return
	}
	h := b.holds[host]
	h.strikes++
	wait := backoffMax
	if h.strikes <= 7 { // 30 s · 2^7 > an hour
		wait = min(backoffBase<<(h.strikes-1), backoffMax)
	}
	if v.HasRetryAfter && v.RetryAfter > wait {
		wait = v.RetryAfter
	}
	h.until, h.last = now.Add(wait), v
	b.holds[host] = h
}
