package check

import (
	"encoding/json"
	"fmt"
	"math"
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

// checkReportJSON is one entry of "checks", the one wire shape a check's
// line has, written and read.
type checkReportJSON struct {
	Name       string         `json:"name"`
	Status     Status         `json:"status"`
	Summary    string         `json:"summary"`
	DurationMS int64          `json:"duration_ms"`
	Data       map[string]any `json:"data"`
}

// MarshalJSON writes one check with its duration in milliseconds.
func (c CheckReport) MarshalJSON() ([]byte, error) {
	return json.Marshal(checkReportJSON{c.Name, c.Status, c.Summary, millis(c.Duration), c.Data})
}

// UnmarshalJSON reads what MarshalJSON writes: a client of the agent's
// state gets the check back as the agent had it (its findings are served
// apart, in the state's "findings").
func (c *CheckReport) UnmarshalJSON(b []byte) error {
	var j checkReportJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	// A time.Duration holds ±292 years; more milliseconds than that would
	// wrap around into a duration nobody sent.
	if j.DurationMS > maxDurationMS || j.DurationMS < -maxDurationMS {
		return fmt.Errorf("check %q: duration_ms %d is out of range", j.Name, j.DurationMS)
	}
	*c = CheckReport{Name: j.Name, Status: j.Status, Summary: j.Summary,
		Duration: time.Duration(j.DurationMS) * time.Millisecond, Data: j.Data}
	return nil
}

// maxDurationMS is the most milliseconds a time.Duration holds.
const maxDurationMS = int64(math.MaxInt64 / time.Millisecond)

func millis(d time.Duration) int64 { return d.Round(time.Millisecond).Milliseconds() }
