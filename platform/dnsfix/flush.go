package dnsfix

// The dns-flush fix. What to flush follows from the resolver detected
// (resolver*.go); how, from the cache's kind. The decision and the order of
// commands are untagged, so that every OS's path is tested on every OS with
// a fake runner; the per-OS files (flush_linux.go …) only supply the
// in-process operations (a D-Bus call, a signal, a DLL call) in flushOps.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
)

// FlushResult says what a DNS flush cleared.
type FlushResult struct {
	// Flushed are the caches cleared, in order (on a dry run: those that
	// would be). Empty means there was nothing to flush. After an error it
	// lists the caches cleared before it.
	Flushed []dnsconf.ResolverKind
	// Detail is one plain sentence for a person.
	Detail string
}

// Flush detects the resolver in use and flushes every OS-level cache in
// front of it. "There is no cache" is a result (empty Flushed), not an
// error. Reads (detection, finding a dnsmasq's process) go through read and
// happen on a dry run too; every flush goes through ch.
func Flush(ctx context.Context, read platform.Runner, ch *platform.Changes) (FlushResult, error) {
	info, err := dnsconf.Resolver(ctx, read, host.ReadProcesses)
	if err != nil {
		return FlushResult{}, fmt.Errorf("find the DNS resolver to flush: %w", err)
	}
	return flushDNS(ctx, info, ch, systemFlushOps())
}

// flushOps are the flushes done in process rather than by a command. A nil
// operation is one this OS does not have; the step then falls back to its
// command or fails.
type flushOps struct {
	// resolvedFlush calls systemd-resolved's FlushCaches over D-Bus.
	resolvedFlush func(context.Context) error
	// dnsmasqPIDs finds the dnsmasq processes that serve addr.
	dnsmasqPIDs func(addr netip.Addr) ([]int, error)
	// hangup sends SIGHUP to a process.
	hangup func(pid int) error
	// windowsFlush calls DnsFlushResolverCache.
	windowsFlush func(context.Context) error
}

// flushDNS flushes the caches of info, in the order a query meets them.
func flushDNS(ctx context.Context, info dnsconf.ResolverInfo, ch *platform.Changes, ops flushOps) (FlushResult, error) {
	var res FlushResult
	caches := cachesToFlush(info)
	for _, kind := range caches {
		if err := flushCache(ctx, kind, info, ch, ops); err != nil {
			res.Detail = flushedDetail(res.Flushed, ch.DryRun())
			return res, fmt.Errorf("flush the %s cache: %w", kind.Name(), err)
		}
		res.Flushed = append(res.Flushed, kind)
	}
	if info.Kind == dnsconf.ResolverLocal {
		res.Detail = flushedDetail(res.Flushed, ch.DryRun())
		return res, fmt.Errorf("a DNS server on this machine (%s) answers, but it is none that Clearance knows how to flush "+
			"(systemd-resolved, dnsmasq, unbound); restarting that program clears its cache", resolverAddr(info))
	}
	if len(res.Flushed) == 0 {
		res.Detail = nothingToFlush(info)
		return res, nil
	}
	res.Detail = flushedDetail(res.Flushed, ch.DryRun())
	return res, nil
}

// cachesToFlush are info's caches, with the resolver's own cache added when
// its kind always caches and left out when it is known not to run: a
// stopped cache holds nothing, and asking systemd-resolved over D-Bus would
// start it. (Windows reports no cache when it could not ask whether the DNS
// Client runs; it nearly always does.)
func cachesToFlush(info dnsconf.ResolverInfo) []dnsconf.ResolverKind {
	stopped := info.Running != nil && !*info.Running
	out := make([]dnsconf.ResolverKind, 0, len(info.Caches)+1)
	for _, c := range info.Caches {
		if c == info.Kind && stopped {
			continue
		}
		out = append(out, c)
	}
	if info.Kind.Name() != "" && !stopped && !slices.Contains(out, info.Kind) {
		out = append(out, info.Kind)
	}
	return out
}

