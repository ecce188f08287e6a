package metrics

import (
	"slices"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
)

// FromState takes a Snapshot of the agent's state as it serves it: the
// visible findings, each check's latest run, the clock check's offset and
// the endpoints check's requests. Two URLs on one host (a path each) give
// one probe, the first: a host is the label, and a label set is one
// series. fixRuns and runs are the agent's counts since it started.
func FromState(st api.State, version string, fixRuns []FixRuns, runs uint64) Snapshot {
	s := Snapshot{Version: version, FixRuns: slices.Clone(fixRuns), Runs: runs}
	for _, f := range st.Findings {
		s.Findings = append(s.Findings, Finding{Code: string(f.Code), Severity: string(f.Severity)})
	}
	for _, r := range st.Checks {
		s.Checks = append(s.Checks, Check{Name: r.Name, Status: string(r.Status), Duration: r.Duration})
		switch r.Name {
		case "clock":
			if off, ok := check.ClockOffset(r); ok {
				s.ClockOffset = &off
			}
		case "endpoints":
			for _, p := range check.EndpointProbes(r) {
				if slices.ContainsFunc(s.Probes, func(q Probe) bool { return q.Host == p.Host }) {
					continue
				}
				s.Probes = append(s.Probes, Probe{
					Host: p.Host, DNS: p.Phases.DNS, Connect: p.Phases.Connect, TLS: p.Phases.TLS,
					FirstByte: p.Phases.FirstByte, HTTPStatus: p.Status,
				})
			}
		}
	}
	return s
}
