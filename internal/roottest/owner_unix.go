//go:build unix

package roottest

import (
	"io/fs"
	"syscall"
)

func ownedByRoot(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == 0
}
