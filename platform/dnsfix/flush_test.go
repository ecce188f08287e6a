package dnsfix

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// flushOpsLog records which in-process flushes were called.
type flushOpsLog struct {
	calls []string
}

// ops returns operations that log their call and fail with the given error
// (nil: succeed); dnsmasqPIDs answers pids.
func (l *flushOpsLog) ops(fail map[string]error, pids []int) flushOps {
	return flushOps{
		resolvedFlush: func(context.Context) error {
			l.calls = append(l.calls, "dbus FlushCaches")
			return fail["dbus"]
		},
		dnsmasqPIDs: func(addr netip.Addr) ([]int, error) {
			l.calls = append(l.calls, "find dnsmasq on "+addr.String())
			return pids, fail["find"]
		},
		hangup: func(pid int) error {
			l.calls = append(l.calls, "SIGHUP "+strconv.Itoa(pid))
			return fail["hangup"]
		},
		windowsFlush: func(context.Context) error {
			l.calls = append(l.calls, "DnsFlushResolverCache")
			return fail["windows"]
		},
	}
}

var (
	//lint:ignore ST1005 recorded: D-Bus's own error text, as resolvectl shows it
	errDBus     = errors.New("The name org.freedesktop.resolve1 was not provided by any .service files")
	errExit1    = &platform.ExitError{Code: 1}
	errNotFound = errors.New(`exec: "resolvectl": executable file not found in $PATH`)
)

