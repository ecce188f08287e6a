//go:build unix

package host_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// nobodyUID owns the files of "another user" in these tests.
const nobodyUID = 65534

// needRootForOwners skips without root, which these tests need to own
// files as root and as another user; under CI (run as root) that is a
// failure.
func needRootForOwners(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("needs root to own files as root and as another user (mandatory in CI)")
	}
	t.Skip("needs root to own files as root and as another user")
}

// layout is base/conf/config.toml, all root's, 0755 and 0644.
func layout(t *testing.T) (base, dir, file string) {
	t.Helper()
	base = roottest.Dir(t)
	dir = filepath.Join(base, "conf")
	file = filepath.Join(dir, "config.toml")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("[clock]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // whatever the umask
	os.Chmod(file, 0o644)
	return base, dir, file
}

// wantUnsafe checks that err is an host.UnsafePathError about at, whose text
// has problem and fix.
func wantUnsafe(t *testing.T, err error, at, problem, fix string) {
	t.Helper()
	var ue *host.UnsafePathError
	if !errors.As(err, &ue) {
		t.Fatalf("err %v, want an host.UnsafePathError about %s", err, at)
	}
	if ue.Path != at || !strings.Contains(ue.Problem, problem) || !strings.Contains(ue.Fix, fix) {
		t.Fatalf("%+v\nwant path %s, problem with %q, fix with %q", ue, at, problem, fix)
	}
	if msg := err.Error(); !strings.Contains(msg, at) || !strings.Contains(msg, fix) {
		t.Fatalf("message %q does not name %s and say %q", msg, at, fix)
	}
}

func TestRootOwnedAcceptsRootsOwn(t *testing.T) {
	needRootForOwners(t)
	_, _, file := layout(t)
	b, err := host.ReadRootOwned(file)
	if err != nil || string(b) != "[clock]\n" {
		t.Fatalf("%q, %v", b, err)
	}
	if err := host.CheckRootOwned("/etc"); err != nil {
		t.Fatalf("/etc: %v", err)
	}
	if _, err := host.ReadRootOwned(filepath.Join(filepath.Dir(file), "none.toml")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file in a safe directory: %v, want fs.ErrNotExist", err)
	}
}

// Files and directories that another user owns or may write are refused,
// named, with the command that fixes them.
func TestSecurityRootOwnedRefusesWhatOthersCanChange(t *testing.T) {
	needRootForOwners(t)
	for _, c := range []struct {
		name     string
		spoil    func(dir, file string) error
		at       func(dir, file string) string
		problem  string
		fix      string
		fixIsCmd bool
	}{
		{"file 0666", func(d, f string) error { return os.Chmod(f, 0o666) }, pickFile, "may be written by anyone", "sudo chmod go-w ", true},
		{"file 0664", func(d, f string) error { return os.Chmod(f, 0o664) }, pickFile, "may be written by the members of the group", "sudo chmod go-w ", true},
		{"directory 0775", func(d, f string) error { return os.Chmod(d, 0o775) }, pickDir, "may be written by the members of the group", "sudo chmod go-w ", true},
		{"directory 0777", func(d, f string) error { return os.Chmod(d, 0o777) }, pickDir, "may be written by anyone", "sudo chmod go-w ", true},
		{"sticky directory 1777", func(d, f string) error { return os.Chmod(d, 0o777|fs.ModeSticky) }, pickDir, "shared directory that anyone may write to", "such as /etc/clearance", false},
		{"file of uid 65534", func(d, f string) error { return os.Chown(f, nobodyUID, nobodyUID) }, pickFile, "belongs to the user", "sudo chown root ", true},
		{"directory of uid 65534", func(d, f string) error { return os.Chown(d, nobodyUID, nobodyUID) }, pickDir, "belongs to the user", "sudo chown root ", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, dir, file := layout(t)
			if err := c.spoil(dir, file); err != nil {
				t.Fatal(err)
			}
			fix := c.fix
			if c.fixIsCmd {
				fix += c.at(dir, file)
			}
			_, err := host.ReadRootOwned(file)
			wantUnsafe(t, err, c.at(dir, file), c.problem, fix)
			wantUnsafe(t, host.CheckRootOwned(file), c.at(dir, file), c.problem, fix)
		})
	}
}

