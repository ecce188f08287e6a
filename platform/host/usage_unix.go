//go:build linux || darwin

package host

import "os"

// countFDs counts the entries of a directory that lists this process's
// descriptors, less the one it is read through.
func countFDs(dir string) (int, bool) {
	f, err := os.Open(dir)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0, false
	}
	return len(names) - 1, true
}
