//go:build !darwin && !windows

package installer

// trayAutostart is the XDG autostart entry, which GNOME, KDE, Xfce, MATE,
// Cinnamon and LXQt honour.
func trayAutostart(exe string) autostarter {
	return fileEntry{path: desktopEntryPath, content: desktopEntry(exe)}
}
