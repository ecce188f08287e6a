package dnsfix

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/clearance-app/clearance/platform"
)

// dns-public and dns-restore: switch the active interface to Cloudflare's
// public resolvers and put back exactly what was there. The previous settings
// are journaled durably before anything changes (dnsjournal.go); every change
// goes through *Changes, so a dry run lists it and changes nothing. What each
// OS reads to fill the journal is in dnsset_linux.go, dnsset_windows.go and
// dnsset_darwin.go; what is written, and how it is undone, is here, untagged,
// so that every branch is tested on every OS.

var (
	// ErrPublicActive: a dns-public is already in effect; dns-restore first.
	ErrPublicActive = errors.New("public DNS is already in effect: restore the previous DNS settings first")
	// ErrNoJournal: there is nothing to restore.
	ErrNoJournal = errors.New("no DNS change by Clearance to undo")
)

// Switch describes what a switch changed or would change, for the person
// and the audit log.
type Switch struct {
	// Interface is the active interface (the default route's), or the
	// resolv.conf path for plain files.
	Interface string
	// Tool owns the setting: "resolv.conf", "systemd-resolved",
	// "NetworkManager", "netsh", "networksetup".
	Tool string
	// Previous are the servers before; empty when they came from the network
	// (Detail says so in words).
	Previous []string
	// Servers are the servers now.
	Servers []string
	// Detail is one sentence for a person.
	Detail string
}

// Cloudflare's public resolvers (platform-fixes.md section 3).
var (
	publicDNS4 = []string{"1.1.1.1", "1.0.0.1"}
	publicDNS6 = []string{"2606:4700:4700::1111", "2606:4700:4700::1001"}
)

// publicDNSResolvConf: glibc and musl read at most three nameserver lines
// (MAXNS); a fourth would be written and silently ignored.
var publicDNSResolvConf = []string{"1.1.1.1", "1.0.0.1", "2606:4700:4700::1111"}

// dnsRecorder reads the active interface's DNS settings into a journal (in
// no phase yet). It only reads. Per OS: recordDNS in dnsset_linux.go etc.
type dnsRecorder func(ctx context.Context, read platform.Runner) (dnsJournal, error)

// SwitchToPublic journals the active interface's DNS settings (static or
// automatic, IPv4 and IPv6, the owning tool) to journalPath durably before
// changing anything, then switches to 1.1.1.1/1.0.0.1 and
// 2606:4700:4700::1111/::1001. It refuses with ErrPublicActive while a
// journal exists. A dry run writes no journal either. When the switch fails
// part way, what was changed is put back and the journal removed.
func SwitchToPublic(ctx context.Context, read platform.Runner, ch *platform.Changes, journalPath string) (Switch, error) {
	return switchDNS(ctx, read, ch, journalPath, recordDNS)
}

// Restore puts back exactly what the journal recorded, then removes the
// journal. ErrNoJournal when there is none.
func Restore(ctx context.Context, read platform.Runner, ch *platform.Changes, journalPath string) (Switch, error) {
	j, err := readDNSJournal(journalPath)
	if err != nil {
		return Switch{}, err
	}
	sw := j.restoreView(ch.DryRun())
	if j.Phase == dnsPhaseActive {
		// From here on the settings are in flux: a crash during the restore
		// (half of a file written in place) is finished at the next start.
		j.Phase = dnsPhaseRestoring
		err := ch.Do(ctx, "mark "+journalPath+" restoring", func(context.Context) error {
			return writeDNSJournal(journalPath, j)
		})
		if err != nil {
			return sw, err
		}
	}
	if err := restoreFromJournal(ctx, ch, journalPath, j); err != nil {
		return sw, err
	}
	return sw, nil
}

// PublicActive says whether a journal exists (the agent raises
// dns-public-active while it does), and what it recorded. The journal is
// readable by root only: a person's process (the tray on its own, without
// the agent) learns that it exists, not what it holds.
func PublicActive(journalPath string) (bool, Switch, error) {
	j, err := readDNSJournal(journalPath)
	if errors.Is(err, ErrNoJournal) {
		return false, Switch{}, nil
	}
	if errors.Is(err, fs.ErrPermission) {
		return true, Switch{Detail: "Clearance switched this computer to public DNS; " +
			"the record of the previous settings is readable by administrators only, and dns-restore puts them back."}, nil
	}
	if err != nil {
		return false, Switch{}, err
	}
	return true, j.activeView(), nil
}

