//go:build unix

package host

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// mkdirAdmin creates path and its missing parents, writable only by their
// owner, this process's user (root when elevated).
func mkdirAdmin(path string) error { return os.MkdirAll(path, 0o755) }

// checkAdminDir checks that the opened directory belongs to this process's
// user (root when elevated) and that no group or other user may write in
// it, and lets everyone read it (a umask may have narrowed its mode).
func checkAdminDir(dir *os.Root) error {
	fi, err := dir.Stat(".")
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("its owner cannot be read")
	}
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return fmt.Errorf("it belongs to uid %d, not %d", st.Uid, euid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("others may write in it (mode %v)", fi.Mode().Perm())
	}
	if fi.Mode().Perm() != 0o755 {
		return dir.Chmod(".", 0o755)
	}
	return nil
}
