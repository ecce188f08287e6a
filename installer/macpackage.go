package installer

// MacAppExecutable is where the macOS package installs the binary: inside
// the app bundle, which carries the tray's icon and LSUIElement (no Dock
// icon) and is what codesign and notarization seal. The agent and the
// tray both run it from there, so that there is one signed binary, in a
// folder only an administrator can change.
const MacAppExecutable = "/Applications/Clearance.app/Contents/MacOS/clearance"

// MacPackageFiles are the files the macOS package installs besides the app
// bundle, as `clearance install` writes them for the binary at exe: the
// agent's LaunchDaemon and the tray's LaunchAgent.
func MacPackageFiles(exe string) []PackageFile {
	return []PackageFile{
		{Path: launchDaemonPath, Mode: 0o644, Content: launchDaemonPlist(exe, serviceArgs(Options{}))},
		{Path: launchAgentPath, Mode: 0o644, Content: launchAgentPlist(exe)},
	}
}
