package platform

// systemDirs are launchd's default PATH: the sealed system volume's
// programs. /usr/local/bin is left out: Homebrew makes it the user's.
func systemDirs() []string { return []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin"} }
