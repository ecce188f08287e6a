// Package check runs Clearance's diagnoses. Each check lives in its own file
// and returns data: a status, a summary, measured facts and findings. The
// engine runs them concurrently under one deadline, waits for declared
// dependencies, skips dependents when a dependency says they cannot run (the
// machine is offline), and hides findings explained by another finding.
// Checks never print and never change the system.
package check

import (
	"context"
	"log/slog"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
)

// Status is a check's outcome.
type Status string

const (
	Pass  Status = "pass"
	Warn  Status = "warn"
	Fail  Status = "fail"
	Skip  Status = "skip"
	Error Status = "error" // the check itself could not run; no verdict
)

// Result is what a check measured and concluded.
type Result struct {
	Status   Status
	Summary  string
	Data     map[string]any
	Findings []finding.Finding
	// Blocks, when set, is the reason every check that needs this one is
	// skipped (the network check sets it when the machine is offline).
	Blocks string
}

// Check is one diagnosis.
type Check struct {
	Name string
	// Needs names checks whose results this one waits for.
	Needs []string
	// Timeout returns this check's own time limit from the configuration.
	Timeout func(*config.Config) time.Duration
	Run     func(ctx context.Context, env *Env) Result
	// Local is set for a check that reads this machine's own state
	// (interfaces, routes) and answers in milliseconds: after a network
	// change the agent runs these first, so that what changed is shown
	// without waiting for probes across the new network to finish.
	Local bool
	// User is set for a check that reads a person's own settings (proxy
	// settings, browser profiles): the tray and a person's `clearance
	// check` run it; the agent, as root or SYSTEM, cannot see them and
	// never does.
	User bool
}

// Env is what checks may use. Everything reaching outside the process is
// here, so that tests can point it at loopback peers and a machine of
// their own.
type Env struct {
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// Probe makes HTTP requests, direct and without redirects.
	Probe *probe.Prober
	// Network names the network the machine is on now (networkID), so
	// that the prober's TLS sessions are offered only on the network they
	// were made on; each run asks it first. Nil leaves the sessions alone.
	Network func(context.Context) string
	// Lookup resolves names (the system resolver unless a test replaces
	// it). Within a run, checks see the run's shared lookups of it.
	Lookup Resolver
	// NTP is the NTP measurement client, shared so that servers are asked
	// no more than once per 64 s across runs.
	NTP NTPQuerier
	// Backoff holds off hosts that rate-limited earlier runs; nil for a
	// single run.
	Backoff *Backoff
	// Addrs remembers where probed hosts last answered, for the network
	// check's connects by address when no name resolves; nil remembers
	// nothing.
	Addrs *AddrMemory
	// Host is this machine's own state: interfaces, routes, processes, the
	// resolver, the time service, proxy settings, the environment.
	Host Host

	deps map[string]Result
	// procs is the run's one reading of the processes (processes.go).
	procs *processMemo
}

// Dep returns the result of a check named in Needs.
func (e *Env) Dep(name string) (Result, bool) {
	r, ok := e.deps[name]
	return r, ok
}

// skipped is a Result for a check that did not run.
func skipped(reason string) Result {
	return Result{Status: Skip, Summary: reason}
}

// NotSupported is the result of a check, or part of one, that has no
// implementation on this operating system yet: shown as a skip with the
// reason, never as a silent pass.
func NotSupported(what string) Result {
	return Result{Status: Skip, Summary: what + ": not supported on this operating system yet"}
}
