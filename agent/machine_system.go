package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clearance-app/clearance/platform"
)

// systemMachine is the real Machine: the platform package's fixes, with
// reads through a runner that logs every command, and the DNS journal at
// its place in the state directory.
type systemMachine struct {
	log     *slog.Logger
	journal string // platform.DNSJournalPath() when empty
}

func (m systemMachine) read() platform.Runner {
	return platform.ExecRunner{Timeout: 10 * time.Second, Log: m.log}
}

func (m systemMachine) journalPath() string {
	if m.journal != "" {
		return m.journal
	}
	return platform.DNSJournalPath()
}

func (m systemMachine) FlushDNS(ctx context.Context, ch *platform.Changes) (platform.FlushResult, error) {
	return platform.FlushDNS(ctx, m.read(), ch)
}

func (m systemMachine) SyncTimeService(ctx context.Context, ch *platform.Changes) (string, error) {
	svc, err := platform.SyncTimeService(ctx, m.read(), ch)
	if errors.Is(err, platform.ErrNoTimeService) {
		return "", fmt.Errorf("%w: %w", errNoTimeService, err)
	}
	return svc, err
}

func (m systemMachine) StepClock(ctx context.Context, ch *platform.Changes, offset time.Duration) error {
	return platform.StepClock(ctx, ch, offset)
}

func (m systemMachine) SwitchDNS(ctx context.Context, ch *platform.Changes) (platform.DNSSwitch, error) {
	s, err := platform.SwitchToPublicDNS(ctx, m.read(), ch, m.journalPath())
	if errors.Is(err, platform.ErrDNSPublicActive) {
		return s, fmt.Errorf("%w: %w", errDNSPublicActive, err)
	}
	return s, err
}

func (m systemMachine) RestoreDNS(ctx context.Context, ch *platform.Changes) (platform.DNSSwitch, error) {
	s, err := platform.RestoreDNS(ctx, m.read(), ch, m.journalPath())
	if errors.Is(err, platform.ErrNoDNSJournal) {
		return s, fmt.Errorf("%w: %w", errNoDNSJournal, err)
	}
	return s, err
}

func (m systemMachine) PublicDNS() (bool, platform.DNSSwitch, error) {
	return platform.PublicDNSActive(m.journalPath())
}

func (m systemMachine) RepairDNS(ctx context.Context, ch *platform.Changes) (bool, error) {
	return platform.RepairDNS(ctx, m.read(), ch, m.journalPath())
}