// The whole decision of Flush for every OS's resolver: which caches, in
// which order, by which exact commands or in-process calls, and what a
// person reads afterwards.
func TestFlushDNSPlans(t *testing.T) {
	running, stopped := new(true), new(false)
	resolved := dnsconf.ResolverInfo{Kind: dnsconf.ResolverSystemdResolved, Caches: []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}, Servers: []string{"127.0.0.53"}, Running: running}
	win := dnsconf.ResolverInfo{Kind: dnsconf.ResolverWindowsDNSClient, Caches: []dnsconf.ResolverKind{dnsconf.ResolverWindowsDNSClient}, Running: running, Servers: []string{"192.168.1.1"}}
	tests := []struct {
		name     string
		info     dnsconf.ResolverInfo
		dryRun   bool
		fail     map[string]error
		answers  map[string]platformtest.Answer
		pids     []int
		commands []string // what Changes recorded
		ran      []string // what the runner ran
		opsCalls []string // in-process calls
		flushed  []dnsconf.ResolverKind
		detail   string
		errHas   string
	}{
		{
			name: "systemd-resolved over D-Bus", info: resolved,
			commands: []string{"resolvectl flush-caches"}, opsCalls: []string{"dbus FlushCaches"},
			flushed: []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}, detail: "Flushed the systemd-resolved cache.",
		},
		{
			name: "systemd-resolved, D-Bus fails: resolvectl", info: resolved, fail: map[string]error{"dbus": errDBus},
			answers:  map[string]platformtest.Answer{"resolvectl flush-caches": {}},
			commands: []string{"resolvectl flush-caches", "resolvectl flush-caches"}, ran: []string{"resolvectl flush-caches"},
			opsCalls: []string{"dbus FlushCaches"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}, detail: "Flushed the systemd-resolved cache.",
		},
		{
			name: "old systemd without resolvectl", info: resolved, fail: map[string]error{"dbus": errDBus},
			answers:  map[string]platformtest.Answer{"resolvectl flush-caches": {Err: errNotFound}, "systemd-resolve --flush-caches": {}},
			commands: []string{"resolvectl flush-caches", "resolvectl flush-caches", "systemd-resolve --flush-caches"},
			ran:      []string{"resolvectl flush-caches", "systemd-resolve --flush-caches"},
			opsCalls: []string{"dbus FlushCaches"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}, detail: "Flushed the systemd-resolved cache.",
		},
		{
			name: "systemd-resolved refuses both ways", info: resolved, fail: map[string]error{"dbus": errDBus},
			answers:  map[string]platformtest.Answer{"resolvectl flush-caches": {Err: errExit1}},
			commands: []string{"resolvectl flush-caches", "resolvectl flush-caches"}, ran: []string{"resolvectl flush-caches"},
			opsCalls: []string{"dbus FlushCaches"},
			errHas:   "flush the systemd-resolved cache: over D-Bus: " + errDBus.Error(),
		},
		{
			name:   "systemd-resolved not running holds nothing, and is not started",
			info:   dnsconf.ResolverInfo{Kind: dnsconf.ResolverSystemdResolved, Caches: []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}, Running: stopped},
			detail: "Nothing to flush: systemd-resolved is not running, so it holds no DNS cache.",
		},
		{
			name:     "nscd in front of systemd-resolved: both, in order",
			info:     dnsconf.ResolverInfo{Kind: dnsconf.ResolverSystemdResolved, Caches: []dnsconf.ResolverKind{dnsconf.ResolverNscd, dnsconf.ResolverSystemdResolved}, Running: running},
			answers:  map[string]platformtest.Answer{"nscd -i hosts": {}},
			commands: []string{"nscd -i hosts", "resolvectl flush-caches"}, ran: []string{"nscd -i hosts"},
			opsCalls: []string{"dbus FlushCaches"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverNscd, dnsconf.ResolverSystemdResolved}, detail: "Flushed the nscd and systemd-resolved caches.",
		},
		{
			name:     "nscd in front of the upstream servers",
			info:     dnsconf.ResolverInfo{Kind: dnsconf.ResolverNscd, Caches: []dnsconf.ResolverKind{dnsconf.ResolverNscd}, Servers: []string{"10.0.0.1"}},
			answers:  map[string]platformtest.Answer{"nscd -i hosts": {}},
			commands: []string{"nscd -i hosts"}, ran: []string{"nscd -i hosts"},
			flushed: []dnsconf.ResolverKind{dnsconf.ResolverNscd}, detail: "Flushed the nscd cache.",
		},
		{
			name: "dnsmasq of NetworkManager on 127.0.1.1",
			info: dnsconf.ResolverInfo{Kind: dnsconf.ResolverDnsmasq, Caches: []dnsconf.ResolverKind{dnsconf.ResolverDnsmasq}, Servers: []string{"127.0.1.1"}, Running: running},
			pids: []int{812}, commands: []string{"kill -HUP 812"},
			opsCalls: []string{"find dnsmasq on 127.0.1.1", "SIGHUP 812"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverDnsmasq}, detail: "Flushed the dnsmasq cache.",
		},
		{
			name:     "dnsmasq that cannot be found",
			info:     dnsconf.ResolverInfo{Kind: dnsconf.ResolverDnsmasq, Caches: []dnsconf.ResolverKind{dnsconf.ResolverDnsmasq}, Servers: []string{"127.0.0.1"}, Running: running},
			fail:     map[string]error{"find": errors.New("no dnsmasq process holds the DNS socket on 127.0.0.1")},
			opsCalls: []string{"find dnsmasq on 127.0.0.1"},
			errHas:   "flush the dnsmasq cache: no dnsmasq process holds the DNS socket on 127.0.0.1",
		},
		{
			name:     "unbound",
			info:     dnsconf.ResolverInfo{Kind: dnsconf.ResolverUnbound, Caches: []dnsconf.ResolverKind{dnsconf.ResolverUnbound}, Servers: []string{"127.0.0.1"}, Running: running},
			answers:  map[string]platformtest.Answer{"unbound-control flush_zone .": {}},
			commands: []string{"unbound-control flush_zone ."}, ran: []string{"unbound-control flush_zone ."},
			flushed: []dnsconf.ResolverKind{dnsconf.ResolverUnbound}, detail: "Flushed the unbound cache.",
		},
		{
			name:   "upstream only: nothing to flush, and that is no error",
			info:   dnsconf.ResolverInfo{Kind: dnsconf.ResolverUpstream, Servers: []string{"10.0.0.1"}},
			detail: "Nothing to flush: this machine has no DNS cache (queries go straight to 10.0.0.1).",
		},
		{
			name:   "upstream, no servers configured",
			info:   dnsconf.ResolverInfo{Kind: dnsconf.ResolverUpstream},
			detail: "Nothing to flush: this machine has no DNS cache.",
		},
		{
			name:   "an unknown local DNS server cannot be flushed",
			info:   dnsconf.ResolverInfo{Kind: dnsconf.ResolverLocal, Servers: []string{"127.0.0.1"}, Running: running},
			errHas: "a DNS server on this machine (127.0.0.1) answers, but it is none that Clearance knows how to flush",
		},
		{
			name: "Windows: DnsFlushResolverCache", info: win,
			commands: []string{"ipconfig /flushdns"}, opsCalls: []string{"DnsFlushResolverCache"},
			flushed: []dnsconf.ResolverKind{dnsconf.ResolverWindowsDNSClient}, detail: "Flushed the Windows DNS Client cache.",
		},
		{
			name: "Windows: the API fails, ipconfig works", info: win, fail: map[string]error{"windows": errors.New("DnsFlushResolverCache returned FALSE")},
			answers:  map[string]platformtest.Answer{"ipconfig /flushdns": {}},
			commands: []string{"ipconfig /flushdns", "ipconfig /flushdns"}, ran: []string{"ipconfig /flushdns"},
			opsCalls: []string{"DnsFlushResolverCache"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverWindowsDNSClient}, detail: "Flushed the Windows DNS Client cache.",
		},
		{
			name: "Windows: both fail, judged by the exit status", info: win, fail: map[string]error{"windows": errors.New("DnsFlushResolverCache returned FALSE")},
			answers:  map[string]platformtest.Answer{"ipconfig /flushdns": {Out: []byte("Konfiguration der Windows-IP\r\n"), Err: errExit1}},
			commands: []string{"ipconfig /flushdns", "ipconfig /flushdns"}, ran: []string{"ipconfig /flushdns"},
			opsCalls: []string{"DnsFlushResolverCache"},
			errHas:   "flush the Windows DNS Client cache: DnsFlushResolverCache: DnsFlushResolverCache returned FALSE; ipconfig /flushdns:",
		},
		{
			name:     "Windows: service state unknown, still flushed",
			info:     dnsconf.ResolverInfo{Kind: dnsconf.ResolverWindowsDNSClient},
			commands: []string{"ipconfig /flushdns"}, opsCalls: []string{"DnsFlushResolverCache"},
			flushed: []dnsconf.ResolverKind{dnsconf.ResolverWindowsDNSClient}, detail: "Flushed the Windows DNS Client cache.",
		},
		{
			name:   "Windows: DNS Client stopped",
			info:   dnsconf.ResolverInfo{Kind: dnsconf.ResolverWindowsDNSClient, Running: stopped},
			detail: "Nothing to flush: the Windows DNS Client service is not running, so it holds no DNS cache.",
		},
		{
			name:     "macOS",
			info:     dnsconf.ResolverInfo{Kind: dnsconf.ResolverMDNSResponder, Caches: []dnsconf.ResolverKind{dnsconf.ResolverMDNSResponder}, Running: running},
			answers:  map[string]platformtest.Answer{"/usr/bin/dscacheutil -flushcache": {}, "/usr/bin/killall -HUP mDNSResponder": {}},
			commands: []string{"/usr/bin/dscacheutil -flushcache", "/usr/bin/killall -HUP mDNSResponder"},
			ran:      []string{"/usr/bin/dscacheutil -flushcache", "/usr/bin/killall -HUP mDNSResponder"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverMDNSResponder}, detail: "Flushed the mDNSResponder cache.",
		},
		{
			name: "dry run: recorded, nothing called", info: resolved, dryRun: true,
			commands: []string{"resolvectl flush-caches"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}, detail: "Would flush the systemd-resolved cache.",
		},
		{
			name: "dry run of dnsmasq: the process is looked up, not signalled", dryRun: true,
			info: dnsconf.ResolverInfo{Kind: dnsconf.ResolverDnsmasq, Caches: []dnsconf.ResolverKind{dnsconf.ResolverNscd, dnsconf.ResolverDnsmasq}, Servers: []string{"127.0.0.1"}, Running: running},
			pids: []int{812}, commands: []string{"nscd -i hosts", "kill -HUP 812"},
			opsCalls: []string{"find dnsmasq on 127.0.0.1"},
			flushed:  []dnsconf.ResolverKind{dnsconf.ResolverNscd, dnsconf.ResolverDnsmasq}, detail: "Would flush the nscd and dnsmasq caches.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := &platformtest.Runner{T: t, Answers: tt.answers}
			ch := platform.NewChanges(run, tt.dryRun)
			var log flushOpsLog
			res, err := flushDNS(context.Background(), tt.info, ch, log.ops(tt.fail, tt.pids))
			if tt.errHas == "" && err != nil {
				t.Fatalf("error: %v", err)
			}
			if tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)) {
				t.Fatalf("error %v; want one with %q", err, tt.errHas)
			}
			if got := ch.Commands(); !slices.Equal(got, tt.commands) {
				t.Errorf("commands %q; want %q", got, tt.commands)
			}
			if !slices.Equal(run.Calls, tt.ran) {
				t.Errorf("ran %q; want %q", run.Calls, tt.ran)
			}
			if !slices.Equal(log.calls, tt.opsCalls) {
				t.Errorf("in-process calls %q; want %q", log.calls, tt.opsCalls)
			}
			if !slices.Equal(res.Flushed, tt.flushed) || (tt.errHas == "" && res.Detail != tt.detail) {
				t.Errorf("result %+v; want flushed %q, detail %q", res, tt.flushed, tt.detail)
			}
		})
	}
}

