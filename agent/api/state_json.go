package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
)

// UnmarshalJSON reads the state document MarshalJSON writes, so that a
// client decodes exactly what the agent serves: updated_at null is the zero
// time, and each check's duration_ms becomes its Duration (check.CheckReport
// writes milliseconds and has no decoder of its own). A document of another
// version is refused rather than half understood.
func (s *State) UnmarshalJSON(b []byte) error {
	var doc struct {
		Version   int               `json:"version"`
		UpdatedAt *time.Time        `json:"updated_at"`
		Checks    []checkJSON       `json:"checks"`
		Findings  []finding.Finding `json:"findings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	if doc.Version != StateVersion {
		return fmt.Errorf("the agent sent a state of version %d; this program reads version %d", doc.Version, StateVersion)
	}
	*s = State{Findings: doc.Findings}
	if doc.UpdatedAt != nil {
		s.UpdatedAt = *doc.UpdatedAt
	}
	for _, c := range doc.Checks {
		s.Checks = append(s.Checks, c.report())
	}
	return nil
}

// checkJSON is one entry of "checks" as check.CheckReport writes it.
type checkJSON struct {
	Name       string         `json:"name"`
	Status     check.Status   `json:"status"`
	Summary    string         `json:"summary"`
	DurationMS int64          `json:"duration_ms"`
	Data       map[string]any `json:"data"`
}

func (c checkJSON) report() check.CheckReport {
	return check.CheckReport{Name: c.Name, Status: c.Status, Summary: c.Summary,
		Duration: time.Duration(c.DurationMS) * time.Millisecond, Data: c.Data}
}
