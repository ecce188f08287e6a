package check

import (
	"log/slog"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/platform/dnsconf"
)

// NewEnv returns an environment that reaches the real network through the
// system resolver and roots, and reads this machine.
func NewEnv(cfg *config.Config, log *slog.Logger) Env {
	resolver := dnsconf.SystemResolver()
	return Env{
		Config: cfg,
		Log:    log,
		Now:    time.Now,
		Probe:  &probe.Prober{Resolver: resolver},
		Lookup: resolver,
		// One client for the life of the process: it remembers answers and
		// rate limits, so no server is asked more than once per 64 s.
		NTP:   &ntpq.Client{Resolver: resolver, Store: ntpq.UserStore()},
		Addrs: UserAddrMemory(),
		Host:  systemHost{},
	}
}

// fillDefaults gives an Env built by hand (tests, callers that set only
// what they need) everything a check may use, so that checks never need
// fallbacks of their own.
func (e *Env) fillDefaults() {
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	if e.Lookup == nil {
		e.Lookup = dnsconf.SystemResolver()
	}
	if e.Probe == nil {
		e.Probe = &probe.Prober{Resolver: dnsconf.SystemResolver()}
	}
	if e.NTP == nil {
		// Each run then asks each server once, and remembers nothing.
		e.NTP = &ntpq.Client{}
	}
	if e.Host == nil {
		e.Host = systemHost{}
	}
}

// Close releases the environment's idle connections.
func (e *Env) Close() {
	if e.Probe != nil {
		e.Probe.Close()
	}
}

// Forget makes the next run start afresh after a network change, a clock
// step or a resume: no connection opened before it is used again, and no
// network fact read before it (NetworkFacts).
func (e *Env) Forget() {
	if e.Probe != nil {
		e.Probe.Reset()
	}
	if n, ok := e.Host.(*NetworkFacts); ok {
		n.Forget()
	}
}
