// Package finding declares what a person can be told: every finding code
// (docs/contracts.md), with its severity, plain-language text and fixes, and the
// Finding value that checks produce. It decides nothing about when a finding
// is shown; that is the engine's and, later, the agent's health registry's job.
package finding

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Severity sets the tray icon and the exit status of `clearance check`.
type Severity string

const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Rank orders severities so that the worst can be picked.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// Code names a kind of problem. Codes are a public contract: never rename one.
type Code string

// Definition is the declared, static part of a finding.
type Definition struct {
	Code     Code
	Check    string   // the check that raises it
	Severity Severity // default; a check may raise or lower it per instance
	Title    string
	// Describe, when set, writes the title from the evidence ("The clock
	// is 92 seconds ahead"); Title is then what a person reads where there
	// is no evidence, such as a list of every finding.
	Describe func(evidence map[string]any) string
	Detail   string   // what it means for ChatGPT and what to do
	Fixes    []string // fix ids, in the order to try
	// DependsOn lists the findings whose presence explains this one away:
	// while one of them is raised, this one is hidden. They are references,
	// not names, so that a misspelt one does not compile.
	DependsOn []*Definition
	// ConfirmAfter is how long a new finding of this kind waits for a
	// second measurement before a person is told; 0 means the agent's
	// agent.confirm_after.
	ConfirmAfter time.Duration
	// Passive marks a finding that checking again soon would not change
	// (the agent's own configuration refused, public DNS switched on by
	// Clearance): it never makes the agent check more often.
	Passive bool
}

// Finding is one detected problem, the unit a person sees.
type Finding struct {
	ID       string         `json:"id"`
	Code     Code           `json:"code"`
	Severity Severity       `json:"severity"`
	Check    string         `json:"check"`
	Title    string         `json:"title"`
	Detail   string         `json:"detail"`
	Evidence map[string]any `json:"evidence"`
	Fixes    []string       `json:"fixes"`
	Since    time.Time      `json:"since"`

	// ExplainedBy names findings that, when present, explain this instance
	// away (for example a TLS date error is explained by clock-skew). It
	// adds to the definition's DependsOn and is not part of the output.
	ExplainedBy []*Definition `json:"-"`
}

var registry = map[Code]*Definition{}

// Register adds a definition. A duplicate code is a programming error.
func Register(d *Definition) *Definition {
	if _, dup := registry[d.Code]; dup {
		panic(fmt.Sprintf("finding: duplicate code %q", d.Code))
	}
	if d.Fixes == nil {
		d.Fixes = []string{}
	}
	registry[d.Code] = d
	return d
}

// Lookup returns the definition of a code, or nil.
func Lookup(c Code) *Definition { return registry[c] }

// All returns every definition, sorted by code.
func All() []*Definition {
	out := make([]*Definition, 0, len(registry))
	for _, d := range registry {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// New makes a finding from its definition. Its id is the code: one finding
// per code, with every affected host or source gathered in its evidence.
func (d *Definition) New(now time.Time, evidence map[string]any) Finding {
	if evidence == nil {
		evidence = map[string]any{}
	}
	title := d.Title
	if d.Describe != nil {
		title = d.Describe(evidence)
	}
	return Finding{
		ID:       string(d.Code),
		Code:     d.Code,
		Severity: d.Severity,
		Check:    d.Check,
		Title:    title,
		Detail:   d.Detail,
		Evidence: evidence,
		Fixes:    append([]string{}, d.Fixes...), // never null in JSON
		Since:    now.UTC(),
	}
}

// Hidden reports whether f is explained away by one of the present codes.
func Hidden(f Finding, present map[Code]bool) bool {
	var causes []*Definition
	if d := Lookup(f.Code); d != nil {
		causes = d.DependsOn
	}
	for _, c := range slices.Concat(causes, f.ExplainedBy) {
		if present[c.Code] && c.Code != f.Code {
			return true
		}
	}
	return false
}

// Worst returns the highest severity among fs, or "" when fs is empty.
func Worst(fs []Finding) Severity {
	var w Severity
	for _, f := range fs {
		if f.Severity.Rank() > w.Rank() {
			w = f.Severity
		}
	}
	return w
}
