package api

import (
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// refusalLogEvery is how often one caller's refusals of one kind are
// logged at most.
const refusalLogEvery = time.Minute

// refusalLog logs refusals (a fix not allowed, a connection over the
// limit) without letting a caller fill the disk: per caller and kind, the
// first refusal is logged in full, and the rest within a minute only as a
// count, in one line when the minute is over. A caller who keeps going gets
// one line a minute.
type refusalLog struct {
	log *slog.Logger

	mu   sync.Mutex
	seen map[refusalKey]int // refusals not yet logged, while a minute runs
}

type refusalKey struct{ caller, what string }

func newRefusalLog(log *slog.Logger) *refusalLog {
	return &refusalLog{log: log, seen: map[refusalKey]int{}}
}

// note logs the refusal what of caller, with attrs, or counts it when the
// caller's last refusal of that kind was logged less than a minute ago.
func (l *refusalLog) note(caller, what string, attrs ...any) {
	k := refusalKey{caller, what}
	l.mu.Lock()
	if _, ok := l.seen[k]; ok {
		l.seen[k]++
		l.mu.Unlock()
		return
	}
	l.seen[k] = 0
	l.mu.Unlock()
	l.log.Warn(what, attrs...)
	time.AfterFunc(refusalLogEvery, func() { l.flush(k) })
}

// flush ends a minute: it logs how many refusals were left out, and starts
// another minute if there were any; otherwise it forgets the caller.
func (l *refusalLog) flush(k refusalKey) {
	l.mu.Lock()
	n := l.seen[k]
	if n == 0 {
		delete(l.seen, k)
		l.mu.Unlock()
		return
	}
	l.seen[k] = 0
	l.mu.Unlock()
	l.log.Warn(k.what, "caller", k.caller, "suppressed", n, "within", refusalLogEvery.String())
	time.AfterFunc(refusalLogEvery, func() { l.flush(k) })
}

// userKey names a caller's user, for counting: the user, not the process, so
// that a flood from many processes of one user counts as one.
func userKey(c host.PeerCred) string {
	if c.SID != "" {
		return c.SID
	}
	return "uid " + strconv.Itoa(c.UID)
}
