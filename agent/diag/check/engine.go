package check

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/lookup"
)

// Report is the outcome of one run: the data that `check` renders as text
// or JSON and that the agent serves.
type Report struct {
	Version   int               `json:"version"`
	StartedAt time.Time         `json:"started_at"`
	Duration  time.Duration     `json:"-"`
	Checks    []CheckReport     `json:"checks"`
	Findings  []finding.Finding `json:"findings"`
}

// CheckReport is one check's line in a report.
type CheckReport struct {
	Name     string         `json:"name"`
	Status   Status         `json:"status"`
	Summary  string         `json:"summary"`
	Duration time.Duration  `json:"-"`
	Data     map[string]any `json:"data"`
	// Findings are all the check reported, before any were hidden as
	// explained by others: the agent's health registry decides that itself,
	// across runs.
	Findings []finding.Finding `json:"-"`
}

// Run runs the checks concurrently under the configured deadline. Each waits
// for the checks it needs (those not selected run anyway, unreported, when
// needed), and the findings explained by other findings are dropped.
func Run(ctx context.Context, env Env, checks []Check) Report {
	return runWith(ctx, env, checks, all)
}

// runWith runs the selected checks; their dependencies are looked up among
// the selected ones first, then among available.
func runWith(ctx context.Context, env Env, checks, available []Check) Report {
	ownProbe := env.Probe == nil
	env.fillDefaults()
	env.procs = &processMemo{}
	if ownProbe {
		defer env.Probe.Close()
	}
	start := env.Now()
	deadline := env.Config.Check.Deadline.D()
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	// Each name is looked up once in the run, by whichever check or probe
	// asks first, and the answer shared (package lookup); the next run asks
	// again. Probes find the run's lookups in their context.
	shared := lookup.NewShared(ctx)
	ctx = lookup.NewContext(ctx, shared)
	env.Lookup = shared.Of(env.Lookup)
	// TLS sessions made on another network are not offered on this one,
	// whether or not a network watch has already said it changed.
	if env.Network != nil && env.Probe.Sessions != nil {
		env.Probe.Sessions.OnNetwork(env.Network(ctx))
	}

	torun := withDependencies(checks, available)
	// A check that ignores its context must not hang the report: past the
	// deadline and a short grace, every unfinished check is reported so.
	hardStop, stopHard := context.WithTimeout(context.Background(), deadline+deadlineGrace)
	defer stopHard()
	type outcome struct {
		res Result
		dur time.Duration
	}
	done := make(map[string]chan struct{}, len(torun))
	results := make(map[string]*outcome, len(torun))
	for _, c := range torun {
		done[c.Name] = make(chan struct{})
		results[c.Name] = &outcome{}
	}
	for _, c := range torun {
		go func() {
			defer close(done[c.Name])
			o := results[c.Name]
			deps := map[string]Result{}
			for _, n := range c.Needs {
				if done[n] == nil {
					o.res = Result{Status: Error, Summary: fmt.Sprintf("needs the unknown check %q", n)}
					return
				}
				select {
				case <-done[n]:
				case <-ctx.Done():
				}
				if ctx.Err() != nil { // whichever came first: too late to start
					o.res = skipped("not run: " + endOf(ctx))
					return
				}
				d := results[n].res
				if d.Blocks != "" {
					o.res = skipped(d.Blocks)
					return
				}
				deps[n] = d
			}
			t0 := time.Now()
			o.res = runOne(ctx, env, c, deps)
			o.dur = time.Since(t0)
		}()
	}

	// finished returns a check's outcome, or false once the hard stop has
	// passed without it (its goroutine still owns the outcome then).
	finished := func(name string) (*outcome, bool) {
		select {
		case <-done[name]:
			return results[name], true
		case <-hardStop.Done():
			select {
			case <-done[name]:
				return results[name], true
			default:
				return nil, false
			}
		}
	}
	rep := Report{Version: 1, StartedAt: start.UTC(), Checks: []CheckReport{}}
	present := map[finding.Code]bool{}
	var found []finding.Finding
	selected := map[string]bool{}
	for _, c := range checks {
		selected[c.Name] = true
		o, ok := finished(c.Name)
		if !ok {
			o = &outcome{res: Result{Status: Error, Summary: "did not finish within the deadline"}}
		}
		data := o.res.Data
		if data == nil {
			data = map[string]any{}
		}
		rep.Checks = append(rep.Checks, CheckReport{Name: c.Name, Status: o.res.Status, Summary: o.res.Summary, Duration: o.dur, Data: data, Findings: o.res.Findings})
		for _, f := range o.res.Findings {
			present[f.Code] = true
			found = append(found, f)
		}
	}
	// A dependency that was not selected but stopped a selected check (the
	// network, offline) explains the skip: its findings are reported too.
	for _, c := range torun {
		if selected[c.Name] {
			continue
		}
		if o, ok := finished(c.Name); ok && o.res.Blocks != "" {
			for _, f := range o.res.Findings {
				present[f.Code] = true
				found = append(found, f)
			}
		}
	}
	rep.Findings = []finding.Finding{}
	for _, f := range found {
		if !finding.Hidden(f, present) {
			rep.Findings = append(rep.Findings, f)
		}
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		return rep.Findings[i].Severity.Rank() > rep.Findings[j].Severity.Rank()
	})
	rep.Duration = env.Now().Sub(start)
	return rep
}

