package dnsfix

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/netstate"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
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
// stays in effect until dns-restore. The temporary files a crash left are
// removed in any case (removeDNSLeftovers). It reports whether it put
// settings back.
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
	if j.Tool == dnsToolResolvConf {
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

// applyPublicDNS makes the change the journal prepared.
func applyPublicDNS(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
	switch j.Tool {
	case dnsToolResolvConf:
		r := j.ResolvConf
		data := rewriteResolvConf(r.Content, j.Public)
		return ch.Do(ctx, fmt.Sprintf("write %s (nameserver %s)", r.Target, strings.Join(j.Public, ", ")), func(context.Context) error {
			return replaceFileContent(r.Target, data, fs.FileMode(r.Mode))
		})
	case dnsToolResolved:
		_, err := ch.Run(ctx, "resolvectl", append([]string{"dns", j.Resolved.Link}, j.Public...)...)
		return err
	case dnsToolNM:
		_, err := ch.Run(ctx, "nmcli", nmPublicArgs(*j.NM)...)
		return err
	case dnsToolNetsh:
		v4, v6 := splitFamilies(j.Public)
		return runAll(ctx, ch, netshSetArgs(*j.Netsh, v4, v6))
	case dnsToolNetworksetup:
		_, err := ch.Run(ctx, "/usr/sbin/networksetup", append([]string{"-setdnsservers", j.Networksetup.Service}, j.Public...)...)
		return err
	}
	return fmt.Errorf("unknown DNS tool %q", j.Tool)
}

// restoreDNSSettings puts back what the journal recorded. It is safe to run
// when nothing was changed yet (a crash right after the journal was written):
// it then writes what is already there.
func restoreDNSSettings(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
	switch j.Tool {
	case dnsToolResolvConf:
		r := j.ResolvConf
		return ch.Do(ctx, fmt.Sprintf("write %s (the recorded copy, %d bytes)", r.Target, len(r.Content)), func(context.Context) error {
			return replaceFileContent(r.Target, r.Content, fs.FileMode(r.Mode))
		})
	case dnsToolResolved:
		r := j.Resolved
		if len(r.Servers) == 0 {
			// The link had no servers of its own: revert drops ours. It also
			// resets the link's other settings, which were at their defaults
			// as far as `resolvectl dns` could tell.
			_, err := ch.Run(ctx, "resolvectl", "revert", r.Link)
			return err
		}
		_, err := ch.Run(ctx, "resolvectl", append([]string{"dns", r.Link}, r.Servers...)...)
		return err
	case dnsToolNM:
		_, err := ch.Run(ctx, "nmcli", nmRestoreArgs(*j.NM)...)
		return err
	case dnsToolNetsh:
		r := *j.Netsh
		return runAll(ctx, ch, netshSetArgs(r, parseNameServerValue(r.IPv4NameServer), parseNameServerValue(r.IPv6NameServer)))
	case dnsToolNetworksetup:
		r := j.Networksetup
		servers := r.Servers
		if len(servers) == 0 {
			servers = []string{"Empty"} // networksetup's word for "clear the list": DHCP-provided again
		}
		_, err := ch.Run(ctx, "/usr/sbin/networksetup", append([]string{"-setdnsservers", r.Service}, servers...)...)
		return err
	}
	return fmt.Errorf("unknown DNS tool %q", j.Tool)
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
	if j.Tool == dnsToolResolvConf {
		iface = j.ResolvConf.Path
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

// ---- Linux: which tool owns DNS, and the active interface

// linuxDNSTool decides who owns the DNS settings from what resolver
// detection read: NetworkManager when it wrote resolv.conf and runs;
// systemd-resolved when glibc asks it (stub) or it writes the server list
// (uplink file); otherwise the file itself.
func linuxDNSTool(in dnsconf.LinuxResolverInputs) string {
	info := dnsconf.DecideLinuxResolver(in)
	nmRuns := in.Processes == nil || in.Processes["NetworkManager"]
	switch {
	case info.Owner == "NetworkManager" && nmRuns:
		return dnsToolNM
	case info.Kind == dnsconf.ResolverSystemdResolved || in.ResolvConfTarget == dnsconf.ResolvedFullFile:
		return dnsToolResolved
	}
	return dnsToolResolvConf
}

// defaultRouteInterface names the interface of the default route traffic
// takes: IPv4 first, the lowest metric, the table's order between equals.
// Split defaults (a VPN's 0/1 + 128/1) are not the interface's own setting.
func defaultRouteInterface(rs []netstate.Route) (string, bool) {
	for _, v4 := range []bool{true, false} {
		best, found := netstate.Route{}, false
		for _, r := range rs {
			if !r.IsDefault() || r.Destination.Addr().Is4() != v4 || r.Interface == "" {
				continue
			}
			if !found || r.Metric < best.Metric {
				best, found = r, true
			}
		}
		if found {
			return best.Interface, true
		}
	}
	return "", false
}

// errNoDefaultRoute: without a default route there is no active interface.
var errNoDefaultRoute = errors.New("there is no default route: no network connection to switch")

// ---- plain resolv.conf

// resolvConfMarker is written above the public nameservers, so that a person
// reading the file knows who wrote them and how to undo it.
const resolvConfMarker = "# Clearance switched this file to public DNS; `clearance fix dns-restore` puts the previous servers back."

// recordResolvConfFile journals the resolv.conf at path byte for byte. When
// path is a symbolic link, the file it leads to is recorded and will be the
// one written: replacing the link would cut it from whoever maintains it.
func recordResolvConfFile(path string) (dnsJournal, error) {
	li, err := os.Lstat(path)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("read %s: %w", path, err)
	}
	rec := resolvConfRecord{Path: path, Target: path}
	if li.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return dnsJournal{}, fmt.Errorf("%s is a link to a file that cannot be read: %w", path, err)
		}
		if target, err = filepath.Abs(target); err != nil {
			return dnsJournal{}, err
		}
		rec.Symlink, rec.Target = true, target
	}
	fi, err := os.Stat(rec.Target)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("read %s: %w", rec.Target, err)
	}
	if !fi.Mode().IsRegular() {
		return dnsJournal{}, fmt.Errorf("%s is not a regular file", rec.Target)
	}
	if rec.Content, err = os.ReadFile(rec.Target); err != nil {
		return dnsJournal{}, fmt.Errorf("read %s: %w", rec.Target, err)
	}
	rec.Mode = uint32(fi.Mode().Perm())
	v4, v6 := splitFamilies(dnsconf.AddrStrings(dnsconf.ParseResolvConf(rec.Content).Nameservers))
	return dnsJournal{
		Tool:       dnsToolResolvConf,
		Interface:  dnsJournalIface{ID: rec.Target, Name: path},
		IPv4:       dnsFamilyRecord{Mode: dnsModeStatic, Servers: v4},
		IPv6:       dnsFamilyRecord{Mode: dnsModeStatic, Servers: v6},
		ResolvConf: &rec,
	}, nil
}

