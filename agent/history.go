package agent

import (
	"github.com/clearance-app/clearance/agent/api"
)

// historyLen is how many runs the agent remembers for /v1/history: a bug
// report's "what happened lately", at a fixed cost of a few KiB.
const historyLen = 20

// runHistory is a ring of the last historyLen run summaries. The zero
// value is ready to use; it is guarded by Agent.mu.
type runHistory struct {
	runs []api.RunSummary // len ≤ historyLen
	next int              // where the next run goes once runs is full
}

// add keeps r, dropping the oldest run when the ring is full.
func (h *runHistory) add(r api.RunSummary) {
	if h.runs == nil {
		h.runs = make([]api.RunSummary, 0, historyLen) // never grown past it
	}
	if len(h.runs) < historyLen {
		h.runs = append(h.runs, r)
		return
	}
	h.runs[h.next] = r
	h.next = (h.next + 1) % historyLen
}

// list returns the runs oldest first, in a slice of its own.
func (h *runHistory) list() []api.RunSummary {
	out := make([]api.RunSummary, 0, len(h.runs))
	out = append(out, h.runs[h.next:]...)
	return append(out, h.runs[:h.next]...)
}