func pickFile(_, f string) string { return f }
func pickDir(d, _ string) string  { return d }

// A link is followed only when root owns it, and then its target is
// checked like any path: a link that another user planted, or one of
// root's that leads into a directory someone else may write, is refused.
func TestSecurityRootOwnedLinks(t *testing.T) {
	needRootForOwners(t)
	base, dir, file := layout(t)

	// Root's relative link, through "..", to root's file: accepted.
	link := filepath.Join(base, "root-link.toml")
	if err := os.Symlink("conf/../conf/config.toml", link); err != nil {
		t.Fatal(err)
	}
	if b, err := host.ReadRootOwned(link); err != nil || string(b) != "[clock]\n" {
		t.Fatalf("root's link: %q, %v", b, err)
	}

	// A link planted by another user, in a directory they could write
	// then: refused for the link, even once the directory is root's only.
	drop := filepath.Join(base, "drop")
	if err := os.Mkdir(drop, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chown(drop, nobodyUID, nobodyUID)
	planted := filepath.Join(drop, "config.toml")
	if out, err := exec.Command("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "ln", "-s", file, planted).CombinedOutput(); err != nil {
		t.Fatalf("plant a link as uid 65534: %v\n%s", err, out)
	}
	_, err := host.ReadRootOwned(planted)
	wantUnsafe(t, err, drop, "belongs to the user", "sudo chown root "+drop)
	os.Chown(drop, 0, 0)
	_, err = host.ReadRootOwned(planted)
	wantUnsafe(t, err, planted, "is a link that belongs to the user", "chown -h root "+planted)

	// Root's link to a file in a directory another user may write: the
	// target's directory is named.
	theirs := filepath.Join(base, "theirs")
	if err := os.Mkdir(theirs, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(theirs, 0o777)
	target := filepath.Join(theirs, "config.toml")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "via-link.toml")); err != nil {
		t.Fatal(err)
	}
	_, err = host.ReadRootOwned(filepath.Join(dir, "via-link.toml"))
	wantUnsafe(t, err, theirs, "may be written by anyone", "sudo chmod go-w "+theirs)

	// A loop ends.
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	if _, err := host.ReadRootOwned(loop); err == nil {
		t.Fatal("a link loop was read")
	}
}

