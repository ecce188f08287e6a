package installer

import (
	"context"
	"fmt"

	"golang.org/x/sys/windows/svc"
)

// runManaged answers the service control manager itself rather than
// through kardianos/service: the library's handler returns only when the
// manager asks the service to stop, so an agent that fails on its own
// would leave a running service doing nothing. Here such a failure ends
// the service with a service-specific exit code, which the recovery
// actions (applied to non-crash failures by Install) answer by restarting.
func runManaged(ctx context.Context, run func(context.Context) error) error {
	h := &handler{p: newProgram(ctx, run)}
	if err := svc.Run(ServiceName, h); err != nil {
		return fmt.Errorf("run as the service %s: %w", ServiceName, err)
	}
	return h.p.result()
}

type handler struct{ p *program }

func (h *handler) Execute(_ []string, r <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	h.p.begin()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case <-h.p.done:
			return h.exit()
		case c := <-r:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending, WaitHint: uint32(stopTimeout.Milliseconds())}
				if err := h.p.end(stopTimeout); err != nil {
					return true, 2
				}
				return h.exit()
			}
		}
	}
}

// exit is the service's exit code: 1 when run failed.
func (h *handler) exit() (bool, uint32) {
	if h.p.result() != nil {
		return true, 1
	}
	return false, 0
}
