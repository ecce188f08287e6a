package dnsconf

import (
	"context"
	"io/fs"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// Constructed inputs for every branch of the decision. The recorded files
// are exercised end to end in TestLinuxResolverFromRecordedFiles.
func TestDecideLinuxResolver(t *testing.T) {
	ns := func(s ...string) ResolvConf {
		var rc ResolvConf
		for _, x := range s {
			rc.Nameservers = append(rc.Nameservers, netip.MustParseAddr(x))
		}
		return rc
	}
	listen := func(s ...string) []netip.AddrPort {
		var out []netip.AddrPort
		for _, x := range s {
			out = append(out, netip.MustParseAddrPort(x))
		}
		return out
	}
	procs := func(names ...string) map[string]bool {
		m := map[string]bool{"systemd": true, "bash": true}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	yes, no := true, false
	for _, tc := range []struct {
		name    string
		in      LinuxResolverInputs
		kind    ResolverKind
		caches  []ResolverKind
		running *bool
		owner   string
	}{
		{"plain upstream", LinuxResolverInputs{ResolvConf: ns("192.0.2.1"), NSSHosts: []string{"files", "dns"}, Processes: procs()},
			ResolverUpstream, nil, nil, ""},
		{"stub symlink, resolved running", LinuxResolverInputs{ResolvConfTarget: "/run/systemd/resolve/stub-resolv.conf", ResolvConf: ns("127.0.0.53"), Processes: procs("systemd-resolve")},
			ResolverSystemdResolved, []ResolverKind{ResolverSystemdResolved}, &yes, "systemd-resolved"},
		{"stub address in a plain file, resolved stopped", LinuxResolverInputs{ResolvConf: ns("127.0.0.53"), Processes: procs()},
			ResolverSystemdResolved, []ResolverKind{ResolverSystemdResolved}, &no, ""},
		{"stub, /proc unreadable", LinuxResolverInputs{ResolvConf: ns("127.0.0.53")},
			ResolverSystemdResolved, []ResolverKind{ResolverSystemdResolved}, nil, ""},
		{"nss-resolve ahead of dns, resolved running", LinuxResolverInputs{ResolvConf: ns("192.0.2.1"), NSSHosts: []string{"files", "resolve", "dns"}, Processes: procs("systemd-resolve")},
			ResolverSystemdResolved, []ResolverKind{ResolverSystemdResolved}, &yes, ""},
		{"nss-resolve ahead of dns, resolved stopped: nss-dns answers", LinuxResolverInputs{ResolvConf: ns("192.0.2.1"), NSSHosts: []string{"files", "resolve", "dns"}, Processes: procs()},
			ResolverUpstream, nil, nil, ""},
		{"resolved in uplink mode", LinuxResolverInputs{ResolvConfTarget: "/run/systemd/resolve/resolv.conf", ResolvConf: ns("192.0.2.1"), NSSHosts: []string{"files", "dns"}, Processes: procs("systemd-resolve")},
			ResolverUpstream, nil, nil, "systemd-resolved"},
		{"dnsmasq on 127.0.1.1", LinuxResolverInputs{ResolvConf: ResolvConf{Nameservers: ns("127.0.1.1").Nameservers, Owner: "NetworkManager"}, Listeners: listen("127.0.1.1:53"), Processes: procs("dnsmasq", "NetworkManager")},
			ResolverDnsmasq, []ResolverKind{ResolverDnsmasq}, &yes, "NetworkManager"},
		{"unbound on ::1", LinuxResolverInputs{ResolvConf: ns("::1"), Listeners: listen("[::1]:53"), Processes: procs("unbound")},
			ResolverUnbound, []ResolverKind{ResolverUnbound}, &yes, ""},
		{"two local servers: no guess", LinuxResolverInputs{ResolvConf: ns("127.0.0.1"), Listeners: listen("0.0.0.0:53"), Processes: procs("dnsmasq", "unbound")},
			ResolverLocal, nil, &yes, ""},
		{"local address, nothing listening on :53 (Docker's 127.0.0.11)", LinuxResolverInputs{ResolvConf: ns("127.0.0.11"), Processes: procs()},
			ResolverLocal, nil, nil, ""},
		{"no nameserver line: glibc asks 127.0.0.1", LinuxResolverInputs{Processes: procs()},
			ResolverLocal, nil, nil, ""},
		{"nscd in front of upstream", LinuxResolverInputs{ResolvConf: ns("192.0.2.1"), Processes: procs("nscd")},
			ResolverNscd, []ResolverKind{ResolverNscd}, nil, ""},
		{"nscd in front of resolved", LinuxResolverInputs{ResolvConf: ns("127.0.0.53"), Processes: procs("nscd", "systemd-resolve")},
			ResolverSystemdResolved, []ResolverKind{ResolverNscd, ResolverSystemdResolved}, &yes, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DecideLinuxResolver(tc.in)
			if got.Kind != tc.kind || !slices.Equal(got.Caches, tc.caches) || got.Owner != tc.owner {
				t.Errorf("kind %q caches %v owner %q; want %q %v %q", got.Kind, got.Caches, got.Owner, tc.kind, tc.caches, tc.owner)
			}
			if (got.Running == nil) != (tc.running == nil) || (got.Running != nil && *got.Running != *tc.running) {
				t.Errorf("running %v, want %v", fmtBoolPtr(got.Running), fmtBoolPtr(tc.running))
			}
			if got.Detail == "" {
				t.Error("no detail")
			}
		})
	}
}

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "unknown"
	}
	if *b {
		return "true"
	}
	return "false"
}