// flushCache clears one cache.
func flushCache(ctx context.Context, kind dnsconf.ResolverKind, info dnsconf.ResolverInfo, ch *platform.Changes, ops flushOps) error {
	switch kind {
	case dnsconf.ResolverSystemdResolved:
		return flushResolved(ctx, ch, ops)
	case dnsconf.ResolverNscd:
		_, err := ch.Run(ctx, "nscd", "-i", "hosts")
		return err
	case dnsconf.ResolverDnsmasq:
		return flushDnsmasq(ctx, info, ch, ops)
	case dnsconf.ResolverUnbound:
		// flush_zone . removes everything at or below the root from the
		// cache (unbound-control(8)); reload would also re-read the
		// configuration, and a broken one would take DNS down with it.
		_, err := ch.Run(ctx, "unbound-control", "flush_zone", ".")
		return err
	case dnsconf.ResolverWindowsDNSClient:
		return flushWindows(ctx, ch, ops)
	case dnsconf.ResolverMDNSResponder:
		// killall -HUP is what clears mDNSResponder's cache; guides add
		// dscacheutil for the Directory Service cache, which is harmless.
		if _, err := ch.Run(ctx, "/usr/bin/dscacheutil", "-flushcache"); err != nil {
			return err
		}
		_, err := ch.Run(ctx, "/usr/bin/killall", "-HUP", "mDNSResponder")
		return err
	}
	return fmt.Errorf("no way to flush %q", kind)
}

// flushResolved asks resolved over D-Bus, as Tailscale does, and falls back
// to resolvectl, then to systemd-resolve on systemd older than 239, which
// has no resolvectl.
func flushResolved(ctx context.Context, ch *platform.Changes, ops flushOps) error {
	dbusErr := errors.New("no D-Bus on this system")
	if ops.resolvedFlush != nil {
		dbusErr = ch.Do(ctx, "resolvectl flush-caches", ops.resolvedFlush)
		if dbusErr == nil {
			return nil
		}
	}
	_, err := ch.Run(ctx, "resolvectl", "flush-caches")
	var ee *platform.ExitError
	if err != nil && !errors.As(err, &ee) {
		_, err = ch.Run(ctx, "systemd-resolve", "--flush-caches")
	}
	if err != nil {
		return fmt.Errorf("over D-Bus: %w; with the command: %w", dbusErr, err)
	}
	return nil
}

// flushDnsmasq sends SIGHUP, which makes dnsmasq clear its cache, to the
// dnsmasq that serves the configured address, and only to it: a machine may
// run others (libvirt's, for its virtual networks) whose caches are not this
// machine's.
func flushDnsmasq(ctx context.Context, info dnsconf.ResolverInfo, ch *platform.Changes, ops flushOps) error {
	if ops.dnsmasqPIDs == nil || ops.hangup == nil {
		return platform.ErrNotSupported
	}
	addr := resolverAddr(info)
	pids, err := ops.dnsmasqPIDs(addr)
	if err != nil {
		return err
	}
	for _, pid := range pids {
		err := ch.Do(ctx, "kill -HUP "+strconv.Itoa(pid), func(context.Context) error { return ops.hangup(pid) })
		if err != nil {
			return fmt.Errorf("signal dnsmasq (pid %d): %w", pid, err)
		}
	}
	return nil
}

// flushWindows calls DnsFlushResolverCache, which is undocumented, and falls
// back to ipconfig, judged by its exit status since its text is localized.
func flushWindows(ctx context.Context, ch *platform.Changes, ops flushOps) error {
	apiErr := errors.New("DnsFlushResolverCache is not available")
	if ops.windowsFlush != nil {
		apiErr = ch.Do(ctx, "ipconfig /flushdns", ops.windowsFlush)
		if apiErr == nil {
			return nil
		}
	}
	if _, err := ch.Run(ctx, "ipconfig", "/flushdns"); err != nil {
		return fmt.Errorf("DnsFlushResolverCache: %w; ipconfig /flushdns: %w", apiErr, err)
	}
	return nil
}

