//go:build unix

package dnsfix

import (
	"io/fs"
	"syscall"
)

// ownedBySystem says root owns the file that fi describes.
func ownedBySystem(_ string, fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == 0
}
