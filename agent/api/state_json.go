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
// time, and each check is read by check.CheckReport's own decoder. A
// document of another version is refused rather than half understood.
func (s *State) UnmarshalJSON(b []byte) error {
	var doc struct {
		Version   int                 `json:"version"`
		UpdatedAt *time.Time          `json:"updated_at"`
		Checks    []check.CheckReport `json:"checks"`
		Findings  []finding.Finding   `json:"findings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	if doc.Version != StateVersion {
		return fmt.Errorf("the agent sent a state of version %d; this program reads version %d", doc.Version, StateVersion)
	}
	*s = State{Checks: doc.Checks, Findings: doc.Findings}
	if doc.UpdatedAt != nil {
		s.UpdatedAt = *doc.UpdatedAt
	}
	return nil
}
