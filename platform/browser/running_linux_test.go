package browser

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// startChild starts cmd and waits for its first line of output, which
// says it has done its part (made the link, taken the lock). It is killed
// when the test ends.
func startChild(t *testing.T, cmd *exec.Cmd) (stdin io.WriteCloser) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if strings.TrimSpace(s) != "ready" {
			t.Fatalf("child said %q", s)
		}
	case <-time.After(platformtest.Wait):
		t.Fatal("the child never said it was ready")
	}
	return stdin
}

// stop kills cmd and reaps it: its pid is then no process's.
func stop(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Process.Kill()
	cmd.Wait()
	if err := unix.Kill(cmd.Process.Pid, 0); err == nil {
		t.Fatalf("process %d still exists", cmd.Process.Pid)
	}
}

func TestChromiumRunningFromSingletonLock(t *testing.T) {
	dir := t.TempDir()
	b := Browser{Name: "Chromium", Family: Chromium, Install: Native, DataDir: dir}
	link := filepath.Join(dir, "SingletonLock")
	if ok, _, err := b.Running(); ok || err != nil {
		t.Fatalf("no lock: %v %v", ok, err)
	}
	// A child makes the link with its own pid, as Chromium does, and
	// stays alive.
	child := exec.Command("sh", "-c", `ln -s "$(uname -n)-$$" "$0" && echo ready && exec sleep 600`, link)
	startChild(t, child)
	ok, evidence, err := b.Running()
	if !ok || err != nil || !strings.Contains(evidence, "-"+strconv.Itoa(child.Process.Pid)) {
		t.Fatalf("a live lock: %v %q %v", ok, evidence, err)
	}
	// Dead, the same link is a crash's leftover.
	stop(t, child)
	if ok, evidence, err := b.Running(); ok || err != nil {
		t.Errorf("a stale lock: %v %q %v", ok, evidence, err)
	}
	// A lock of another computer (a home on a network share): cannot
	// tell, and says so.
	os.Remove(link)
	if err := os.Symlink("some-other-host-"+strconv.Itoa(os.Getpid()), link); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := b.Running(); ok || err == nil || !strings.Contains(err.Error(), "another computer (some-other-host)") {
		t.Errorf("another host's lock: %v %v", ok, err)
	}
	os.Remove(link)
	if err := os.Symlink("nonsense", link); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := b.Running(); ok || err == nil {
		t.Errorf("a link to nonsense: %v %v", ok, err)
	}
}

func init() { testHelpers["fcntl-lock"] = fcntlLockHelper }