// rewriteResolvConf replaces the nameserver lines of a resolv.conf with
// servers, where the first one stood (at the end when there was none), under
// a comment saying who wrote them. Every other byte — search, options,
// comments, line endings — is kept.
func rewriteResolvConf(old []byte, servers []string) []byte {
	var out bytes.Buffer
	block := func() {
		out.WriteString(resolvConfMarker + "\n")
		for _, s := range servers {
			out.WriteString("nameserver " + s + "\n")
		}
	}
	written := false
	for _, line := range bytes.SplitAfter(old, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if f := strings.Fields(string(line)); len(f) > 0 && f[0] == "nameserver" {
			if !written {
				block()
				written = true
			}
			continue
		}
		out.Write(line)
	}
	if !written {
		if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			out.WriteByte('\n')
		}
		block()
	}
	return out.Bytes()
}

// replaceFileContent makes path hold data: a temporary file in the same
// directory, fsynced, renamed over path, so that readers see the old or the
// new file and never half of one. When path is a mount point (a bind mount,
// as Docker and `ip netns exec` make of /etc/resolv.conf) the rename fails
// with EBUSY; the file is then rewritten in place (writeInPlace), as it is
// when its directory is read-only.
func replaceFileContent(path string, data []byte, perm fs.FileMode) error {
	var old fs.FileInfo
	if fi, err := os.Stat(path); err == nil {
		old, perm = fi, fi.Mode().Perm()
	}
	tmp, err := writeTemp(filepath.Dir(path), fileTempPattern(path), data, perm)
	if errors.Is(err, syscall.EROFS) {
		// A read-only root with a writable bind-mounted file (a container
		// started with --read-only): only the file itself can be written.
		return writeInPlace(path, data)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dnsStep(stepFileTemp)
	if old != nil {
		err = chownLike(tmp, old)
	}
	if err == nil {
		err = platform.RenameDurable(tmp, path)
	}
	if err == nil {
		return nil
	}
	os.Remove(tmp)
	if errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EXDEV) {
		return writeInPlace(path, data)
	}
	return fmt.Errorf("write %s: %w", path, err)
}

