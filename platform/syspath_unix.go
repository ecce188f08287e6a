//go:build unix && !darwin

package platform

// systemDirs are the FHS's directories of the system's programs: only root
// can write them. /usr/local is left out: it is the administrator's, and on
// some systems a group's (Debian's staff).
func systemDirs() []string { return []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"} }
