//go:build unix

package api

import (
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestListenModes(t *testing.T) {
	old := syscall.Umask(0o077) // the strictest an agent might start with
	defer syscall.Umask(old)
	path := filepath.Join(shortTempDir(t), "run", "agent.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("directory: %v %v, want 0755", fi.Mode(), err)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o666 {
		t.Fatalf("socket: %v %v, want a socket 0666", fi.Mode(), err)
	}
}

func TestListenReplacesOnlyStaleSockets(t *testing.T) {
	dir := shortTempDir(t)

	// A socket nobody answers on, as a crashed agent leaves it.
	stale := filepath.Join(dir, "stale.sock")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ul.SetUnlinkOnClose(false)
	ul.Close()
	ln, err := Listen(stale)
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	// A live one (the agent just started) is left alone.
	if _, err := Listen(stale); err == nil || !strings.Contains(err.Error(), "already answering") {
		t.Fatalf("over a live socket: %v", err)
	}
	c, err := net.Dial("unix", stale)
	if err != nil {
		t.Fatalf("the live socket was disturbed: %v", err)
	}
	c.Close()
	ln.Close()

	// Nor is a file that is not a socket.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("keep"), 0o644)
	if _, err := Listen(file); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("over a file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep" {
		t.Fatal("the file was touched")
	}
}

// The real group database: this process's user is in its primary group; a
// group that does not exist and a uid without an account are no error.
func TestLookupMember(t *testing.T) {
	u, err := user.Current()
	if err != nil {
		t.Skipf("no account for this uid: %v", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Skipf("no name for the primary group: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	if name, member, err := lookupMember(uid, g.Name); err != nil || !member || name != u.Username {
		t.Errorf("own primary group %s: %q %v %v", g.Name, name, member, err)
	}
	if name, member, err := lookupMember(uid, "clearance-no-such-group"); err != nil || member || name != u.Username {
		t.Errorf("missing group: %q %v %v", name, member, err)
	}
	if name, member, err := lookupMember(2147480001, g.Name); err != nil || member || name != "" {
		t.Errorf("uid without an account: %q %v %v", name, member, err)
	}
}
