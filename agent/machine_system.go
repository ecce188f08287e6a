package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsfix"
	"github.com/clearance-app/clearance/platform/timesync"
)

// systemMachine is the real Machine: the platform package's fixes, with
// reads through a runner that logs every command, and the DNS journal at
// its place in the state directory.
type systemMachine struct {
	log     *slog.Logger
	journal string // dnsfix.JournalPath() when empty
}

func (m systemMachine) read() platform.Runner {
	return platform.ExecRunner{Timeout: 10 * time.Second, Log: m.log}
}

func (m systemMachine) journalPath() string {
	if m.journal != "" {
		return m.journal
	}
	return dnsfix.JournalPath()
}

func (m systemMachine) FlushDNS(ctx context.Context, ch *platform.Changes) (dnsfix.FlushResult, error) {
	return dnsfix.Flush(ctx, m.read(), ch)
}

func (m systemMachine) SyncTimeService(ctx context.Context, ch *platform.Changes) (string, error) {
	svc, err := timesync.SyncService(ctx, m.read(), ch)
	if errors.Is(err, timesync.ErrNoService) {
		return "", fmt.Errorf("%w: %w", errNoTimeService, err)
	}
	return svc, err
}

func (m systemMachine) StepClock(ctx context.Context, ch *platform.Changes, offset time.Duration) error {
	return timesync.StepClock(ctx, ch, offset)
}

func (m systemMachine) SwitchDNS(ctx context.Context, ch *platform.Changes) (dnsfix.Switch, error) {
	s, err := dnsfix.SwitchToPublic(ctx, m.read(), ch, m.journalPath())
	if errors.Is(err, dnsfix.ErrPublicActive) {
		return s, fmt.Errorf("%w: %w", errDNSPublicActive, err)
	}
	return s, err
}

func (m systemMachine) RestoreDNS(ctx context.Context, ch *platform.Changes) (dnsfix.Switch, error) {
	s, err := dnsfix.Restore(ctx, m.read(), ch, m.journalPath())
	if errors.Is(err, dnsfix.ErrNoJournal) {
		return s, fmt.Errorf("%w: %w", errNoDNSJournal, err)
	}
	return s, err
}

func (m systemMachine) PublicDNS() (bool, dnsfix.Switch, error) {
	return dnsfix.PublicActive(m.journalPath())
}

func (m systemMachine) RepairDNS(ctx context.Context, ch *platform.Changes) (bool, error) {
	return dnsfix.Repair(ctx, m.read(), ch, m.journalPath())
}
