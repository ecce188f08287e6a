package installer

import (
	"context"

	"github.com/clearance-app/clearance/platform"
)

// MacAppExecutable is where the macOS package installs the binary: inside
// the app bundle, which carries the tray's icon and LSUIElement (no Dock
// icon) and is what codesign and notarization seal. The agent and the
// tray both run it from there, so that there is one signed binary, in a
// folder only an administrator can change.
const MacAppExecutable = "/Applications/Clearance.app/Contents/MacOS/clearance"

// MacPackageFiles are the files the macOS package installs besides the app
// bundle, as `clearance install` writes them for the binary at
// MacAppExecutable with the default configuration file: the agent's
// LaunchDaemon and the tray's LaunchAgent.
func MacPackageFiles() []PackageFile {
	return []PackageFile{
		{Path: launchDaemonPath, Mode: 0o644, Content: launchDaemonPlist(Options{Executable: MacAppExecutable})},
		{Path: launchAgentPath, Mode: 0o644, Content: launchAgentPlist(MacAppExecutable)},
	}
}

// MacPackageID is the macOS package's identifier (pkgbuild --identifier),
// under which macOS keeps its receipt (pkgutil --pkgs).
const MacPackageID = "app.clearance.pkg"

// MacUninstallScript removes what the macOS package installed, as
// `clearance uninstall` would, and then the app and the receipt: macOS
// has no way to remove a package.
const MacUninstallScript = "/Applications/Clearance.app/Contents/Resources/uninstall.sh"

// macPackagedBy says whether the macOS package installed Clearance, from
// its receipt: pkgutil --pkg-info exits 0 when there is one, 1 when not.
// When pkgutil cannot tell, Clearance is taken as not packaged, so that
// `clearance uninstall` still works.
func macPackagedBy(ctx context.Context, run platform.Runner, op string) *PackagedError {
	if _, err := run.Run(ctx, "pkgutil", "--pkg-info", MacPackageID); err != nil {
		return nil
	}
	return &PackagedError{Op: op, Package: "the macOS package " + MacPackageID, Remove: "sudo " + MacUninstallScript}
}
