//go:build unix

package netstate

import "os"

// isExecutableFile says whether p is a regular file someone may run.
func isExecutableFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
