package installer

// logCommand: the agent logs to the unified log through syslog (see
// agent/logging); what it wrote before that worked is in the plist's
// files (serviceLogFiles). The last hour is enough for a report, and
// `log show` over more can take minutes.
func logCommand(_, _ string) []string {
	return []string{"log", "show", "--last", "1h", "--style", "compact", "--predicate", `process == "` + ServiceName + `"`}
}
