//go:build unix && !linux

package api

import (
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// chmodSocket sets the mode of the socket at path without following a link
// there (AT_SYMLINK_NOFOLLOW: a link would get the mode, not what it points
// to), then makes sure what got it is a socket.
func chmodSocket(path string, mode uint32) error {
	if err := unix.Fchmodat(unix.AT_FDCWD, path, mode, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("look at %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s is not the socket just made (%v); something replaced it", path, fi.Mode())
	}
	return nil
}
