package check

import (
	"log/slog"
	"net"
	"time"

	"github.com/clearance-app/clearance/agent/config"
	"github.com/clearance-app/clearance/agent/probe"
)

// NewEnv returns an environment that reaches the real network through the
// system resolver and roots.
func NewEnv(cfg *config.Config, log *slog.Logger) Env {
	return Env{
		Config: cfg,
		Log:    log,
		Now:    time.Now,
		Probe:  &probe.Prober{},
		Lookup: net.DefaultResolver,
	}
}

// Close releases the environment's idle connections.
func (e *Env) Close() {
	if e.Probe != nil {
		e.Probe.Close()
	}
}
