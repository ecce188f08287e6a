package open

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"time"

	"github.com/clearance-app/clearance/platform"
)

// Launcher starts a program and returns without waiting for it to end: a
// browser it starts may run for hours.
type Launcher interface {
	Start(ctx context.Context, name string, args ...string) error
}

// ExecLauncher starts real programs, detached from the tray's session so
// that they outlive it and do not get its terminal's signals. A program
// that fails within Grace (default 3 s) — xdg-open finding no browser, a
// browser refusing to start — is reported with its exit status; one still
// running then is left to run and reaped in the background. Its output is
// discarded: a pipe would make the browser's later writes fail.
type ExecLauncher struct {
	Grace time.Duration
	Log   *slog.Logger
}

// Start implements Launcher.
func (l ExecLauncher) Start(ctx context.Context, name string, args ...string) error {
	argv := append([]string{name}, args...)
	if l.Log != nil {
		l.Log.Debug("launch", "argv", argv)
	}
	// Not CommandContext: the program must outlive ctx.
	cmd := exec.Command(name, args...)
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	grace := l.Grace
	if grace <= 0 {
		grace = 3 * time.Second
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return &platform.ExitError{Argv: argv, Code: ee.ExitCode()}
		}
		return err
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return nil // started; the caller stopped waiting to hear more
	}
}
