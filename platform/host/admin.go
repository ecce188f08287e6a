package host

// IsAdmin reports whether this process may change the system: root on
// Linux and macOS, an elevated token (or SYSTEM) on Windows. Per OS:
// admin_unix.go, admin_windows.go.
func IsAdmin() bool { return isAdmin() }