// fcntlLockHelper takes Firefox's lock on $CLEARANCE_LOCK_FILE — an fcntl
// write lock on the whole file — says "ready", and holds it until its
// standard input closes.
func fcntlLockHelper() int {
	f, err := os.OpenFile(os.Getenv("CLEARANCE_LOCK_FILE"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	if err := unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func TestFirefoxRunningFromItsLocks(t *testing.T) {
	root := t.TempDir()
	profile := filepath.Join(root, "a.default")
	if err := os.Mkdir(profile, 0o755); err != nil {
		t.Fatal(err)
	}
	b := Browser{Name: "Firefox", Family: Firefox, Install: Native, DataDir: root,
		Profiles: []Profile{{Name: "unused", Dir: filepath.Join(root, "b.unused")}, {Name: "default", Dir: profile}}}
	if err := os.Mkdir(b.Profiles[0].Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// What Firefox leaves when it exits: an unlocked .parentlock and a
	// lock link naming a process that is gone.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	parentlock := filepath.Join(profile, ".parentlock")
	if err := os.WriteFile(parentlock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("127.0.0.1:+"+strconv.Itoa(gone.Process.Pid), filepath.Join(profile, "lock")); err != nil {
		t.Fatal(err)
	}
	if ok, evidence, err := b.Running(); ok || err != nil {
		t.Fatalf("the files Firefox leaves behind: %v %q %v", ok, evidence, err)
	}
	// A process holding the fcntl lock on .parentlock is Firefox running.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	holder := exec.Command(exe, "-test.run=^$")
	holder.Env = append(os.Environ(), platformtest.HelperEnv+"=fcntl-lock", "CLEARANCE_LOCK_FILE="+parentlock)
	stdin := startChild(t, holder)
	ok, evidence, err := b.Running()
	want := fmt.Sprintf("process %d holds the lock on %s (profile \"default\")", holder.Process.Pid, parentlock)
	if !ok || err != nil || evidence != want {
		t.Fatalf("a held lock: %v %q %v; want %q", ok, evidence, err, want)
	}
	// When it exits the lock goes; the file stays.
	stdin.Close()
	if err := holder.Wait(); err != nil {
		t.Fatal(err)
	}
	if ok, evidence, err := b.Running(); ok || err != nil {
		t.Errorf("after the holder exited: %v %q %v", ok, evidence, err)
	}
	if _, err := os.Stat(parentlock); err != nil {
		t.Errorf(".parentlock went: %v", err)
	}
	// The lock link naming a live process is Firefox running too.
	sleeper := exec.Command("sh", "-c", "echo ready && exec sleep 600")
	startChild(t, sleeper)
	os.Remove(filepath.Join(profile, "lock"))
	if err := os.Symlink("127.0.1.1:+"+strconv.Itoa(sleeper.Process.Pid), filepath.Join(profile, "lock")); err != nil {
		t.Fatal(err)
	}
	if ok, evidence, err := b.Running(); !ok || err != nil || !strings.Contains(evidence, "a running process") {
		t.Errorf("a live lock link: %v %q %v", ok, evidence, err)
	}
	// Not for a Flatpak, whose pid is of its sandbox.
	b.Install = Flatpak
	if ok, evidence, err := b.Running(); ok || err != nil {
		t.Errorf("a Flatpak's lock link: %v %q %v", ok, evidence, err)
	}
}

// A Flatpak's SingletonLock names a pid of its sandbox: whether it runs
// is in Flatpak's instance records.
func TestFlatpakChromiumRunning(t *testing.T) {
	home, runtime := t.TempDir(), t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", runtime)
	dir := filepath.Join(home, ".var/app/org.chromium.Chromium/config/chromium")
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	tree(t, dir, map[string][]byte{"Default": nil})
	if err := os.Symlink(host+"-2", filepath.Join(dir, "SingletonLock")); err != nil {
		t.Fatal(err)
	}
	b := Browser{Name: "Chromium", Family: Chromium, Install: Flatpak, DataDir: dir}
	if ok, _, err := b.Running(); ok || err != nil {
		t.Errorf("no instances: %v %v", ok, err)
	}
	sandbox := exec.Command("sh", "-c", "echo ready && exec sleep 600")
	startChild(t, sandbox)
	instance := func(id, app string, pid int) {
		tree(t, runtime, map[string][]byte{
			".flatpak/" + id + "/info":           []byte("[Application]\nname=" + app + "\n\n[Instance]\ninstance-id=" + id + "\n"),
			".flatpak/" + id + "/bwrapinfo.json": []byte(fmt.Sprintf(`{"child-pid": %d}`, pid)),
		})
	}
	instance("1", "org.mozilla.firefox", sandbox.Process.Pid) // another app's
	if ok, _, err := b.Running(); ok || err != nil {
		t.Errorf("another app's instance: %v %v", ok, err)
	}
	instance("2", "org.chromium.Chromium", sandbox.Process.Pid)
	ok, evidence, err := b.Running()
	if !ok || err != nil || !strings.Contains(evidence, fmt.Sprintf("process %d", sandbox.Process.Pid)) {
		t.Fatalf("a running instance: %v %q %v", ok, evidence, err)
	}
	stop(t, sandbox)
	if ok, _, err := b.Running(); ok || err != nil {
		t.Errorf("an instance whose sandbox is gone: %v %v", ok, err)
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	if _, _, err := b.Running(); err == nil {
		t.Error("no runtime folder to look in, and no error")
	}
}
