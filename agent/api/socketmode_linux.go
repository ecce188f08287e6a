package api

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// chmodSocket sets the mode of the socket at path without following a link
// there. Linux's chmod has no such flag before fchmodat2 (6.6), and a
// socket's own descriptor does not reach its file, so it opens the path
// itself (O_PATH, O_NOFOLLOW: a link would be the link), makes sure it is a
// socket, and changes the mode of exactly that file through its
// /proc/self/fd entry, as glibc does for fchmodat's AT_SYMLINK_NOFOLLOW.
func chmodSocket(path string, mode uint32) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("look at %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return fmt.Errorf("%s is not the socket just made (mode %o); something replaced it", path, st.Mode)
	}
	if err := unix.Chmod("/proc/self/fd/"+strconv.Itoa(fd), mode); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	return nil
}
