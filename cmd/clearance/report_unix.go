//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// hostsFile lists the machine's names with their aliases (its FQDN).
const hostsFile = "/etc/hosts"

// homeRoots hold people's home directories: /home on Linux and the BSDs,
// /Users on macOS. One that is not there lists nothing.
var homeRoots = []string{"/home", "/Users"}

// openLog opens a log file to read. O_NOFOLLOW: a link in its place is
// refused, never followed; O_NONBLOCK: a FIFO put there does not hang the
// open (tailFile then refuses it, as no regular file).
func openLog(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link, which the service never writes; left out", name)
	}
	return f, err
}

// giveToSudoUser gives f, which this process created, to the person who
// ran `clearance report` with administrator rights (SUDO_UID, SUDO_GID),
// so that they can read, move and delete their bundle. Without them, or
// with a SUDO_UID that is not a number, f stays the caller's.
func giveToSudoUser(f *os.File) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, err1 := strconv.Atoi(os.Getenv("SUDO_UID"))
	gid, err2 := strconv.Atoi(os.Getenv("SUDO_GID"))
	if err1 != nil || err2 != nil || uid <= 0 {
		return nil
	}
	if err := f.Chown(uid, gid); err != nil {
		return fmt.Errorf("give the bundle to uid %d, who asked for it: %w", uid, err)
	}
	return nil
}
