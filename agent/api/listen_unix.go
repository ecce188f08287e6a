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
	if err := removeStale(path); err != nil {
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

// removeStale removes a socket at path that nothing answers on. Anything
// else there (a live agent, a file that is not a socket) is left alone.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look at %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket; remove it by hand if it is not needed", path)
	}
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("another agent is already answering on %s", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%s exists and cannot be tested (%w); leaving it alone", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove the stale socket %s: %w", path, err)
	}
	return nil
}

// Dial connects to the agent's socket at addr (DefaultAddress when empty).
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	if addr == "" {
		addr = DefaultAddress
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", addr)
}