// After a failure, the result still says what was flushed before it.
func TestFlushDNSPartial(t *testing.T) {
	info := dnsconf.ResolverInfo{Kind: dnsconf.ResolverLocal, Caches: []dnsconf.ResolverKind{dnsconf.ResolverNscd}, Servers: []string{"127.0.0.1"}}
	run := &platformtest.Runner{T: t, Answers: map[string]platformtest.Answer{"nscd -i hosts": {}}}
	var log flushOpsLog
	res, err := flushDNS(context.Background(), info, platform.NewChanges(run, false), log.ops(nil, nil))
	if err == nil {
		t.Fatal("no error for an unknown local DNS server")
	}
	if !slices.Equal(res.Flushed, []dnsconf.ResolverKind{dnsconf.ResolverNscd}) || res.Detail != "Flushed the nscd cache." {
		t.Errorf("result %+v; want nscd flushed", res)
	}
}

// An OS without a D-Bus or a dnsmasq lookup (nil operations) falls back or
// says so, never panics.
func TestFlushDNSWithoutOps(t *testing.T) {
	run := &platformtest.Runner{T: t, Answers: map[string]platformtest.Answer{"resolvectl flush-caches": {}}}
	res, err := flushDNS(context.Background(), dnsconf.ResolverInfo{Kind: dnsconf.ResolverSystemdResolved, Caches: []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}}, platform.NewChanges(run, false), flushOps{})
	if err != nil || !slices.Equal(run.Calls, []string{"resolvectl flush-caches"}) || len(res.Flushed) != 1 {
		t.Errorf("resolved without D-Bus: %+v, %v, ran %q", res, err, run.Calls)
	}
	_, err = flushDNS(context.Background(), dnsconf.ResolverInfo{Kind: dnsconf.ResolverDnsmasq, Caches: []dnsconf.ResolverKind{dnsconf.ResolverDnsmasq}}, platform.NewChanges(run, false), flushOps{})
	if !errors.Is(err, platform.ErrNotSupported) {
		t.Errorf("dnsmasq without a process lookup: %v; want ErrNotSupported", err)
	}
}

