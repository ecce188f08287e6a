//go:build unix

package open

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/platform"
)

func TestExecLauncherReportsAnEarlyFailure(t *testing.T) {
	err := ExecLauncher{Grace: time.Minute}.Start(context.Background(), "sh", "-c", "exit 3")
	var ee *platform.ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("err = %v, want exit status 3", err)
	}
	if err := (ExecLauncher{Grace: time.Minute}).Start(context.Background(), "sh", "-c", "exit 0"); err != nil {
		t.Errorf("a program that exits 0 within the grace: %v", err)
	}
	if err := (ExecLauncher{}).Start(context.Background(), filepath.Join(t.TempDir(), "no-such-program")); err == nil {
		t.Error("a missing program was reported started")
	}
}

// A program still running after the grace is left running, in a session
// of its own (it must not die with the tray's terminal).
func TestExecLauncherLeavesALongRunningProgramDetached(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	err := ExecLauncher{Grace: 50 * time.Millisecond}.Start(context.Background(),
		"sh", "-c", `echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec sleep 600`, pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(pidFile)
		if err == nil {
			pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the launched program never wrote its pid")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { unix.Kill(pid, unix.SIGKILL) })
	if err := unix.Kill(pid, 0); err != nil {
		t.Fatalf("the launched program is not running: %v", err)
	}
	sid, err := unix.Getsid(pid)
	if err != nil {
		t.Fatal(err)
	}
	if sid != pid {
		t.Errorf("launched program's session is %d, want its own (%d)", sid, pid)
	}
}
