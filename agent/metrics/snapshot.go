// Package metrics turns what the agent knows into the numbers fleet tools
// read: the Prometheus exposition format (served on an opt-in listener and
// written as a node_exporter textfile) and OTLP pushed to a collector (see
// the README, Metrics). Everything here reads a Snapshot taken after a run;
// nothing reaches back into the agent, and nothing here is on the path of
// `clearance check`.
package metrics

import "time"

// Snapshot is the agent's state as numbers, taken once after each run.
type Snapshot struct {
	// Version is the program's, for clearance_build_info.
	Version string
	// Findings are the visible findings, those a person is told of.
	Findings []Finding
	// Checks are the latest run of each check.
	Checks []Check
	// ClockOffset is the clock check's measured offset in seconds, as its
	// data's offset_seconds; nil when the last run could not measure it.
	ClockOffset *float64
	// Probes are the endpoints check's requests, one per host.
	Probes []Probe
	// FixRuns count the fixes run since the agent started, by outcome.
	FixRuns []FixRuns
	// Runs counts the runs completed since the agent started, full or of
	// some checks (a confirmation).
	Runs uint64
	// Started is when the agent started: where its counters (Runs,
	// FixRuns) count from.
	Started time.Time
}

// Finding is one visible finding.
type Finding struct {
	Code     string
	Severity string
}

// Check is one check's latest run.
type Check struct {
	Name     string
	Status   string
	Duration time.Duration
}

// Probe is one endpoint request's phases and answer; a phase not reached is
// zero, and HTTPStatus is zero when no answer came.
type Probe struct {
	Host                         string
	DNS, Connect, TLS, FirstByte time.Duration
	HTTPStatus                   int
}

// FixRuns is how many times one fix ended with one result ("ok", "failed",
// "refused", …).
type FixRuns struct {
	Fix, Result string
	Count       uint64
}