func TestResolverDetailSaysNotRunning(t *testing.T) {
	no := false
	d := describeResolver(ResolverInfo{Kind: ResolverSystemdResolved, Running: &no, Servers: []string{"127.0.0.53"}})
	if !strings.Contains(d, "not running") || !strings.Contains(d, "127.0.0.53") {
		t.Errorf("detail %q", d)
	}
}

// The recorded files, laid out as a root file system: the whole Linux path
// from files to verdict, on every OS.
func TestLinuxResolverFromRecordedFiles(t *testing.T) {
	file := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: platformtest.ReadFixture(t, "resolver", name)}
	}

	t.Run("this Debian container", func(t *testing.T) {
		root := fstest.MapFS{
			"etc/resolv.conf":    file("debian12-container-resolv.conf"),
			"etc/nsswitch.conf":  file("debian12-nsswitch.conf"),
			"proc/net/tcp":       file("debian12-container-proc-net-tcp"),
			"proc/net/udp":       file("debian12-container-proc-net-udp"),
			"proc/1/comm":        {Data: []byte("sleep\n")},
			"proc/self/whatever": {Data: []byte("not a pid")},
		}
		in, err := ReadLinuxResolverInputs(context.Background(), root, processesIn(root))
		if err != nil {
			t.Fatal(err)
		}
		got := DecideLinuxResolver(in)
		if got.Kind != ResolverUpstream || len(got.Caches) != 0 || !slices.Equal(got.Servers, []string{"10.255.255.53"}) {
			t.Errorf("got %+v, want upstream 10.255.255.53 without caches", got)
		}
		if len(in.Listeners) != 0 || !in.Processes["sleep"] || len(in.Processes) != 1 {
			t.Errorf("listeners %v processes %v", in.Listeners, in.Processes)
		}
	})

	t.Run("resolved stub through a relative symlink", func(t *testing.T) {
		root := fstest.MapFS{
			"etc/resolv.conf":             {Mode: fs.ModeSymlink, Data: []byte("../usr/lib/systemd/resolv.conf")},
			"usr/lib/systemd/resolv.conf": file("systemd-252-static-resolv.conf"),
			"etc/nsswitch.conf":           file("debian12-nsswitch.conf"),
			"proc/net/udp":                file("netns-listeners-proc-net-udp"),
			"proc/net/tcp":                file("netns-listeners-proc-net-tcp"),
			"proc/net/udp6":               file("netns-listeners-proc-net-udp6"),
			"proc/net/tcp6":               file("netns-listeners-proc-net-tcp6"),
			"proc/412/comm":               {Data: []byte("systemd-resolve\n")},
			"proc/1/comm":                 {Data: []byte("systemd\n")},
		}
		in, err := ReadLinuxResolverInputs(context.Background(), root, processesIn(root))
		if err != nil {
			t.Fatal(err)
		}
		if in.ResolvConfTarget != "/usr/lib/systemd/resolv.conf" {
			t.Errorf("target %q", in.ResolvConfTarget)
		}
		var ls []string
		for _, l := range in.Listeners {
			ls = append(ls, l.String())
		}
		if want := []string{"127.0.0.1:53", "127.0.0.53:53", "[::1]:53"}; !slices.Equal(ls, want) {
			t.Errorf("listeners %v, want %v (port 53 only, each once)", ls, want)
		}
		got := DecideLinuxResolver(in)
		if got.Kind != ResolverSystemdResolved || got.Running == nil || !*got.Running || got.Owner != "systemd-resolved" {
			t.Errorf("got %+v, want systemd-resolved, running", got)
		}
	})

	t.Run("hidepid: other users' processes invisible", func(t *testing.T) {
		root := fstest.MapFS{
			"etc/resolv.conf": file("systemd-252-static-resolv.conf"),
			"proc/4242/comm":  {Data: []byte("clearance\n")},
		}
		in, err := ReadLinuxResolverInputs(context.Background(), root, processesIn(root))
		if err != nil {
			t.Fatal(err)
		}
		if got := DecideLinuxResolver(in); got.Kind != ResolverSystemdResolved || got.Running != nil {
			t.Errorf("kind %q running %s; want systemd-resolved, running unknown", got.Kind, fmtBoolPtr(got.Running))
		}
	})

	t.Run("no resolv.conf at all", func(t *testing.T) {
		in, err := ReadLinuxResolverInputs(context.Background(), fstest.MapFS{}, processesIn(fstest.MapFS{}))
		if err != nil {
			t.Fatal(err)
		}
		if got := DecideLinuxResolver(in); got.Kind != ResolverLocal {
			t.Errorf("kind %q, want local (glibc asks this machine)", got.Kind)
		}
	})
}

func TestResolverInfoData(t *testing.T) {
	yes := true
	d := ResolverInfo{Kind: ResolverDnsmasq, Caches: []ResolverKind{ResolverDnsmasq}, Servers: []string{"127.0.1.1"}, Owner: "NetworkManager", Running: &yes, Detail: "x"}.Data()
	if d["kind"] != "dnsmasq" || d["owner"] != "NetworkManager" || d["running"] != true || !slices.Equal(d["caches"].([]string), []string{"dnsmasq"}) {
		t.Errorf("data %v", d)
	}
	if _, ok := (ResolverInfo{Kind: ResolverUpstream}).Data()["running"]; ok {
		t.Error("running reported while unknown")
	}
}

// processesIn reads the processes of a test's tree, as the real reader
// reads /proc.
func processesIn(root fs.FS) host.ProcessReader {
	return func(context.Context) (host.Processes, error) { return host.ProcessesIn(root) }
}