// fileTempPattern names the temporary file that replaceFileContent writes
// beside path (os.CreateTemp puts digits in place of the star); the agent
// removes those a crash left behind at start (removeDNSLeftovers).
func fileTempPattern(path string) string { return "." + filepath.Base(path) + ".clearance-*" }

// inPlacePadding fills what writeInPlace writes up to the old file's
// length. It is a comment, so that a resolver reading the file before the
// padding is cut off reads only the new content.
const inPlacePadding = "# (padding written by Clearance, removed once the file is complete)\n"

// writeInPlace rewrites path through its own inode, keeping its mount,
// owner and mode, so that a crash leaves the old content or the new one,
// never an empty file nor a mix of both. It never truncates first: the new
// content, followed by comment lines up to at least the old length
// (padInPlace), goes to offset 0 in one write, so that no byte of the old
// content survives it; then fsync; then the padding is cut off (ftruncate,
// fsync). The cut is safe at any moment: before it, the file reads as the
// new content plus comments.
//
// What one write guarantees. Against a killed process (kill -9, the OOM
// killer): Linux copies a write(2) to a regular file into the page cache
// piece by piece (a page, or a larger folio) and looks for a fatal signal
// only between pieces, so a write that fits in one page at offset 0 (4 KiB;
// a resolv.conf is a few hundred bytes) is done whole or not at all: the
// kill lands before it or after it. A longer write can stop between pages
// and leave a mix. Against power loss nothing of the kind holds: until
// fsync returns, the new bytes may be anywhere between the page cache and
// the disk, and a disk may write some sectors of a block and not others.
// Those cases are what the journal is for: it says "applying" or
// "restoring" until the write is synced, and the next start of the agent
// writes the recorded content back (Repair).
func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s in place: %w", path, err)
	}
	err = writeInPlaceTo(f, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s in place: %w", path, err)
	}
	return nil
}

func writeInPlaceTo(f *os.File, data []byte) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	padded := padInPlace(data, fi.Size())
	if _, err := f.WriteAt(padded, 0); err != nil {
		return err
	}
	dnsStep(stepInPlaceWritten)
	if err := f.Sync(); err != nil {
		return err
	}
	dnsStep(stepInPlaceSynced)
	if len(padded) == len(data) {
		return nil // nothing of the old content was beyond the new
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	dnsStep(stepInPlaceTrimmed)
	return nil
}

// padInPlace is data followed, when it is shorter than size, by whole
// padding lines up to size or a little beyond; data that does not end a
// line gets a newline first, so that the padding stays a comment of its own.
func padInPlace(data []byte, size int64) []byte {
	if int64(len(data)) >= size {
		return data
	}
	out := append(make([]byte, 0, size+int64(len(inPlacePadding))), data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for int64(len(out)) < size {
		out = append(out, inPlacePadding...)
	}
	return out
}

// ---- systemd-resolved

// recordResolved journals the link's own DNS servers, as
// `resolvectl dns LINK` prints them.
func recordResolved(ctx context.Context, read platform.Runner, link string) (dnsJournal, error) {
	out, err := read.Run(ctx, "resolvectl", "dns", link)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("ask systemd-resolved for the DNS servers of %s: %w", link, err)
	}
	servers, err := parseResolvectlDNS(out, link)
	if err != nil {
		return dnsJournal{}, err
	}
	// One list for both families: the link has servers of its own or not.
	v4, v6 := familyRecords(servers, len(servers) == 0)
	return dnsJournal{
		Tool:      dnsToolResolved,
		Interface: dnsJournalIface{ID: link, Name: link},
		IPv4:      v4,
		IPv6:      v6,
		Resolved:  &resolvedRecord{Link: link, Servers: servers},
	}, nil
}

