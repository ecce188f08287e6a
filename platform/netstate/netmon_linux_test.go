package netstate

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

func init() {
	testHelpers["watch-network"] = watchHelper(WatchNetwork)
}

// watchHelper is a child's job: start the watch, say "ready", say "change"
// for each value, and when stdin closes cancel the watch and say "closed"
// once the channel is closed.
func watchHelper(watch func(context.Context) (<-chan struct{}, error)) func() int {
	return func() int {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := watch(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("ready")
		go func() {
			io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
		for range ch {
			fmt.Println("change")
		}
		fmt.Println("closed")
		return 0
	}
}

// netmonNetns creates a network namespace for one test and deletes it when
// the test ends. Without root or ip(8) the test is skipped, except under CI
// (CI=true), where these tests are mandatory.
func netmonNetns(t *testing.T) string {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root to create a network namespace and a tun device"
	} else if _, err := exec.LookPath("ip"); err != nil {
		why = "needs ip(8) from iproute2"
	}
	if why != "" {
		roottest.Need(t, why)
	}
	b := make([]byte, 4)
	rand.Read(b)
	ns := "clr-nm-" + hex.EncodeToString(b)
	netmonRun(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	return ns
}

func netmonRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// watchChild is the test binary run as a helper, as a child.
type watchChild struct {
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	lines      chan string   // the child's stdout, closed when it ends
	exited     chan struct{} // closed when the child has exited, with err
	err        error
	stderrPath string
}

// startWatchChild runs helper inside namespace ns (`ip netns exec`, which
// execs the test binary: the child's pid is the helper's). It is killed
// when the test ends.
func startWatchChild(t *testing.T, ns, helper string) *watchChild {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &watchChild{
		cmd:        exec.Command("ip", "netns", "exec", ns, self),
		lines:      make(chan string, 100),
		exited:     make(chan struct{}),
		stderrPath: filepath.Join(t.TempDir(), "stderr"),
	}
	c.cmd.Env = append(os.Environ(), platformtest.HelperEnv+"="+helper)
	stderr, err := os.Create(c.stderrPath)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	// Files, not pipes exec copies from: then Wait, below, cannot cut the
	// reading of stdout short.
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdoutW.Close()
	c.cmd.Stdout, c.cmd.Stderr = stdoutW, stderr
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		select {
		case <-c.exited:
			for range c.lines { // until the reader has closed its end
			}
		case <-time.After(platformtest.Wait):
			t.Errorf("the child (pid %d) did not end when killed", c.cmd.Process.Pid)
		}
	})
	go func() {
		defer close(c.lines)
		defer stdoutR.Close()
		s := bufio.NewScanner(stdoutR)
		for s.Scan() {
			c.lines <- s.Text()
		}
	}()
	return c
}

func (c *watchChild) stderr() string {
	b, _ := os.ReadFile(c.stderrPath)
	return string(b)
}

// waitLine waits for the child to print want, skipping other lines.
func (c *watchChild) waitLine(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(platformtest.Wait)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("the child ended before saying %q; stderr: %s", want, c.stderr())
			}
			if line == want {
				return
			}
		case <-deadline:
			t.Fatalf("the child did not say %q within %v; stderr: %s", want, platformtest.Wait, c.stderr())
		}
	}
}

// A tun device coming up inside a namespace is seen by a watcher running
// there, as the agent runs.
func TestWatchNetworkSeesTunInNetns(t *testing.T) {
	ns := netmonNetns(t)
	c := startWatchChild(t, ns, "watch-network")
	c.waitLine(t, "ready")

	netmonRun(t, "ip", "-n", ns, "tuntap", "add", "dev", "clrtun0", "mode", "tun")
	netmonRun(t, "ip", "-n", ns, "link", "set", "clrtun0", "up")
	netmonRun(t, "ip", "-n", ns, "addr", "add", "10.9.0.2/24", "dev", "clrtun0")
	c.waitLine(t, "change")

	// Cancelling the watch closes its channel: the child then says so and
	// exits by itself.
	c.stdin.Close()
	c.waitLine(t, "closed")
	select {
	case <-c.exited:
		if c.err != nil {
			t.Fatalf("the child: %v; stderr: %s", c.err, c.stderr())
		}
	case <-time.After(platformtest.Wait):
		t.Fatalf("the child did not exit after its watch ended")
	}
}

// Cancelling ctx closes the channel and leaves nothing behind: no goroutine,
// no descriptor. While it runs, the watch is one goroutine. It only reads
// the test's own namespace, changing nothing, so it needs no root.
func TestWatchNetworkCancelLeavesNothing(t *testing.T) {
	platformtest.WatchCancel(t, WatchNetwork)
}
