package notify

// osascriptArgs is the argv that shows n on macOS. The title and body are
// passed as arguments to the script's run handler rather than spliced into
// its text, so no quoting of theirs can change what the script does.
func osascriptArgs(n Notification) []string {
	return []string{
		"-e", "on run argv",
		"-e", "display notification (item 2 of argv) with title (item 1 of argv)",
		"-e", "end run",
		n.Title, n.Body,
	}
}
