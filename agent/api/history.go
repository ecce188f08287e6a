package api

import (
	"net/http"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
)

// HistoryVersion is the "version" of the history document.
const HistoryVersion = 1

// History is the answer to GET /v1/history: the agent's last runs, oldest
// first, as summaries. It holds nothing /v1/state has not shown already:
// each run's checks by name, status and summary, and the codes of the
// findings a person could see after it.
type History struct {
	Version int          `json:"version"`
	Runs    []RunSummary `json:"runs"`
}

// RunSummary is one run of some or all checks.
type RunSummary struct {
	At time.Time `json:"at"` // when the run ended
	// DurationMS is the longest of its checks' durations: they run side by
	// side, so the run took about as long as its slowest check.
	DurationMS int64          `json:"duration_ms"`
	Checks     []CheckSummary `json:"checks"`
	Findings   []finding.Code `json:"findings"` // the visible findings' codes after the run
}

// CheckSummary is one check of a run.
type CheckSummary struct {
	Name    string       `json:"name"`
	Status  check.Status `json:"status"`
	Summary string       `json:"summary"`
}

// HistorySource is a StateSource that also keeps its last runs. The
// history route answers from it; a source without one answers an empty
// list.
type HistorySource interface {
	History() []RunSummary
}

// history answers GET /v1/history. Reading is open to every local user, as
// for /v1/state, whose past answers are all it repeats.
func (h *Handler) history(w http.ResponseWriter, r *http.Request) {
	doc := History{Version: HistoryVersion, Runs: []RunSummary{}}
	if hs, ok := h.cfg.State.(HistorySource); ok {
		doc.Runs = check.NonNil(hs.History())
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, doc)
}
