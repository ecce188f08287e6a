//go:build unix

package installer

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// replaceableBy says who besides root could replace the program at path —
// by writing it, or by renaming it or a directory above it — or "". The
// service runs the program as root at every boot, so whoever can replace
// it can become root.
func replaceableBy(path string) string {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return ""
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return ""
		}
		if st.Uid != 0 {
			return fmt.Sprintf("%s, who owns %s", userName(st.Uid), p)
		}
		// A sticky directory (/tmp) lets others add entries but not
		// rename or remove root's.
		sticky := fi.IsDir() && fi.Mode()&fs.ModeSticky != 0
		switch {
		case fi.Mode().Perm()&0o002 != 0 && !sticky:
			return "anyone, since everyone may write to " + p
		case fi.Mode().Perm()&0o020 != 0 && st.Gid != 0 && !sticky:
			return fmt.Sprintf("the members of the group %s, which may write to %s", groupName(st.Gid), p)
		}
		if p == filepath.Dir(p) {
			return ""
		}
	}
}

func userName(uid uint32) string {
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
		return u.Username
	}
	return fmt.Sprintf("the user with id %d", uid)
}

func groupName(gid uint32) string {
	if g, err := user.LookupGroupId(strconv.FormatUint(uint64(gid), 10)); err == nil {
		return g.Name
	}
	return strconv.FormatUint(uint64(gid), 10)
}
