package installer

// logCommand: the agent logs to the Application Event Log under its
// service name (see agent/logging), read newest first.
func logCommand(_, lines string) []string {
	return []string{"wevtutil", "qe", "Application", "/q:*[System[Provider[@Name='" + ServiceName + "']]]", "/c:" + lines, "/rd:true", "/f:text"}
}
