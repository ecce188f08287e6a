package installer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/kardianos/service"
)

// markerEnv is set in the service's definition (systemd's Environment=, the
// SysV and OpenRC scripts' export, launchd's EnvironmentVariables). The
// library's own test — is the parent init or systemd? — answers "a
// terminal" whenever it runs inside a container (service.Interactive), so
// a service there would never use the system log nor run as the manager's
// program. Windows needs no marker: svc.IsWindowsService is reliable.
const markerEnv = "CLEARANCE_SERVICE"

// stopTimeout bounds how long the service waits for run to return once
// asked to stop: under the SysV script's 10 s, which then reports failure,
// and systemd's TimeoutStopSec.
const stopTimeout = 8 * time.Second

// UnderServiceManager says whether this process was started by the
// service manager (then it logs to the system log and answers the
// manager's stop requests), not from a terminal or a script.
func UnderServiceManager() bool {
	return os.Getenv(markerEnv) != "" || !service.Interactive()
}

// RunService runs run as the service's program. Under the service manager
// run starts at once and its context ends when the manager asks the
// service to stop (or ctx ends); RunService then waits up to a deadline for
// run to return. When run fails on its own, RunService returns its error,
// so that the process exits non-zero and the manager restarts it. Outside a
// manager it simply runs run(ctx), which returns when ctx ends.
func RunService(ctx context.Context, run func(ctx context.Context) error) error {
	if !UnderServiceManager() {
		return run(ctx)
	}
	return runManaged(ctx, run)
}

// program runs the agent for the service manager: begin launches run and
// returns; end cancels it and waits, with a deadline.
type program struct {
	parent context.Context
	run    func(context.Context) error

	cancel context.CancelFunc
	done   chan struct{}
	err    error // run's, once done is closed

	mu      sync.Mutex
	stopped bool  // end was called: a context error is then the expected end
	endErr  error // end gave up waiting
}

func newProgram(parent context.Context, run func(context.Context) error) *program {
	return &program{parent: parent, run: run, done: make(chan struct{})}
}

func (p *program) begin() {
	ctx, cancel := context.WithCancel(p.parent)
	p.cancel = cancel
	go func() {
		defer close(p.done)
		p.err = p.run(ctx)
	}()
}

func (p *program) end(timeout time.Duration) error {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	p.cancel()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		err := fmt.Errorf("the agent did not stop within %s of being asked to", timeout)
		p.mu.Lock()
		p.endErr = err
		p.mu.Unlock()
		return err
	}
}

// result is run's error, except the cancellation that end asked for.
func (p *program) result() error {
	p.mu.Lock()
	stopped, endErr := p.stopped, p.endErr
	p.mu.Unlock()
	select {
	case <-p.done:
	default:
		return endErr // still running: end gave up on it
	}
	if stopped && errors.Is(p.err, context.Canceled) {
		return nil
	}
	return p.err
}
