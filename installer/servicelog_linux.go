package installer

// logCommand: under systemd, the agent's lines are in the journal (see
// agent/logging); elsewhere its output goes to the files the SysV and
// OpenRC scripts name (serviceLogFiles).
func logCommand(platform, lines string) []string {
	if platform == "linux-systemd" {
		return []string{"journalctl", "-u", ServiceName, "-n", lines, "--no-pager", "-o", "short-iso"}
	}
	return nil
}
