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
)

// Listen opens the API's Unix socket at path (DefaultAddress when empty).
// A missing directory is created 0755; the socket is 0666 so that every
// local user can connect, and each request is then authorized by its
// caller's peer credentials. A socket left behind by an agent that died is
// replaced, but only when nothing answers on it.
func Listen(path string) (net.Listener, error) {
	if path == "" {
		path = DefaultAddress
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create the socket's directory: %w", err)
		}
		if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
			return nil, fmt.Errorf("open up the socket's directory: %w", err)
		}
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