// The directory made for the configuration is root's, 0755 whatever the
// umask; a root directory others may write loses that; another user's is
// refused and left alone.
func TestMakeRootOwnedDir(t *testing.T) {
	needRootForOwners(t)
	base := roottest.Dir(t)
	dir := filepath.Join(base, "clearance")
	changed, err := host.MakeRootOwnedDir(dir)
	if err != nil || !changed {
		t.Fatalf("new directory: changed %v, %v", changed, err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v, want 0755", fi.Mode())
	}
	if changed, err := host.MakeRootOwnedDir(dir); err != nil || changed {
		t.Fatalf("again: changed %v, %v", changed, err)
	}
	os.Chmod(dir, 0o777)
	if changed, err := host.MakeRootOwnedDir(dir); err != nil || !changed {
		t.Fatalf("0777: changed %v, %v", changed, err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v after repair, want 0755", fi.Mode())
	}
	os.Chown(dir, nobodyUID, nobodyUID)
	os.Chmod(dir, 0o775)
	changed, err = host.MakeRootOwnedDir(dir)
	wantUnsafe(t, err, dir, "belongs to the user", "sudo chown root "+dir)
	if fi, _ := os.Stat(dir); changed || fi.Mode().Perm() != 0o775 {
		t.Fatalf("another user's directory was changed: %v, mode %v", changed, fi.Mode())
	}
}

// Missing directories above are made too, root's and 0755; but nothing is
// made under a directory that fails the check, and the directory that
// does is named.
func TestMakeRootOwnedDirParents(t *testing.T) {
	needRootForOwners(t)
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	base := roottest.Dir(t)
	dir := filepath.Join(base, "a", "b", "clearance")
	if changed, err := host.MakeRootOwnedDir(dir); err != nil || !changed {
		t.Fatalf("changed %v, %v", changed, err)
	}
	for _, d := range []string{filepath.Join(base, "a"), filepath.Join(base, "a", "b"), dir} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v %v, want 0755", d, fi.Mode(), err)
		}
	}

	shared := filepath.Join(base, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(shared, 0o777|fs.ModeSticky)
	_, err := host.MakeRootOwnedDir(filepath.Join(shared, "x", "clearance"))
	wantUnsafe(t, err, shared, "shared directory that anyone may write to", "such as /etc/clearance")
	if _, err := os.Lstat(filepath.Join(shared, "x")); !os.IsNotExist(err) {
		t.Fatalf("a directory was made under %s: %v", shared, err)
	}
	if fi, _ := os.Stat(shared); fi.Mode().Perm() != 0o777 {
		t.Fatalf("the directory above was changed: %v", fi.Mode())
	}
}

// OwnedByRoot looks at the owner alone.
func TestOwnedByRoot(t *testing.T) {
	needRootForOwners(t)
	_, dir, file := layout(t)
	theirs := filepath.Join(dir, "theirs")
	if err := os.WriteFile(theirs, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chown(theirs, nobodyUID, nobodyUID)
	os.Chmod(file, 0o666)
	for path, want := range map[string]bool{file: true, theirs: false} {
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := host.OwnedByRoot(path, fi); got != want {
			t.Errorf("OwnedByRoot(%s) = %v, want %v", path, got, want)
		}
	}
}

// rootOwnedHelperEnv names the path that TestRootOwnedHelper checks, in
// a copy of this test binary run as another user.
const rootOwnedHelperEnv = "CLEARANCE_HOST_CHECK"

// TestRootOwnedHelper is not a test: run by TestRootOwnedTrustsItsOwnUser
// as uid 65534, it prints what CheckRootOwned says there.
func TestRootOwnedHelper(t *testing.T) {
	path := os.Getenv(rootOwnedHelperEnv)
	if path == "" {
		t.Skip("run by TestRootOwnedTrustsItsOwnUser")
	}
	if err := host.CheckRootOwned(path); err != nil {
		os.Stdout.WriteString("refused: " + err.Error() + "\n")
	} else {
		os.Stdout.WriteString("accepted\n")
	}
}

// A process that is not root trusts its own user too, and nobody else:
// run as uid 65534, it accepts a directory of its own in root's, and
// refuses one of uid 65533.
func TestRootOwnedTrustsItsOwnUser(t *testing.T) {
	needRootForOwners(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs setpriv(1) from util-linux (mandatory in CI)")
		}
		t.Skip("needs setpriv(1) from util-linux")
	}
	base := roottest.Dir(t)
	bins, err := os.MkdirTemp("", "clr-host-") // every user may run what is in it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bins) })
	os.Chmod(bins, 0o755)
	bin := filepath.Join(bins, "host.test")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(path string) string {
		t.Helper()
		cmd := exec.Command("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--",
			bin, "-test.run=^TestRootOwnedHelper$")
		cmd.Env = append(os.Environ(), rootOwnedHelperEnv+"="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("as uid 65534: %v\n%s", err, out)
		}
		return string(out)
	}
	for uid, want := range map[int]string{nobodyUID: "accepted", nobodyUID - 1: "refused: " + filepath.Join(base, "own-65533") + " belongs to "} {
		d := filepath.Join(base, "own-"+strconv.Itoa(uid))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chown(d, uid, uid)
		if got := check(d); !strings.HasPrefix(got, want) {
			t.Errorf("a directory of uid %d, checked as uid 65534: %q, want %q", uid, got, want)
		}
	}
}
