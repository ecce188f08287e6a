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
	"syscall"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// Listen opens the API's Unix socket at path (DefaultAddress when empty).
// A missing directory is created 0755; the socket is 0666 so that every
// local user can connect, and each request is then authorized by its
// caller's peer credentials. A socket left behind by an agent that died is
// replaced, but only when nothing answers on it.
//
// The directory, and every directory above it, must be root's (the
// agent's user's) alone to change: whoever could write in one of them
// could rename the socket's directory away, or the socket, and put their
// own in its place, which the tray and `clearance fix` would then trust.
// Since nobody else can, the path still names the socket just bound when
// its mode is set, and a plain chmod will do.
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
	if err := os.Chmod(path, 0o666); err != nil {
		ln.Close()
		return nil, fmt.Errorf("let local users connect to %s: %w", path, err)
	}
	return ln, nil
}

// socketDir makes dir when it is missing, as host.MakeRootOwnedDir does,
// and checks that nobody but root could change it or a directory above it
// (host.CheckRootOwned). An existing directory is not changed: one that
// fails is an administrator's to put right, or to name another.
func socketDir(dir string) error {
	var err error
	if _, lerr := os.Lstat(dir); errors.Is(lerr, fs.ErrNotExist) {
		_, err = host.MakeRootOwnedDir(dir)
	} else {
		err = host.CheckRootOwned(dir)
	}
	if ue := (*host.UnsafePathError)(nil); errors.As(err, &ue) {
		return fmt.Errorf("the socket's directory %s is not safe: %s %s, and whoever can change it could put another socket in the agent's place (to fix it: %s)",
			dir, ue.Path, ue.Problem, ue.Fix)
	}
	if err != nil {
		return fmt.Errorf("prepare the socket's directory %s: %w", dir, err)
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
