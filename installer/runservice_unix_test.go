//go:build unix

package installer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	// service runs as the service manager would start it (the marker
	// set), and prints when run starts and ends.
	helpers["service"] = func() int {
		err := RunService(context.Background(), func(ctx context.Context) error {
			fmt.Println("started")
			if os.Getenv("FAIL") != "" {
				return errors.New("cannot listen")
			}
			<-ctx.Done()
			fmt.Println("stopping")
			return ctx.Err()
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
}

func serviceChild(t *testing.T, env ...string) (*exec.Cmd, *bufio.Reader, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "CLEARANCE_INSTALLER_HELPER=service", markerEnv+"=1")...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out), &stderr
}

// Under the manager, SIGTERM (what `service clearance stop` and systemd
// send) cancels run's context; the process exits 0 after run returns.
func TestRunServiceStopsOnSIGTERM(t *testing.T) {
	cmd, out, stderr := serviceChild(t)
	if line, err := out.ReadString('\n'); line != "started\n" {
		t.Fatalf("child said %q, %v; stderr: %s", line, err, stderr)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	line, _ := out.ReadString('\n')
	err := waitExit(t, cmd)
	if line != "stopping\n" || err != nil {
		t.Errorf("after SIGTERM: said %q, exit %v; stderr: %s", line, err, stderr)
	}
}

// A run that fails on its own ends the process with a non-zero status, so
// that the manager restarts it.
func TestRunServiceExitsNonZeroOnFailure(t *testing.T) {
	cmd, out, stderr := serviceChild(t, "FAIL=1")
	out.ReadString('\n')
	var ee *exec.ExitError
	if err := waitExit(t, cmd); !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "cannot listen") {
		t.Errorf("exit %v, stderr %q", err, stderr)
	}
}

func waitExit(t *testing.T, cmd *exec.Cmd) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("the child did not exit")
		return nil
	}
}
