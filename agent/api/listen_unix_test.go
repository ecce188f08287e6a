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

func TestSecurityListenModes(t *testing.T) {
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

func TestSecurityListenReplacesOnlyStaleSockets(t *testing.T) {
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

// A directory that someone else owns, or may write to, would let them put
// their own socket in the agent's place: the agent refuses it, names what
// is wrong, and says how to make it safe. A link on the way is followed
// only when root (the agent's user) owns it.
func TestSecurityListenRefusesAnUnsafeDirectory(t *testing.T) {
	base := shortTempDir(t)

	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	wantListenRefused(t, filepath.Join(open, "agent.sock"), "the socket's directory "+open+" is not safe: "+open+" may be written by anyone", "sudo chmod go-w "+open)

	group := filepath.Join(base, "group")
	os.Mkdir(group, 0o755)
	os.Chmod(group, 0o775)
	wantListenRefused(t, filepath.Join(group, "agent.sock"), group+" may be written by the members of the group", "sudo chmod go-w "+group)

	good := filepath.Join(base, "good")
	os.Mkdir(good, 0o755)
	link := filepath.Join(base, "link")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	ln, err := Listen(filepath.Join(link, "agent.sock"))
	if err != nil {
		t.Fatalf("through the agent's own link: %v", err)
	}
	ln.Close()

	if os.Geteuid() == 0 {
		theirs := filepath.Join(base, "theirs")
		os.Mkdir(theirs, 0o755)
		if err := os.Chown(theirs, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		wantListenRefused(t, filepath.Join(theirs, "agent.sock"), theirs+" belongs to the user nobody, not root", "sudo chown root "+theirs)

		theirLink := filepath.Join(base, "their-link")
		if err := os.Symlink(good, theirLink); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(theirLink, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		wantListenRefused(t, filepath.Join(theirLink, "agent.sock"), theirLink+" is a link that belongs to the user nobody")
	}

	ln, err = Listen(filepath.Join(good, "agent.sock"))
	if err != nil {
		t.Fatalf("a directory of the agent's own, 0755: %v", err)
	}
	ln.Close()
}

// Only the directory above the socket's is open to others: its owner
// could rename the socket's directory away and put one of their own, with
// their own socket, in its place. The agent refuses before it makes
// anything; and it does not create a missing directory there either.
func TestSecurityListenRefusesAnOpenDirectoryAbove(t *testing.T) {
	base := shortTempDir(t)
	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	run := filepath.Join(open, "run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	wantListenRefused(t, filepath.Join(run, "agent.sock"), "the socket's directory "+run+" is not safe: "+open+" may be written by anyone")
	wantListenRefused(t, filepath.Join(open, "new", "agent.sock"), open+" may be written by anyone")
	if _, err := os.Lstat(filepath.Join(open, "new")); !os.IsNotExist(err) {
		t.Fatalf("a directory was made under %s: %v", open, err)
	}
}

func wantListenRefused(t *testing.T, path string, want ...string) {
	t.Helper()
	ln, err := Listen(path)
	if err == nil {
		ln.Close()
		t.Fatalf("Listen(%s) accepted the directory", path)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("Listen(%s): %v; want it to say %q", path, err, w)
		}
	}
	if _, err := os.Lstat(path); err == nil {
		t.Fatalf("a socket was made at %s", path)
	}
}
