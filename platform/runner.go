package platform

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"time"
)

// Runner runs external commands. Tests replace it to check the exact argv
// and feed recorded output.
type Runner interface {
	// Run runs name with args and returns its standard output. A non-zero
	// exit is an error of type *ExitError, carrying the exit code and stderr.
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
}

// ExitError is a command that ran and exited non-zero.
type ExitError struct {
	Argv   []string
	Code   int
	Stderr string
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("%s: exit status %d", strings.Join(e.Argv, " "), e.Code)
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += ": " + s
	}
	return msg
}

// ExecRunner runs real commands, each bounded by Timeout (default 5 s),
// logging the full argv at debug level. A bare command name is looked up
// only in SystemDirs, never through PATH (see LookSystem).
type ExecRunner struct {
	Timeout time.Duration
	Log     *slog.Logger
}

// Run implements Runner.
func (r ExecRunner) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	argv := append([]string{name}, args...)
	if r.Log != nil {
		r.Log.Debug("run", "argv", argv)
	}
	path, err := LookSystem(name)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", name, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(cmd.Environ(), "LC_ALL=C") // parse stable, unlocalized output where the tool honours it
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return stdout.Bytes(), &ExitError{Argv: argv, Code: ee.ExitCode(), Stderr: stderr.String()}
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", name, err)
	}
	return stdout.Bytes(), nil
}

// System is the runner for real commands.
var System Runner = ExecRunner{}