// Repair runs at agent start. A journal left in the "applying" phase (a
// crash between journal and change, or during the change) is rolled back to
// the recorded settings and removed, as is one left "restoring" (a crash
// during dns-restore); one in the "active" phase is left alone: public DNS
// stays in effect until dns-restore, and its journal becomes readable by
// root only if an older Clearance left it open to all. A journal that
// anyone but root could have changed is refused, and nothing is done with
// it. The temporary files a crash left are removed in any case
// (removeDNSLeftovers). It reports whether it put settings back.
func Repair(ctx context.Context, read platform.Runner, ch *platform.Changes, journalPath string) (repaired bool, err error) {
	return repairDNS(ctx, ch, journalPath, systemResolvConf)
}

// repairDNS is Repair with the system's resolv.conf given ("" where
// none is ever switched), so that tests look for leftovers beside a file
// of their own.
func repairDNS(ctx context.Context, ch *platform.Changes, journalPath, resolvConf string) (repaired bool, err error) {
	j, jerr := readDNSJournal(journalPath)
	// The leftovers first, while the journal still names the file that was
	// being written; those of an older crash lie beside the system's file.
	var files []string
	if jerr == nil && j.ResolvConf != nil {
		files = append(files, j.ResolvConf.Target)
	}
	if resolvConf != "" {
		files = append(files, resolvConf)
		if target, err := filepath.EvalSymlinks(resolvConf); err == nil {
			files = append(files, target)
		}
	}
	leftErr := removeDNSLeftovers(ctx, ch, journalPath, files)
	if jerr == nil {
		leftErr = errors.Join(leftErr, keepJournalPrivate(ctx, ch, journalPath))
	}
	switch {
	case errors.Is(jerr, ErrNoJournal):
		return false, leftErr
	case jerr != nil:
		return false, errors.Join(jerr, leftErr)
	case j.Phase == dnsPhaseActive:
		return false, leftErr
	}
	if err := restoreFromJournal(ctx, ch, journalPath, j); err != nil {
		return false, errors.Join(fmt.Errorf("finish an interrupted switch to public DNS: %w", err), leftErr)
	}
	return !ch.DryRun(), leftErr
}

// switchDNS is SwitchToPublic with the recorder given, so that tests
// record from a temporary resolv.conf or through a fake runner.
func switchDNS(ctx context.Context, read platform.Runner, ch *platform.Changes, journalPath string, record dnsRecorder) (Switch, error) {
	if existing, err := readDNSJournal(journalPath); err == nil {
		return existing.activeView(), ErrPublicActive
	} else if !errors.Is(err, ErrNoJournal) {
		return Switch{}, err
	}
	j, err := record(ctx, read)
	if err != nil {
		return Switch{}, fmt.Errorf("read the current DNS settings: %w", err)
	}
	j.Version, j.Phase, j.OS, j.Written = dnsJournalVersion, dnsPhaseApplying, runtime.GOOS, time.Now().UTC()
	if j.Public == nil {
		j.Public = publicServersFor(j)
	}
	if err := j.validate(); err != nil {
		return Switch{}, fmt.Errorf("read the current DNS settings: %w", err)
	}
	sw := j.switchView(ch.DryRun())

	err = ch.Do(ctx, "write "+journalPath+" (the current DNS settings, to put them back later)", func(context.Context) error {
		return writeDNSJournal(journalPath, j)
	})
	if err != nil {
		return sw, err
	}
	if err := applyPublicDNS(ctx, ch, j); err != nil {
		return sw, rollBack(ctx, ch, journalPath, j, fmt.Errorf("switch to public DNS with %s: %w", j.Tool, err))
	}
	j.Phase = dnsPhaseActive
	err = ch.Do(ctx, "mark "+journalPath+" active", func(context.Context) error {
		return writeDNSJournal(journalPath, j)
	})
	if err != nil {
		// A journal still "applying" would be rolled back at the next start
		// while the person believes public DNS is on: undo now instead.
		return sw, rollBack(ctx, ch, journalPath, j, err)
	}
	return sw, nil
}

// rollBack puts back the recorded settings after a failed switch. When that
// fails too, the journal stays ("applying"), so that dns-restore or the next
// start can try again.
func rollBack(ctx context.Context, ch *platform.Changes, journalPath string, j dnsJournal, cause error) error {
	if ch.DryRun() {
		return cause
	}
	if err := restoreFromJournal(ctx, ch, journalPath, j); err != nil {
		return errors.Join(cause, fmt.Errorf("and putting the previous settings back failed; the journal %s was kept: %w", journalPath, err))
	}
	return fmt.Errorf("%w; the previous DNS settings were put back", cause)
}

