//go:build unix

package installer

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kardianos/service"
)

// runManaged runs p through kardianos/service, whose Unix backends call
// Start, wait for SIGTERM or SIGINT, and call Stop. The wait is replaced
// (RunWait) so that it also ends when run fails on its own or ctx ends.
func runManaged(ctx context.Context, run func(context.Context) error) error {
	p := newProgram(ctx, run)
	// Caught from before the start: a stop asked for while the agent
	// starts up is then a clean stop too, not death by the signal.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sig)
	cfg := serviceConfig(Options{})
	cfg.Option["RunWait"] = func() {
		select {
		case <-sig:
		case <-p.done:
		case <-ctx.Done():
		}
	}
	s, err := service.New(kprogram{p}, cfg)
	if err != nil {
		return fmt.Errorf("find this system's service manager: %w", err)
	}
	if err := s.Run(); err != nil {
		return err
	}
	return p.result()
}

// kprogram is program as kardianos/service's Interface.
type kprogram struct{ p *program }

func (k kprogram) Start(service.Service) error { k.p.begin(); return nil }
func (k kprogram) Stop(service.Service) error  { return k.p.end(stopTimeout) }
