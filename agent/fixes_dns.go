package agent

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// dnsFlush flushes the cache of the resolver in use. A machine without a
// cache has nothing to flush, and is told so.
func (a *Agent) dnsFlush(ctx context.Context, ch *platform.Changes, _ api.FixOptions) fixOutcome {
	fr, err := a.machine.FlushDNS(ctx, ch)
	if err != nil {
		return failed("%v.", err)
	}
	if len(fr.Flushed) == 0 {
		return fixOutcome{result: api.NotNeeded, message: fr.Detail}
	}
	if ch.DryRun() {
		return fixOutcome{result: api.Fixed, message: "Dry run, nothing changed: " + fr.Detail}
	}
	return fixOutcome{result: api.Fixed, message: fr.Detail, judge: dnsJudge(fr.Detail)}
}

// dnsJudge turns the dns check's verdict after a DNS fix into the answer.
func dnsJudge(done string) func([]finding.Finding) (api.Outcome, string) {
	return func(still []finding.Finding) (api.Outcome, string) {
		for _, d := range []*finding.Definition{finding.DNSFailure, finding.DNSSinkhole} {
			if f, ok := findingOf(still, d); ok {
				return api.Failed, "Failed: " + strings.TrimSuffix(done, ".") + ", but the problem remains: " + f.Title + "."
			}
		}
		return api.Fixed, done
	}
}

// dnsPublic switches the active interface to public resolvers, after
// journalling what it had. It can break names that only a company's or
// home network's DNS knows, so it needs the person's confirmation.
func (a *Agent) dnsPublic(ctx context.Context, ch *platform.Changes, opts api.FixOptions) fixOutcome {
	if !opts.Confirm && !opts.DryRun {
		return failed("switching to public DNS can break names that only your company's or home network's DNS knows (intranet sites, printers, VPN resources). Confirm to go ahead; you can restore your settings at any time.")
	}
	c, err := a.machine.SwitchDNS(ctx, ch)
	switch {
	case errors.Is(err, errDNSPublicActive):
		return failed("public DNS is already in effect. Restore your DNS settings first.")
	case err != nil:
		return failed("%v.", err)
	}
	if ch.DryRun() {
		return fixOutcome{result: api.Fixed, message: "Dry run, nothing changed: " + c.Detail}
	}
	saved := " Your previous settings are saved: \"Restore my DNS\" in the tray, or `clearance fix dns-restore`, puts them back."
	a.announceDNS(ctx)
	judge := dnsJudge(c.Detail)
	return fixOutcome{result: api.Fixed, message: c.Detail + saved, judge: func(still []finding.Finding) (api.Outcome, string) {
		o, m := judge(still)
		return o, m + saved
	}}
}

// dnsRestore puts back the DNS settings that dns-public journalled.
func (a *Agent) dnsRestore(ctx context.Context, ch *platform.Changes, _ api.FixOptions) fixOutcome {
	c, err := a.machine.RestoreDNS(ctx, ch)
	switch {
	case errors.Is(err, errNoDNSJournal):
		return fixOutcome{result: api.NotNeeded, message: "Nothing to restore: Clearance has not changed your DNS settings."}
	case err != nil:
		return failed("%v. Your previous settings are still recorded; try again, or set them by hand.", err)
	}
	if ch.DryRun() {
		return fixOutcome{result: api.Fixed, message: "Dry run, nothing changed: " + c.Detail}
	}
	a.announceDNS(ctx)
	return fixOutcome{result: api.Fixed, message: c.Detail}
}

// announceDNS updates dns-public-active at once after a switch or restore.
func (a *Agent) announceDNS(ctx context.Context) {
	a.update(time.Now(), agentResult(a.ownFindings(ctx)))
}

// publicDNSFinding is dns-public-active while a switch is in effect.
func (a *Agent) publicDNSFinding(_ context.Context, now time.Time) (finding.Finding, bool) {
	on, c, err := a.machine.PublicDNS()
	if err != nil {
		a.log.Warn("cannot read the DNS journal", "err", err)
		return finding.Finding{}, false
	}
	if !on {
		return finding.Finding{}, false
	}
	ev := map[string]any{"servers": check.NonNil(c.Servers), "previous": check.NonNil(c.Previous)}
	if c.Interface != "" {
		ev["interface"] = c.Interface
	}
	if c.Tool != "" {
		ev["tool"] = c.Tool
	}
	return finding.DNSPublicActive.New(now, ev), true
}

// repairDNS rolls back a DNS switch that a crash interrupted, and removes
// the temporary files the crash left, if the agent has not yet, and says
// whether that is done. It does not wait for the fix lock: while another
// process holds it (a `clearance fix` run while no agent answered, which
// may be switching right now: its journal and temporary files are not a
// crash's), it returns false, and is to be asked again.
func (a *Agent) repairDNS(ctx context.Context) (done bool) {
	a.fixMu.Lock()
	defer a.fixMu.Unlock()
	if !a.repairPending {
		return true
	}
	unlock, err := tryFixLock()
	switch {
	case errors.Is(err, errFixLockBusy):
		return false
	case err != nil:
		// Left pending: a fix, which needs the lock too, repairs first.
		a.log.Error("could not check for an interrupted DNS switch", "err", err)
		return true
	}
	defer unlock()
	a.repairLocked(ctx)
	return true
}

// repairWhenFree asks repairDNS again until it is done or ctx ends, and
// then has the checks run again: what they saw meanwhile may have been
// the interrupted switch.
func (a *Agent) repairWhenFree(ctx context.Context) {
	a.log.Info("another process holds the fix lock; checking for an interrupted DNS switch once it lets go", "lock", fixLockPath())
	tick := time.NewTicker(fixLockRetry)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if a.repairDNS(ctx) {
			a.CheckNow()
			return
		}
	}
}

// repairLocked makes the repair of repairDNS, once; the caller holds fixMu
// and the fix lock.
func (a *Agent) repairLocked(ctx context.Context) {
	if !a.repairPending {
		return
	}
	a.repairPending = false
	ch := platform.NewChanges(platform.ExecRunner{Timeout: 20 * time.Second, Log: a.log}, false)
	repaired, err := a.machine.RepairDNS(ctx, ch)
	switch {
	case err != nil:
		a.log.Error("could not repair what an interrupted DNS change left", "err", err, "commands", ch.Commands())
	case repaired:
		a.log.Warn("rolled back a DNS switch that was interrupted", "commands", ch.Commands())
	case len(ch.Commands()) > 0:
		a.log.Info("removed what an interrupted DNS change left", "commands", ch.Commands())
	}
}

// RepairBeforeFix makes an agent that never runs (`clearance fix` while no
// agent answers) repair what a crash left before its first fix, as Run
// does at start: otherwise a dns-public refuses an interrupted switch as
// "in effect", and a dns-restore leaves the crash's temporary files.
func (a *Agent) RepairBeforeFix() {
	a.fixMu.Lock()
	defer a.fixMu.Unlock()
	a.repairPending = host.IsAdmin()
}
