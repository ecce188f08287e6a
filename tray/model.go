package tray

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/assets"
)

// mode is where the tray's machine state comes from.
type mode int

const (
	modeConnecting  mode = iota // started; the agent has not answered yet
	modeRemote                  // following the agent's event stream
	modeUnreachable             // the agent stopped answering; reconnecting
	modeStandalone              // no agent: the in-process one runs the checks
)

// model is everything the menu, icon and alerts are drawn from. The app
// holds one under its lock; the functions below only read it.
type model struct {
	mode   mode
	agent  api.State                // the latest state of the agent or the in-process one
	fixes  map[string]api.FixStatus // by id; empty when not known
	user   []finding.Finding        // confirmed findings of the user checks
	browse *finding.Finding         // browser-side-block, raised by the person's report

	busy     string // the fix running now, "" when none
	checking bool   // "ChatGPT shows an error…" is checking
	note     string // the outcome of the last action, for a person; one line per menu entry
	confirm  string // the fix (or restoreCookiesKey) waiting for its confirming click

	cookieJob      string    // what the tray is doing to the browser cookies now, "" when nothing
	cookiesSaved   time.Time // when Clearance last backed up cleared cookies; zero when never
	newWindowUntil time.Time // until when a DNS fix's "Open ChatGPT in a new window" is offered

	settings  Settings
	autostart autostartState
	version   string
}

// autostartState is the "Start at login" checkbox.
type autostartState struct {
	known bool // false when it could not be read
	on    bool
}

// live reports whether the model holds a machine state worth showing.
func (m *model) live() bool { return m.mode == modeRemote || m.mode == modeStandalone }

// visible returns the findings a person sees, worst first, then by code:
// the agent's (while it answers), the user checks', and the one the person
// raised. A code reported by the tray itself replaces the agent's.
func (m *model) visible() []finding.Finding {
	byCode := map[finding.Code]finding.Finding{}
	if m.live() {
		for _, f := range m.agent.Findings {
			byCode[f.Code] = f
		}
	}
	for _, f := range m.user {
		byCode[f.Code] = f
	}
	if m.browse != nil {
		byCode[m.browse.Code] = *m.browse
	}
	out := make([]finding.Finding, 0, len(byCode))
	for _, f := range byCode {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := out[i].Severity.Rank(), out[j].Severity.Rank(); ri != rj {
			return ri > rj
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// checked reports whether a first run of the checks has ended.
func (m *model) checked() bool { return m.live() && !m.agent.UpdatedAt.IsZero() }

// icon is grey while nothing is known, else the worst visible severity.
func (m *model) icon() assets.IconState {
	if !m.checked() {
		return assets.IconUnknown
	}
	switch finding.Worst(m.visible()) {
	case finding.Critical:
		return assets.IconCritical
	case finding.Warning:
		return assets.IconWarning
	}
	return assets.IconClear
}

// problems counts the visible findings of warning and above.
func problems(fs []finding.Finding) (total, critical int) {
	for _, f := range fs {
		switch f.Severity {
		case finding.Critical:
			critical++
			total++
		case finding.Warning:
			total++
		}
	}
	return total, critical
}

// status is the first line of the menu: what a person needs to know.
func (m *model) status(now time.Time) string {
	switch {
	case m.mode == modeConnecting:
		return "Starting: looking for the Clearance service…"
	case m.mode == modeUnreachable:
		return "The Clearance service is not answering; reconnecting…"
	case !m.checked():
		return "First check running…"
	}
	total, critical := problems(m.visible())
	switch {
	case total == 0:
		return "ChatGPT's path is clear (checked " + clock(m.agent.UpdatedAt, now) + ")"
	case critical == total:
		return plural(total, "problem blocks", "problems block") + " ChatGPT"
	case critical > 0:
		return fmt.Sprintf("%s (%d critical)", plural(total, "problem found", "problems found"), critical)
	}
	return plural(total, "warning", "warnings")
}

// tooltip sums the state up for the icon: the status and the worst titles.
func (m *model) tooltip(now time.Time) string {
	lines := []string{"Clearance: " + m.status(now)}
	n := 0
	for _, f := range m.visible() {
		if f.Severity.Rank() < finding.Warning.Rank() {
			continue
		}
		if n == 3 {
			lines = append(lines, "…")
			break
		}
		lines = append(lines, "• "+f.Title)
		n++
	}
	return strings.Join(lines, "\n")
}

// clock shows a time of day, with the date when it is not today.
func clock(t, now time.Time) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("2 Jan 15:04")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