// parseResolvectlDNS reads `resolvectl dns LINK`: "Link 2 (eth0): 67.207.67.3
// 67.207.67.2" — nothing after the colon when the link has no servers of its
// own; a long list goes on over indented lines (resolvectl.c,
// status_print_strv). The servers are kept verbatim: "ADDRESS[:PORT]
// [%IFINDEX][#NAME]" is also what `resolvectl dns LINK …` takes.
func parseResolvectlDNS(out []byte, link string) ([]string, error) {
	var servers []string
	found := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
		case found && (line[0] == ' ' || line[0] == '\t'):
			servers = append(servers, strings.Fields(line)...)
		case !found && strings.HasPrefix(line, "Link "):
			head, rest, ok := strings.Cut(line, "):")
			open := strings.IndexByte(head, '(')
			if !ok || open < 0 || head[open+1:] != link {
				return nil, fmt.Errorf("resolvectl answered about another link than %s: %q", link, line)
			}
			found = true
			servers = append(servers, strings.Fields(rest)...)
		default:
			return nil, fmt.Errorf("unexpected resolvectl output: %q", line)
		}
	}
	if !found {
		return nil, fmt.Errorf("resolvectl printed nothing about %s", link)
	}
	return servers, nil
}

// ---- NetworkManager

// recordNM journals the DNS settings of the connection active on dev, one
// nmcli call per value so that no field separator needs parsing. Escaping
// is off: IPv6 addresses are printed with their colons as they are.
func recordNM(ctx context.Context, read platform.Runner, dev string) (dnsJournal, error) {
	out, err := read.Run(ctx, "nmcli", "-e", "no", "-g", "UUID,DEVICE", "connection", "show", "--active")
	if err != nil {
		return dnsJournal{}, fmt.Errorf("ask NetworkManager for the connection on %s: %w", dev, err)
	}
	uuid, err := nmcliConnectionOn(out, dev)
	if err != nil {
		return dnsJournal{}, err
	}
	rec := nmRecord{Device: dev, UUID: uuid}
	for _, f := range []struct {
		field string
		dst   *string
	}{
		{"ipv4.method", &rec.IPv4Method}, {"ipv4.dns", &rec.IPv4DNS}, {"ipv4.ignore-auto-dns", &rec.IPv4IgnoreAutoDNS},
		{"ipv6.method", &rec.IPv6Method}, {"ipv6.dns", &rec.IPv6DNS}, {"ipv6.ignore-auto-dns", &rec.IPv6IgnoreAutoDNS},
	} {
		out, err := read.Run(ctx, "nmcli", "-e", "no", "-g", f.field, "connection", "show", "uuid", uuid)
		if err != nil {
			return dnsJournal{}, fmt.Errorf("ask NetworkManager for %s of %s: %w", f.field, dev, err)
		}
		*f.dst = nmcliValue(out)
	}
	fam := func(usable bool, dns, ignore string) dnsFamilyRecord {
		switch {
		case !usable:
			return dnsFamilyRecord{Mode: dnsModeUnused}
		case dns == "" && ignore != "yes":
			return dnsFamilyRecord{Mode: dnsModeAutomatic}
		}
		return dnsFamilyRecord{Mode: dnsModeStatic, Servers: platform.SplitList(dns, ", \t")}
	}
	return dnsJournal{
		Tool:      dnsToolNM,
		Interface: dnsJournalIface{ID: uuid, Name: dev},
		IPv4:      fam(nmDNSAllowed(4, rec.IPv4Method), rec.IPv4DNS, rec.IPv4IgnoreAutoDNS),
		IPv6:      fam(nmDNSAllowed(6, rec.IPv6Method), rec.IPv6DNS, rec.IPv6IgnoreAutoDNS),
		NM:        &rec,
	}, nil
}

// nmDNSAllowed: NetworkManager refuses DNS servers for these methods
// ("this property is not allowed for 'method=…'", nm-setting-ip4-config.c
// and nm-setting-ip6-config.c), so such a family is left alone.
func nmDNSAllowed(family int, method string) bool {
	if family == 4 {
		return !slices.Contains([]string{"link-local", "shared", "disabled"}, method)
	}
	return !slices.Contains([]string{"ignore", "link-local", "disabled"}, method)
}

// nmcliConnectionOn finds the active connection's UUID for dev in
// `nmcli -e no -g UUID,DEVICE connection show --active` ("UUID:DEVICE"
// lines; a UUID has no colon).
func nmcliConnectionOn(out []byte, dev string) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		uuid, d, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if ok && d == dev && uuid != "" {
			return uuid, nil
		}
	}
	return "", fmt.Errorf("NetworkManager has no active connection on %s", dev)
}

// nmcliValue is one value printed by `nmcli -g`; "--" is nmcli's empty.
func nmcliValue(out []byte) string {
	v := strings.TrimSpace(string(out))
	if v == "--" {
		return ""
	}
	return v
}

