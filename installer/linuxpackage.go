package installer

// LinuxPackageFiles are the files the .deb and .rpm install besides the
// binary at exe: the XDG autostart entry of the tray.
func LinuxPackageFiles(exe string) []PackageFile {
	return []PackageFile{
		{Path: desktopEntryPath, Mode: 0o644, Content: desktopEntry(exe)},
	}
}
