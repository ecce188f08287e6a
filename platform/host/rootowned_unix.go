//go:build unix

package host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// maxLinks bounds the links followed on the way, as the kernel's ELOOP
// does.
const maxLinks = 40

func readRootOwned(path string) ([]byte, error) {
	real, err := walkRootOwned(path)
	if err != nil {
		return nil, err
	}
	// Nobody but root can change anything on the checked way, so the file
	// opened is the file checked; O_NOFOLLOW makes sure of the last step.
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: real, Err: errors.New("not a regular file")}
	}
	if err := checkEntry(real, fi); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// walkRootOwned checks every component of path from / down, following
// root's links, and returns the path without links.
func walkRootOwned(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	fi, err := os.Lstat("/")
	if err != nil {
		return "", err
	}
	if err := checkEntry("/", fi); err != nil {
		return "", err
	}
	cur, pending, links := "/", components(abs), 0
	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		if name == ".." { // from a link's target; cur has no links
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, name)
		fi, err := os.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if uid := ownerOf(fi); !trustedUID(uid) {
				return "", &UnsafePathError{Path: next, Problem: "is a link that belongs to " + userName(uid) + ", not " + trustedNames(),
					Fix: "name the file by its real path, or make root own the link: sudo chown -h root " + shellQuote(next)}
			}
			if links++; links > maxLinks {
				return "", &fs.PathError{Op: "open", Path: path, Err: syscall.ELOOP}
			}
			target, err := os.Readlink(next)
			if err != nil {
				return "", err
			}
			if filepath.IsAbs(target) {
				cur = "/"
			}
			pending = append(components(target), pending...)
			continue
		}
		if err := checkEntry(next, fi); err != nil {
			return "", err
		}
		if len(pending) > 0 && !fi.IsDir() {
			return "", &fs.PathError{Op: "open", Path: next, Err: syscall.ENOTDIR}
		}
		cur = next
	}
	return cur, nil
}

func components(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// checkEntry refuses a file or directory that is not root's, or that
// someone else may write.
func checkEntry(path string, fi fs.FileInfo) error {
	if uid := ownerOf(fi); !trustedUID(uid) {
		return &UnsafePathError{Path: path, Problem: "belongs to " + userName(uid) + ", not " + trustedNames(),
			Fix: "make it root's and writable only by root: sudo chown root " + shellQuote(path) + " && sudo chmod go-w " + shellQuote(path)}
	}
	perm := fi.Mode().Perm()
	switch {
	case perm&0o002 != 0 && fi.IsDir() && fi.Mode()&fs.ModeSticky != 0:
		return &UnsafePathError{Path: path, Problem: "is a shared directory that anyone may write to",
			Fix: "keep the file in a directory that only root can write, such as /etc/clearance"}
	case perm&0o002 != 0:
		return &UnsafePathError{Path: path, Problem: "may be written by anyone", Fix: "sudo chmod go-w " + shellQuote(path)}
	case perm&0o020 != 0:
		return &UnsafePathError{Path: path, Problem: "may be written by the members of the group " + groupName(groupOf(fi)),
			Fix: "sudo chmod go-w " + shellQuote(path)}
	}
	return nil
}

// mkdirRootOwned makes dir, root's (this process's) and 0755 whatever the
// umask: people read what it holds too (the configuration, by the tray and
// `clearance check`; a fix's result).
func mkdirRootOwned(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	return os.Chmod(dir, 0o755)
}

// restrictRootOwnedDir takes group and other write away from a directory
// that a trusted user owns, and reports whether it did.
func restrictRootOwnedDir(dir string, fi fs.FileInfo) (bool, error) {
	if !fi.IsDir() || !trustedUID(ownerOf(fi)) || fi.Mode().Perm()&0o022 == 0 {
		return false, nil
	}
	keep := fs.ModePerm | fs.ModeSticky | fs.ModeSetgid | fs.ModeSetuid
	if err := os.Chmod(dir, fi.Mode()&keep&^0o022); err != nil {
		return false, err
	}
	return true, nil
}

func ownedByRoot(_ string, fi fs.FileInfo) bool { return trustedUID(ownerOf(fi)) }

// trustedUID says whether uid stands for root: root itself, or this
// process's own user.
func trustedUID(uid uint32) bool { return uid == 0 || uid == uint32(os.Geteuid()) }

// trustedNames names the trusted users for a message: "root", or "root or
// the user alice" in a process that is not root.
func trustedNames() string {
	if euid := os.Geteuid(); euid != 0 {
		return "root or " + userName(uint32(euid))
	}
	return "root"
}

// ownerOf is the file's owner; an owner it cannot read counts as nobody's
// (the largest id), never as root.
func ownerOf(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return ^uint32(0)
}
func groupOf(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Gid
	}
	return 0
}

func userName(uid uint32) string {
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
		return "the user " + u.Username
	}
	return fmt.Sprintf("the user with id %d", uid)
}

func groupName(gid uint32) string {
	if g, err := user.LookupGroupId(strconv.FormatUint(uint64(gid), 10)); err == nil {
		return g.Name
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// shellQuote quotes p for a POSIX shell when it needs it ("Application
// Support").
func shellQuote(p string) string {
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@%") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