// procTree loads a /proc recorded by testdata/flush/record.sh into a MapFS:
// files as they are, and each proc/PID/fd.links as the symlinks
// proc/PID/fd/N it lists.
func procTree(t *testing.T, scenario string) fstest.MapFS {
	t.Helper()
	root := filepath.Join("testdata", "flush", scenario)
	m := fstest.MapFS{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if dir, ok := strings.CutSuffix(rel, "/fd.links"); ok {
			for _, line := range platform.OutputLines(data) {
				fd, target, _ := strings.Cut(line, " ")
				m[dir+"/fd/"+fd] = &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink}
			}
			return nil
		}
		m[rel] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// dnsmasqPIDsOf lists the recorded dnsmasq pids of a scenario, in the order
// record.sh started them (ascending).
func dnsmasqPIDsOf(t *testing.T, m fstest.MapFS) []int {
	t.Helper()
	var pids []int
	for name, f := range m {
		if pid, ok := strings.CutSuffix(strings.TrimPrefix(name, "proc/"), "/comm"); ok && strings.TrimSpace(string(f.Data)) == "dnsmasq" {
			n, _ := strconv.Atoi(pid)
			pids = append(pids, n)
		}
	}
	slices.Sort(pids)
	return pids
}

// The dnsmasq that serves the resolver's address is found by its socket,
// from /proc recorded with real dnsmasq processes in a namespace.
func TestDnsmasqPIDsIn(t *testing.T) {
	two := procTree(t, "two-dnsmasq") // started on 127.0.1.1, then 127.0.0.1
	wild := procTree(t, "wildcard")
	twoPIDs, wildPIDs := dnsmasqPIDsOf(t, two), dnsmasqPIDsOf(t, wild)
	if len(twoPIDs) != 2 || len(wildPIDs) != 1 {
		t.Fatalf("fixtures: dnsmasq pids %v and %v", twoPIDs, wildPIDs)
	}

	// A dnsmasq forked for a TCP connection holds its parent's sockets
	// (constructed from the wildcard recording: same descriptors, PPid the
	// parent), and so does a process that is not dnsmasq.
	child := wildPIDs[0] + 1
	forked := fstest.MapFS{}
	for name, f := range wild {
		forked[name] = f
		if rest, ok := strings.CutPrefix(name, "proc/"+strconv.Itoa(wildPIDs[0])+"/"); ok {
			forked["proc/"+strconv.Itoa(child)+"/"+rest] = f
			forked["proc/4242/"+rest] = f
		}
	}
	forked["proc/"+strconv.Itoa(child)+"/status"] = &fstest.MapFile{Data: []byte("Name:\tdnsmasq\nPPid:\t" + strconv.Itoa(wildPIDs[0]) + "\n")}
	forked["proc/4242/comm"] = &fstest.MapFile{Data: []byte("sshd\n")}

	tests := []struct {
		name   string
		fsys   fs.FS
		addr   string
		want   []int
		errHas string
	}{
		{"NetworkManager's address", two, "127.0.1.1", twoPIDs[:1], ""},
		{"the other dnsmasq", two, "127.0.0.1", twoPIDs[1:], ""},
		{"nobody on resolved's stub", two, "127.0.0.53", nil, "nothing on this machine listens for DNS on 127.0.0.53"},
		{"wildcard bind serves 127.0.0.1", wild, "127.0.0.1", wildPIDs, ""},
		{"wildcard bind serves ::1", wild, "::1", wildPIDs, ""},
		{"only the parent of a forked dnsmasq", forked, "127.0.0.1", wildPIDs, ""},
	}
	for _, tt := range tests {
		got, err := dnsmasqPIDsIn(tt.fsys, netip.MustParseAddr(tt.addr))
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("%s: %v, %v; want an error with %q", tt.name, got, err, tt.errHas)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}

	// The socket is there, but its process is not a dnsmasq.
	other := fstest.MapFS{}
	for name, f := range wild {
		other[name] = f
	}
	other["proc/"+strconv.Itoa(wildPIDs[0])+"/comm"] = &fstest.MapFile{Data: []byte("unbound\n")}
	if got, err := dnsmasqPIDsIn(other, netip.MustParseAddr("127.0.0.1")); err == nil {
		t.Errorf("found dnsmasq %v where another program holds the socket", got)
	}
}

func TestParseProcNetSockets(t *testing.T) {
	data := platformtest.ReadFixture(t, "flush", "two-dnsmasq/proc/net/udp")
	got, err := parseProcNetSockets(data, true)
	if err != nil {
		t.Fatal(err)
	}
	// The kernel lists sockets by hash slot, not in the order they were bound.
	slices.SortFunc(got, func(a, b procSocket) int { return a.Local.Compare(b.Local) })
	if len(got) != 2 || got[0].Local != netip.MustParseAddrPort("127.0.0.1:53") || got[1].Local != netip.MustParseAddrPort("127.0.1.1:53") ||
		got[0].Inode == 0 || got[0].Inode == got[1].Inode {
		t.Errorf("got %+v", got)
	}
	v6, err := parseProcNetSockets(platformtest.ReadFixture(t, "flush", "wildcard/proc/net/udp6"), true)
	if err != nil || len(v6) != 1 || v6[0].Local != netip.MustParseAddrPort("[::]:53") {
		t.Errorf("udp6: %+v, %v", v6, err)
	}
	if tcp, err := parseProcNetSockets(data, false); err != nil || len(tcp) != 0 {
		t.Errorf("UDP lines read as listening TCP: %+v, %v", tcp, err)
	}
	if _, err := parseProcNetSockets([]byte("header\n 1: 0100007F:0035 00000000:0000 07 0:0 0:0 0 0 0 notanumber 2 0 0\n"), true); err == nil {
		t.Error("no error for a bad inode")
	}
}

// Every recorded scenario is described in SOURCES.md.
func TestFlushFixturesHaveSources(t *testing.T) {
	sources := string(platformtest.ReadFixture(t, "flush", "SOURCES.md"))
	entries, err := os.ReadDir(filepath.Join("testdata", "flush"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "SOURCES.md" && !strings.Contains(sources, "`"+e.Name()) {
			t.Errorf("testdata/flush/%s is not described in SOURCES.md", e.Name())
		}
	}
}
