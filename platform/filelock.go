package platform

// LockFile takes an exclusive lock on path (created, with its directory,
// if missing), waiting for another process that holds it, and returns the
// function that releases it. The lock dies with the process, so a crash
// leaves nothing stale. Per OS: filelock_unix.go, filelock_windows.go.
func LockFile(path string) (unlock func(), err error) { return lockFile(path) }