// resolverAddr is the address glibc sends queries to first: the first
// configured server, or this machine when none is.
func resolverAddr(info dnsconf.ResolverInfo) netip.Addr {
	for _, s := range info.Servers {
		if a, err := netip.ParseAddr(s); err == nil {
			return a.WithZone("")
		}
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// flushedDetail is the sentence for caches cleared: "Flushed the nscd and
// systemd-resolved caches."; "" when none was.
func flushedDetail(kinds []dnsconf.ResolverKind, dryRun bool) string {
	if len(kinds) == 0 {
		return ""
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name()
	}
	verb := "Flushed"
	if dryRun {
		verb = "Would flush"
	}
	if len(names) == 1 {
		return verb + " the " + names[0] + " cache."
	}
	return verb + " the " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " caches."
}

// nothingToFlush says why there was nothing to clear.
func nothingToFlush(info dnsconf.ResolverInfo) string {
	if name := info.Kind.Name(); name != "" && info.Running != nil && !*info.Running {
		if info.Kind == dnsconf.ResolverWindowsDNSClient {
			name = "the " + name + " service"
		}
		return "Nothing to flush: " + name + " is not running, so it holds no DNS cache."
	}
	if len(info.Servers) == 0 {
		return "Nothing to flush: this machine has no DNS cache."
	}
	return "Nothing to flush: this machine has no DNS cache (queries go straight to " + strings.Join(info.Servers, ", ") + ")."
}

// procSocket is one socket of /proc/net/{udp,udp6,tcp,tcp6}.
type procSocket struct {
	Local netip.AddrPort
	Inode uint64 // what /proc/PID/fd/N links to as "socket:[INODE]"
}

// parseProcNetSockets returns the bound, unconnected UDP sockets (udp true)
// or listening TCP sockets of one /proc/net table, with their inodes, which
// ParseProcNetListeners leaves out. Inode is the tenth column in all four
// tables.
func parseProcNetSockets(data []byte, udp bool) ([]procSocket, error) {
	want := host.ProcNetTCPListen
	if udp {
		want = host.ProcNetUDPBound
	}
	var out []procSocket
	sc := bufio.NewScanner(bytes.NewReader(data))
	for first := true; sc.Scan(); first = false {
		f := strings.Fields(sc.Text())
		if first || len(f) < 10 || f[3] != want {
			continue // the header line, or another state
		}
		ap, err := host.ParseProcNetAddr(f[1])
		if err != nil {
			return nil, fmt.Errorf("parse /proc/net line %q: %w", sc.Text(), err)
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse /proc/net line %q: bad inode: %w", sc.Text(), err)
		}
		out = append(out, procSocket{Local: ap, Inode: inode})
	}
	return out, sc.Err()
}

// dnsmasqPIDsIn finds, in a Linux /proc tree (fsys rooted at "/"), the
// dnsmasq processes holding a UDP socket on port 53 that receives queries
// sent to addr: bound to it, or to the wildcard address. /proc/net shows the
// reader's network namespace, so only this namespace's sockets are matched.
// Reading other users' /proc/PID/fd needs root, as the flush itself does.
// A dnsmasq forked to answer one TCP connection inherits its parent's
// sockets: only the parent is returned.
func dnsmasqPIDsIn(fsys fs.FS, addr netip.Addr) ([]int, error) {
	inodes := map[uint64]bool{}
	for _, table := range []string{"proc/net/udp", "proc/net/udp6"} {
		data, err := fs.ReadFile(fsys, table)
		if err != nil {
			continue // no IPv6
		}
		socks, err := parseProcNetSockets(data, true)
		if err != nil {
			return nil, err
		}
		for _, s := range socks {
			if s.Local.Port() == 53 && (s.Local.Addr() == addr || s.Local.Addr().IsUnspecified()) {
				inodes[s.Inode] = true
			}
		}
	}
	if len(inodes) == 0 {
		return nil, fmt.Errorf("nothing on this machine listens for DNS on %s", addr)
	}
	comms, _, err := host.ProcComms(fsys)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	found := map[int]bool{}
	for pid, comm := range comms {
		if comm == "dnsmasq" && holdsSocket(fsys, pid, inodes) {
			n, _ := strconv.Atoi(pid)
			found[n] = true
		}
	}
	var pids []int
	for pid := range found {
		if !found[parentPID(fsys, pid)] {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	if len(pids) == 0 {
		return nil, fmt.Errorf("no dnsmasq process holds the DNS socket on %s", addr)
	}
	return pids, nil
}

// holdsSocket reports whether one of pid's descriptors is one of the sockets.
func holdsSocket(fsys fs.FS, pid string, inodes map[uint64]bool) bool {
	dir := "proc/" + pid + "/fd"
	fds, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return false // ended, or not ours to read
	}
	for _, fd := range fds {
		target, err := fs.ReadLink(fsys, dir+"/"+fd.Name())
		if err != nil {
			continue
		}
		num, ok := strings.CutPrefix(target, "socket:[")
		num, ok2 := strings.CutSuffix(num, "]")
		if !ok || !ok2 {
			continue
		}
		if inode, err := strconv.ParseUint(num, 10, 64); err == nil && inodes[inode] {
			return true
		}
	}
	return false
}

// parentPID reads PPid from /proc/PID/status; 0 when unknown.
func parentPID(fsys fs.FS, pid int) int {
	data, err := fs.ReadFile(fsys, "proc/"+strconv.Itoa(pid)+"/status")
	if err != nil {
		return 0
	}
	for _, line := range platform.OutputLines(data) {
		if v, ok := strings.CutPrefix(line, "PPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}
