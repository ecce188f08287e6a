package agent

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsfix"
)

// Machine is what the privileged fixes change: the one seam between the
// fixes' decisions (what to do, when it is safe, how to tell the person)
// and the OS. Every change goes through the *platform.Changes it is given,
// so that a dry run lists the exact commands and changes nothing. The real
// one is systemMachine; tests script it.
type Machine interface {
	// FlushDNS flushes the caches of the resolver in use; an empty Flushed
	// means there was nothing to flush.
	FlushDNS(ctx context.Context, ch *platform.Changes) (dnsfix.FlushResult, error)
	// SyncTimeService makes the OS time service correct the clock now;
	// errNoTimeService when there is none to ask.
	SyncTimeService(ctx context.Context, ch *platform.Changes) (service string, err error)
	// StepClock sets the wall clock back by offset (local − true).
	StepClock(ctx context.Context, ch *platform.Changes, offset time.Duration) error
	// SwitchDNS journals the active interface's DNS, then switches it to
	// public resolvers; errDNSPublicActive while a switch is in effect.
	SwitchDNS(ctx context.Context, ch *platform.Changes) (dnsfix.Switch, error)
	// RestoreDNS puts back what the journal recorded; errNoDNSJournal
	// when there is nothing to restore.
	RestoreDNS(ctx context.Context, ch *platform.Changes) (dnsfix.Switch, error)
	// PublicDNS says whether a switch is in effect, and what it changed.
	PublicDNS() (bool, dnsfix.Switch, error)
	// RepairDNS rolls back a switch that a crash interrupted.
	RepairDNS(ctx context.Context, ch *platform.Changes) (bool, error)
}
