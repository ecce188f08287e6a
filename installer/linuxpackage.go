package installer

import "github.com/clearance-app/clearance/platform"

// Where the .deb and .rpm put what `clearance install` writes elsewhere:
// a package's unit goes in the distribution's unit directory, so that an
// administrator's own in /etc/systemd/system still overrides it.
const (
	PackagedExecutable = "/usr/bin/clearance"
	packagedUnitPath   = "/usr/lib/systemd/system/" + ServiceName + ".service"
	// initScript is where the SysV, OpenRC, rcS and procd backends put
	// theirs, and where the packages put the SysV script.
	initScript = "/etc/init.d/" + ServiceName
)

// LinuxPackageFiles are the files the .deb and .rpm install besides the
// binary: the systemd unit, the SysV script for machines without systemd,
// and the tray's XDG autostart entry, for the binary at
// PackagedExecutable with the default configuration file, and Linux's
// environment for the service whatever system builds the package.
func LinuxPackageFiles() []PackageFile {
	d := linuxServiceDef(Options{Executable: PackagedExecutable})
	return []PackageFile{
		{Path: packagedUnitPath, Mode: 0o644, Content: d.render(systemdUnit)},
		{Path: initScript, Mode: 0o755, Content: d.render(sysvScript)},
		{Path: desktopEntryPath, Mode: 0o644, Content: desktopEntry(PackagedExecutable)},
	}
}

// linuxServiceDef is the service for Linux, with Linux's environment
// whatever system renders it.
func linuxServiceDef(o Options) serviceDef {
	return serviceDefWithEnv(o, unixServiceEnv(platform.UnixSystemPATH("linux")))
}