// nmPublicArgs switches the device's applied connection (runtime only: the
// saved profile is untouched, so a reboot also undoes it).
func nmPublicArgs(r nmRecord) []string {
	args := []string{"device", "modify", r.Device}
	if nmDNSAllowed(4, r.IPv4Method) {
		args = append(args, "ipv4.dns", strings.Join(publicDNS4, ","), "ipv4.ignore-auto-dns", "yes")
	}
	if nmDNSAllowed(6, r.IPv6Method) {
		args = append(args, "ipv6.dns", strings.Join(publicDNS6, ","), "ipv6.ignore-auto-dns", "yes")
	}
	return args
}

// nmRestoreArgs writes the recorded values back, the empty list included.
func nmRestoreArgs(r nmRecord) []string {
	args := []string{"device", "modify", r.Device}
	if nmDNSAllowed(4, r.IPv4Method) {
		args = append(args, "ipv4.dns", r.IPv4DNS, "ipv4.ignore-auto-dns", nmYesNo(r.IPv4IgnoreAutoDNS))
	}
	if nmDNSAllowed(6, r.IPv6Method) {
		args = append(args, "ipv6.dns", r.IPv6DNS, "ipv6.ignore-auto-dns", nmYesNo(r.IPv6IgnoreAutoDNS))
	}
	return args
}

func nmYesNo(v string) string {
	if v == "yes" {
		return "yes"
	}
	return "no"
}

// ---- Windows

// netshJournal journals a Windows adapter from its registry values:
// NameServer under Tcpip (IPv4) and Tcpip6 (IPv6) …\Interfaces\{GUID},
// empty or absent for DHCP. v6Index 0 means the adapter has no IPv6.
func netshJournal(ifIndex, v6Index uint32, guid, name, v4NameServer, v6NameServer string) dnsJournal {
	fam := func(value string, present bool) dnsFamilyRecord {
		switch servers := parseNameServerValue(value); {
		case !present:
			return dnsFamilyRecord{Mode: dnsModeUnused}
		case len(servers) == 0:
			return dnsFamilyRecord{Mode: dnsModeAutomatic}
		default:
			return dnsFamilyRecord{Mode: dnsModeStatic, Servers: servers}
		}
	}
	rec := netshRecord{GUID: guid, IfIndex: ifIndex, IPv6IfIndex: v6Index, IPv4NameServer: v4NameServer, IPv6NameServer: v6NameServer}
	return dnsJournal{
		Tool:      dnsToolNetsh,
		Interface: dnsJournalIface{ID: guid, Name: name, Index: int(ifIndex)},
		IPv4:      fam(v4NameServer, true),
		IPv6:      fam(v6NameServer, v6Index != 0),
		Netsh:     &rec,
	}
}

// parseNameServerValue splits the registry's NameServer: commas as Windows
// and Tailscale write it, spaces in older values.
func parseNameServerValue(v string) []string { return platform.SplitList(v, ", \t") }

// netshSetArgs sets each family's list by interface index (the name is
// localized and may be renamed): the first server with "set", the others
// with "add … index=N"; an empty list goes back to DHCP. validate=no keeps
// netsh from querying the servers, which fails offline and takes seconds.
func netshSetArgs(r netshRecord, v4, v6 []string) [][]string {
	var cmds [][]string
	family := func(proto string, index uint32, servers []string) {
		name := "name=" + strconv.FormatUint(uint64(index), 10)
		if len(servers) == 0 {
			cmds = append(cmds, []string{"netsh", "interface", proto, "set", "dnsservers", name, "source=dhcp"})
			return
		}
		cmds = append(cmds, []string{"netsh", "interface", proto, "set", "dnsservers", name, "source=static",
			"address=" + servers[0], "register=primary", "validate=no"})
		for i, s := range servers[1:] {
			cmds = append(cmds, []string{"netsh", "interface", proto, "add", "dnsservers", name,
				"address=" + s, "index=" + strconv.Itoa(i+2), "validate=no"})
		}
	}
	family("ipv4", r.IfIndex, v4)
	if r.IPv6IfIndex != 0 {
		family("ipv6", r.IPv6IfIndex, v6)
	}
	return cmds
}