// restoreFromJournal restores the settings, then removes the journal.
func restoreFromJournal(ctx context.Context, ch *platform.Changes, journalPath string, j dnsJournal) error {
	if j.OS != runtime.GOOS {
		return fmt.Errorf("the DNS journal %s was written on %s, not %s; it was left in place", journalPath, j.OS, runtime.GOOS)
	}
	if err := restoreDNSSettings(ctx, ch, j); err != nil {
		return fmt.Errorf("put back the DNS settings with %s: %w", j.Tool, err)
	}
	return ch.Do(ctx, "remove "+journalPath, func(context.Context) error { return removeDNSJournal(journalPath) })
}

// publicServersFor is what the switch sets: both families where the
// interface uses them, at most three servers in a resolv.conf.
func publicServersFor(j dnsJournal) []string {
	if j.ResolvConf != nil {
		return publicDNSResolvConf
	}
	var out []string
	if j.IPv4.Mode != dnsModeUnused {
		out = append(out, publicDNS4...)
	}
	if j.IPv6.Mode != dnsModeUnused {
		out = append(out, publicDNS6...)
	}
	return out
}

// applyPublicDNS makes the change the journal prepared, with the tool
// that owns the settings.
func applyPublicDNS(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
	t, err := j.tool()
	if err != nil {
		return err
	}
	return t.apply(ctx, ch, j)
}

// restoreDNSSettings puts back what the journal recorded. It is safe to run
// when nothing was changed yet (a crash right after the journal was written):
// it then writes what is already there.
func restoreDNSSettings(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
	t, err := j.tool()
	if err != nil {
		return err
	}
	return t.restore(ctx, ch, j)
}

// runAll runs commands in order and stops at the first failure.
func runAll(ctx context.Context, ch *platform.Changes, cmds [][]string) error {
	for _, c := range cmds {
		if _, err := ch.Run(ctx, c[0], c[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// switchView describes the switch about to be made (or, on a dry run,
// that would be made).
func (j dnsJournal) switchView(dry bool) Switch {
	sw := j.view()
	sw.Previous, sw.Servers = j.previousServers(), append([]string{}, j.Public...)
	verb := "now uses"
	if dry {
		verb = "would use"
	}
	sw.Detail = fmt.Sprintf("%s %s Cloudflare's public DNS (%s, set with %s) instead of %s.",
		j.subject(), verb, strings.Join(j.Public, ", "), j.Tool, j.describePrevious())
	return sw
}

// restoreView describes the restore.
func (j dnsJournal) restoreView(dry bool) Switch {
	sw := j.view()
	sw.Previous, sw.Servers = append([]string{}, j.Public...), j.previousServers()
	verb := "is back to"
	if dry {
		verb = "would go back to"
	}
	sw.Detail = fmt.Sprintf("%s %s its previous DNS settings: %s.", j.subject(), verb, j.describePrevious())
	return sw
}

// activeView describes a switch in effect.
func (j dnsJournal) activeView() Switch {
	sw := j.view()
	sw.Previous, sw.Servers = j.previousServers(), append([]string{}, j.Public...)
	since := ""
	if !j.Written.IsZero() {
		since = " since " + j.Written.Local().Format("2006-01-02 15:04")
	}
	sw.Detail = fmt.Sprintf("Clearance switched %s to Cloudflare's public DNS (%s)%s; dns-restore puts back %s.",
		j.subject(), strings.Join(j.Public, ", "), since, j.describePrevious())
	switch j.Phase {
	case dnsPhaseApplying:
		sw.Detail = fmt.Sprintf("A switch of %s to public DNS was interrupted; the next start of the agent, or dns-restore, puts back %s.",
			j.subject(), j.describePrevious())
	case dnsPhaseRestoring:
		sw.Detail = fmt.Sprintf("Putting back the DNS settings of %s was interrupted; the next start of the agent, or dns-restore, finishes it (%s).",
			j.subject(), j.describePrevious())
	}
	return sw
}

func (j dnsJournal) view() Switch {
	iface := j.Interface.Name
	if r := j.ResolvConf; r != nil {
		iface = r.Path
	}
	return Switch{Interface: iface, Tool: j.Tool}
}

// subject names what was switched, for a sentence.
func (j dnsJournal) subject() string {
	if r := j.ResolvConf; r != nil {
		if r.Symlink {
			return fmt.Sprintf("%s (a link to %s)", r.Path, r.Target)
		}
		return r.Path
	}
	return j.Interface.Name
}
