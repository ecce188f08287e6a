//go:build unix

package host

import (
	"errors"
	"io"
	"os"
	"syscall"
)

func readPrivate(path string, limit int64) ([]byte, error) {
	// O_NOFOLLOW: a link in the file's place is refused, never followed;
	// O_NONBLOCK: a FIFO put there does not hang the open.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, notPrivate(path, "is a symbolic link")
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch euid := uint32(os.Geteuid()); {
	case !fi.Mode().IsRegular():
		return nil, notPrivate(path, "is not a regular file")
	case ownerOf(fi) != euid:
		return nil, notPrivate(path, "belongs to "+userName(ownerOf(fi))+", not "+userName(euid))
	case fi.Mode().Perm()&0o077 != 0:
		return nil, notPrivate(path, "may be read or written by others (mode "+fi.Mode().Perm().String()+")")
	}
	return io.ReadAll(io.LimitReader(f, limit+1))
}