// winDefaultIfIndex picks the interface of the default route Windows uses:
// IPv4 first, the lowest route-plus-interface metric.
func winDefaultIfIndex(rows []netstate.WinRoute) (uint32, bool) {
	for _, want := range []string{"0.0.0.0/0", "::/0"} {
		var best netstate.WinRoute
		found := false
		for _, r := range rows {
			if r.Destination != want {
				continue
			}
			if !found || r.Metric+r.IfMetric < best.Metric+best.IfMetric {
				best, found = r, true
			}
		}
		if found {
			return best.IfIndex, true
		}
	}
	return 0, false
}

// ---- macOS

// macService is one entry of `networksetup -listnetworkserviceorder`.
type macService struct {
	Name, Port, Device string
	Enabled            bool
}

// parseNetworkServiceOrder reads `networksetup -listnetworkserviceorder`:
// a legend, then per service "(1) Wi-Fi" ("(*)" when disabled) and
// "(Hardware Port: Wi-Fi, Device: en0)" (the device is empty for some VPNs).
func parseNetworkServiceOrder(out []byte) []macService {
	var list []macService
	var cur *macService
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "(Hardware Port: "); ok && cur != nil {
			rest = strings.TrimSuffix(rest, ")")
			if i := strings.LastIndex(rest, ", Device: "); i >= 0 {
				cur.Port, cur.Device = rest[:i], strings.TrimSpace(rest[i+len(", Device: "):])
			} else {
				cur.Port = rest
			}
			list = append(list, *cur)
			cur = nil
			continue
		}
		if !strings.HasPrefix(line, "(") {
			continue
		}
		tag, name, ok := strings.Cut(line[1:], ") ")
		if !ok {
			continue
		}
		if _, err := strconv.Atoi(tag); err != nil && tag != "*" {
			continue
		}
		cur = &macService{Name: name, Enabled: tag != "*"}
	}
	return list
}

// macServiceFor is the first enabled service on dev, in service order: the
// one macOS uses for it.
func macServiceFor(list []macService, dev string) (string, bool) {
	for _, s := range list {
		if s.Enabled && s.Device == dev {
			return s.Name, true
		}
	}
	return "", false
}

// parseGetDNSServers reads `networksetup -getdnsservers SERVICE`: one
// address per line, or "There aren't any DNS Servers set on Wi-Fi." when
// they come from DHCP. networksetup may exit 0 with an error message, so
// anything else is an error.
func parseGetDNSServers(out []byte) (servers []string, automatic bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "There aren't any DNS Servers set on"):
			automatic = true
		default:
			if _, perr := netip.ParseAddr(line); perr != nil {
				return nil, false, fmt.Errorf("unexpected networksetup output: %q", line)
			}
			servers = append(servers, line)
		}
	}
	if automatic == (len(servers) > 0) {
		return nil, false, fmt.Errorf("unexpected networksetup output: %q", strings.TrimSpace(string(out)))
	}
	return servers, automatic, nil
}

// recordNetworksetup journals the DNS servers of the service on dev.
func recordNetworksetup(ctx context.Context, read platform.Runner, dev string) (dnsJournal, error) {
	out, err := read.Run(ctx, "/usr/sbin/networksetup", "-listnetworkserviceorder")
	if err != nil {
		return dnsJournal{}, fmt.Errorf("list the network services: %w", err)
	}
	service, ok := macServiceFor(parseNetworkServiceOrder(out), dev)
	if !ok {
		return dnsJournal{}, fmt.Errorf("no enabled network service uses %s", dev)
	}
	out, err = read.Run(ctx, "/usr/sbin/networksetup", "-getdnsservers", service)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("ask for the DNS servers of %s: %w", service, err)
	}
	servers, automatic, err := parseGetDNSServers(out)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("read the DNS servers of %s: %w", service, err)
	}
	v4, v6 := familyRecords(servers, automatic)
	return dnsJournal{
		Tool:         dnsToolNetworksetup,
		Interface:    dnsJournalIface{ID: service, Name: service},
		IPv4:         v4,
		IPv6:         v6,
		Networksetup: &networksetupRecord{Service: service, Servers: servers},
	}, nil
}

// familyRecords records one list that covers both families (a resolved
// link's, a macOS service's), split by family, with one mode for both.
func familyRecords(servers []string, automatic bool) (v4, v6 dnsFamilyRecord) {
	mode := dnsModeStatic
	if automatic {
		mode = dnsModeAutomatic
	}
	a, b := splitFamilies(servers)
	return dnsFamilyRecord{Mode: mode, Servers: a}, dnsFamilyRecord{Mode: mode, Servers: b}
}
