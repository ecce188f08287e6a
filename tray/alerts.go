package tray

import (
	"slices"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

// alertKind says why a notification is due.
type alertKind int

const (
	alertNew       alertKind = iota // a warning or worse became visible
	alertEscalated                  // it was alerted, and is now worse
	alertResolved                   // it was alerted, and is gone
)

// alert is one notification the alert rules ask for.
type alert struct {
	kind    alertKind
	finding finding.Finding // for alertResolved, as last seen
}

// alerter applies the alert rules (docs/contracts.md) to the visible findings, one
// state at a time: one alert when a finding becomes visible, another only
// when its severity rises above every severity it was seen with, an
// optional notice when an alerted finding clears, and never one for an info
// finding. It is pure: no clock, no I/O; the caller sends the alerts.
type alerter struct {
	peak    map[string]finding.Severity // visible findings: the worst seen
	last    map[string]finding.Finding  // visible findings: as last seen
	alerted map[string]bool             // those a person was told about
}

func newAlerter() *alerter {
	return &alerter{peak: map[string]finding.Severity{}, last: map[string]finding.Finding{}, alerted: map[string]bool{}}
}

// update takes the findings visible now and returns the alerts due. While
// quiet (snoozed, or alerts off), findings are still recorded, so that the
// end of a snooze does not replay them; only a later escalation alerts.
// resolved asks for notices when alerted findings clear.
func (a *alerter) update(visible []finding.Finding, quiet, resolved bool) []alert {
	var out []alert
	now := make(map[string]bool, len(visible))
	for _, f := range visible {
		now[f.ID] = true
		a.last[f.ID] = f
		prev, seen := a.peak[f.ID]
		if seen && f.Severity.Rank() <= prev.Rank() {
			continue
		}
		a.peak[f.ID] = f.Severity
		if f.Severity.Rank() < finding.Warning.Rank() || quiet {
			continue
		}
		kind := alertNew
		if a.alerted[f.ID] {
			kind = alertEscalated
		}
		a.alerted[f.ID] = true
		out = append(out, alert{kind: kind, finding: f})
	}
	var gone []string
	for id := range a.peak {
		if !now[id] {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone) // a stable order for the notices
	for _, id := range gone {
		if resolved && a.alerted[id] && !quiet {
			out = append(out, alert{kind: alertResolved, finding: a.last[id]})
		}
		delete(a.peak, id)
		delete(a.last, id)
		delete(a.alerted, id)
	}
	return out
}
