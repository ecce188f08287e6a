package check

import (
	"encoding/json"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

// MarshalJSON writes the report in the shape docs/contracts.md gives
// `clearance check --json`, with durations in whole milliseconds.
func (r Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Version    int               `json:"version"`
		StartedAt  time.Time         `json:"started_at"`
		DurationMS int64             `json:"duration_ms"`
		Checks     []CheckReport     `json:"checks"`
		Findings   []finding.Finding `json:"findings"`
	}{r.Version, r.StartedAt, millis(r.Duration), r.Checks, r.Findings})
}

// MarshalJSON writes one check with its duration in milliseconds.
func (c CheckReport) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name       string         `json:"name"`
		Status     Status         `json:"status"`
		Summary    string         `json:"summary"`
		DurationMS int64          `json:"duration_ms"`
		Data       map[string]any `json:"data"`
	}{c.Name, c.Status, c.Summary, millis(c.Duration), c.Data})
}

func millis(d time.Duration) int64 { return d.Round(time.Millisecond).Milliseconds() }
