package dnsconf

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"slices"

	"github.com/clearance-app/clearance/platform/host"
)

// LinuxResolverInputs is what the Linux decision reads from the system.
// It is gathered from an fs.FS so that the whole path, files included, is
// tested on every OS from testdata.
type LinuxResolverInputs struct {
	// ResolvConfTarget is where /etc/resolv.conf points, as an absolute
	// path; "" when it is a plain file.
	ResolvConfTarget string
	ResolvConf       ResolvConf
	// NSSHosts are the sources of nsswitch.conf's hosts line.
	NSSHosts []string
	// Listeners are the local sockets on port 53 (UDP or TCP).
	Listeners []netip.AddrPort
	// Processes are the running processes' names (/proc/PID/comm, which
	// the kernel cuts to 15 bytes: "systemd-resolve"). Nil when they could
	// not all be read: then nothing is concluded from absence.
	Processes map[string]bool
}

// Where systemd-resolved's stub configuration lives: a resolv.conf that
// points here sends every glibc query to 127.0.0.53.
var resolvedStubFiles = []string{
	"/run/systemd/resolve/stub-resolv.conf",
	"/usr/lib/systemd/resolv.conf",
	"/lib/systemd/resolv.conf",
}

// ResolvedFullFile is resolved's "uplink" mode: it lists the real servers,
// and glibc asks them directly.
const ResolvedFullFile = "/run/systemd/resolve/resolv.conf"

// ReadLinuxResolverInputs reads the files the decision needs from fsys,
// rooted at "/", and the process names from procs. Only resolv.conf is
// required; the rest is best effort.
func ReadLinuxResolverInputs(ctx context.Context, fsys fs.FS, procs host.ProcessReader) (LinuxResolverInputs, error) {
	var in LinuxResolverInputs
	rc, err := fs.ReadFile(fsys, "etc/resolv.conf")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// glibc then asks a server on this machine; the decision handles it.
	case err != nil:
		return in, fmt.Errorf("read /etc/resolv.conf: %w", err)
	default:
		in.ResolvConf = ParseResolvConf(rc)
	}
	if target, err := fs.ReadLink(fsys, "etc/resolv.conf"); err == nil {
		if !path.IsAbs(target) {
			target = path.Join("/etc", target)
		}
		in.ResolvConfTarget = path.Clean(target)
	}
	if ns, err := fs.ReadFile(fsys, "etc/nsswitch.conf"); err == nil {
		in.NSSHosts = ParseNSSwitchHosts(ns)
	}
	// Listeners only tell which local server answers: read them only when
	// the first nameserver is on this machine. The kernel builds the TCP
	// tables by walking every socket, which is slow on a busy desktop.
	if firstNameserverIsLocal(in.ResolvConf) {
		in.Listeners = readDNSListeners(fsys)
	}
	in.Processes = processNameSet(procs(ctx))
	return in, nil
}

