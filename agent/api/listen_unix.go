//go:build unix

package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Listen opens the API's Unix socket at path (DefaultAddress when empty).
// A missing directory is created 0755; the socket is 0666 so that every
// local user can connect, and each request is then authorized by its
// caller's peer credentials. A socket left behind by an agent that died is
// replaced, but only when nothing answers on it.
//
// The directory must belong to the agent's user (root) and be writable by
// nobody else: whoever may write there could put their own socket in the
// agent's place, or a link where the agent sets the socket's mode.
func Listen(path string) (net.Listener, error) {
	if path == "" {
		path = DefaultAddress
	}
	if err := socketDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if _, err := RemoveStaleSocket(path); errors.Is(err, ErrSocketInUse) {
		return nil, fmt.Errorf("another agent is already answering on %s", path)
	} else if err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	afterBind(path)
	if err := chmodSocket(path, 0o666); err != nil {
		ln.Close()
		return nil, fmt.Errorf("let local users connect to %s: %w", path, err)
	}
	return ln, nil
}

// afterBind runs between bind and chmod: a test's chance to do what
// someone who could write to the directory might.
var afterBind = func(path string) {}

// socketDir makes dir, creating it 0755 when missing, and checks that it
// belongs to this process's user and that nobody else may write to it. It
// looks at the directory through a descriptor opened without following a
// link, so that what it checks (and sets) is what is there.
func socketDir(dir string) error {
	created := false
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create the socket's directory: %w", err)
		}
		created = true
	}
	f, err := os.OpenFile(dir, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("the socket's directory %s cannot be used (%w); it must be a directory, not a link", dir, err)
	}
	defer f.Close()
	if created {
		if err := f.Chmod(0o755); err != nil { // whatever the umask
			return fmt.Errorf("open up the socket's directory: %w", err)
		}
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("look at the socket's directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("look at the socket's directory %s: no owner", dir)
	}
	owner, chown := "root", "root" // the user the agent runs as, in words and for chown
	if euid := os.Geteuid(); euid != 0 {
		owner, chown = fmt.Sprintf("uid %d", euid), strconv.Itoa(euid)
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("the socket's directory %s belongs to uid %d, not %s, and its owner could put another socket in the agent's place; "+
			"remove it (the agent makes it again) or give it to %s: sudo chown %s %s && sudo chmod 755 %s",
			dir, st.Uid, owner, owner, chown, dir, dir)
	}
	if perm := fi.Mode().Perm(); perm&^0o755 != 0 {
		return fmt.Errorf("the socket's directory %s has mode %04o: users other than %s could put another socket in the agent's place; "+
			"make it 0755: sudo chmod 755 %s", dir, perm, owner, dir)
	}
	return nil
}

// ErrSocketInUse is RemoveStaleSocket's answer when an agent answers on
// the socket: it is not stale.
var ErrSocketInUse = errors.New("an agent is answering on it")

// RemoveStaleSocket removes the socket at path when nothing answers on it
// (an agent that died without cleaning up), and reports whether it did. A
// missing path is nothing to do; anything that is not a socket, or cannot
// be tested, is left alone with an error.
func RemoveStaleSocket(path string) (removed bool, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look at %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return false, fmt.Errorf("%s exists and is not a socket; remove it by hand if it is not needed", path)
	}
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err == nil {
		c.Close()
		return false, fmt.Errorf("%s: %w", path, ErrSocketInUse)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return false, fmt.Errorf("%s exists and cannot be tested (%w); leaving it alone", path, err)
	}
	if err := os.Remove(path); err != nil {
		return false, fmt.Errorf("remove the stale socket %s: %w", path, err)
	}
	return true, nil
}

// Dial connects to the agent's socket at addr (DefaultAddress when empty).
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	if addr == "" {
		addr = DefaultAddress
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", addr)
}
