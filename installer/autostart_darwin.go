package installer

// trayAutostart is a LaunchAgent, which launchd starts in each person's
// session; launchd ignores one that is writable by others than root, and
// fileEntry writes it 0644.
func trayAutostart(exe string) autostarter {
	return fileEntry{path: launchAgentPath, content: launchAgentPlist(exe)}
}
