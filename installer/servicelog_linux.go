package installer

// logCommand: under systemd, the agent's lines are in the journal (see
// agent/logging); elsewhere its output goes to the files the SysV and
// OpenRC scripts name (serviceLogFiles). --system: a person who may not
// read the system journal gets an error ("insufficient permissions"), so
// the report can ask for administrator rights; without it, journalctl
// shows the person's own journal, empty of the agent, and exits 0.
func logCommand(platform, lines string) []string {
	if platform == "linux-systemd" {
		return []string{"journalctl", "--system", "-u", ServiceName, "-n", lines, "--no-pager", "-o", "short-iso"}
	}
	return nil
}