// endOf says why ctx ended, for a person.
func endOf(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.Canceled) {
		return "the run was interrupted"
	}
	return "the deadline passed first"
}

// deadlineGrace is how long past the deadline a check may take to notice
// its cancelled context before it is reported unfinished.
const deadlineGrace = 500 * time.Millisecond

// runOne runs a check under its own timeout. A panic in a check, or in a
// goroutine it started through group, is a bug; it becomes an error result
// rather than taking the whole report down.
func runOne(ctx context.Context, env Env, c Check, deps map[string]Result) (res Result) {
	if c.Timeout != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout(env.Config))
		defer cancel()
	}
	env.deps = deps
	env.Log = env.Log.With("check", c.Name)
	defer func() {
		if p := recover(); p != nil {
			stack, logged := debug.Stack(), false
			if gp, ok := p.(*goroutinePanic); ok { // raised again by group.Wait
				p, stack, logged = gp.value, gp.stack, gp.logged
			}
			if !logged {
				env.Log.Error("check panicked", "panic", p, "stack", string(stack))
			}
			res = Result{Status: Error, Summary: fmt.Sprintf("internal error: %v", p)}
		}
	}()
	res = c.Run(ctx, &env)
	if res.Status == "" {
		res.Status = statusOf(res.Findings)
	}
	return res
}

// statusOf derives a status from the worst finding.
func statusOf(fs []finding.Finding) Status {
	switch finding.Worst(fs) {
	case finding.Critical:
		return Fail
	case finding.Warning:
		return Warn
	}
	return Pass
}

// withDependencies adds, in order, the checks that selected ones need.
func withDependencies(selected, available []Check) []Check {
	have := map[string]bool{}
	var out []Check
	var add func(c Check)
	add = func(c Check) {
		if have[c.Name] {
			return
		}
		have[c.Name] = true
		for _, n := range c.Needs {
			if d, ok := find(selected, n); ok {
				add(d)
			} else if d, ok := find(available, n); ok {
				add(d)
			}
		}
		out = append(out, c)
	}
	for _, c := range selected {
		add(c)
	}
	return out
}

// ExitCode is check's exit status (docs/contracts.md): 1 when any finding is a warning or
// worse, else 0. (2, could not run, is decided before a report exists.)
func (r Report) ExitCode() int {
	if finding.Worst(r.Findings).Rank() >= finding.Warning.Rank() {
		return 1
	}
	return 0
}