// readDNSListeners returns the sockets bound to port 53. A missing file (no
// IPv6) or a line it cannot parse only loses that file's listeners.
func readDNSListeners(fsys fs.FS) []netip.AddrPort {
	var out []netip.AddrPort
	for _, f := range []struct {
		name string
		udp  bool
	}{{"udp", true}, {"udp6", true}, {"tcp", false}, {"tcp6", false}} {
		if !f.udp && len(out) > 0 {
			break // a DNS server listens on UDP: the TCP tables add nothing
		}
		data, err := fs.ReadFile(fsys, "proc/net/"+f.name)
		if err != nil {
			continue
		}
		ls, err := host.ParseProcNetListeners(data, f.udp)
		if err != nil {
			continue
		}
		for _, l := range ls {
			if l.Port() == 53 && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// processNameSet is the set of running processes' names. Names (comm) need
// no privilege, unlike mapping a socket to its process through /proc/PID/fd.
// When the list is partial (hidepid hides other users' processes) or could
// not be read, it is nil, so that a resolver is never called "not running"
// for want of seeing it.
func processNameSet(p host.Processes, err error) map[string]bool {
	if err != nil || !p.Complete {
		return nil
	}
	names := map[string]bool{}
	for _, name := range p.ByPID {
		names[name] = true
	}
	return names
}

// DecideLinuxResolver names the resolver from what was read. The order
// follows how glibc resolves: nsswitch first, then the first nameserver.
func DecideLinuxResolver(in LinuxResolverInputs) ResolverInfo {
	rc := in.ResolvConf
	info := ResolverInfo{Owner: rc.Owner, Servers: AddrStrings(rc.Nameservers)}
	if in.ResolvConfTarget == ResolvedFullFile || slices.Contains(resolvedStubFiles, in.ResolvConfTarget) {
		info.Owner = "systemd-resolved"
	}
	var caches []ResolverKind
	if in.Processes["nscd"] {
		caches = append(caches, ResolverNscd)
	}
	running := func(names ...string) *bool {
		if in.Processes == nil {
			return nil
		}
		for _, n := range names {
			if in.Processes[n] {
				return resolvBool(true)
			}
		}
		return resolvBool(false)
	}
	resolvedRunning := running("systemd-resolve", "systemd-resolved")

	switch {
	case usesResolvedStub(in), resolveBeforeDNS(in.NSSHosts) && resolvedRunning != nil && *resolvedRunning:
		info.Kind, info.Running = ResolverSystemdResolved, resolvedRunning
		caches = append(caches, ResolverSystemdResolved)
	case firstNameserverIsLocal(rc):
		info.Kind = localResolverKind(in)
		if info.Kind != ResolverLocal {
			info.Running = resolvBool(true)
			caches = append(caches, info.Kind)
		} else if listensOn(in.Listeners, firstNameserver(rc)) {
			info.Running = resolvBool(true)
		}
	case len(caches) > 0:
		info.Kind = ResolverNscd
	default:
		info.Kind = ResolverUpstream
	}
	info.Caches = caches
	info.Detail = describeResolver(info)
	return info
}

// usesResolvedStub: resolv.conf points to, or names, resolved's stub.
func usesResolvedStub(in LinuxResolverInputs) bool {
	if slices.Contains(resolvedStubFiles, in.ResolvConfTarget) {
		return true
	}
	for _, a := range in.ResolvConf.Nameservers {
		if a == netip.AddrFrom4([4]byte{127, 0, 0, 53}) || a == netip.AddrFrom4([4]byte{127, 0, 0, 54}) {
			return true
		}
	}
	return false
}

// firstNameserver is the server glibc asks first; with none configured
// glibc asks the local machine.
func firstNameserver(rc ResolvConf) netip.Addr {
	if len(rc.Nameservers) == 0 {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return rc.Nameservers[0]
}

func firstNameserverIsLocal(rc ResolvConf) bool {
	a := firstNameserver(rc)
	return a.IsLoopback() || a.IsUnspecified()
}

// localResolverKind names the local DNS server when exactly one known one
// runs; with none or several, it stays "local" rather than guess.
func localResolverKind(in LinuxResolverInputs) ResolverKind {
	var found []ResolverKind
	if in.Processes["dnsmasq"] {
		found = append(found, ResolverDnsmasq)
	}
	if in.Processes["unbound"] {
		found = append(found, ResolverUnbound)
	}
	if len(found) == 1 && len(in.Listeners) > 0 {
		return found[0]
	}
	return ResolverLocal
}

// listensOn reports whether a socket on port 53 serves addr, directly or
// through a wildcard bind.
func listensOn(ls []netip.AddrPort, addr netip.Addr) bool {
	for _, l := range ls {
		if l.Addr() == addr.WithZone("") || l.Addr().IsUnspecified() {
			return true
		}
	}
	return false
}

// AddrStrings renders addresses for data and messages.
func AddrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

func resolvBool(v bool) *bool { return &v }
