package check

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/timesync"
)

// netCountingHost counts the readings of what NetworkFacts may keep, and
// of what it must not.
type netCountingHost struct {
	*fakeHost
	ifaces, routes, resolvers, timeSyncs atomic.Int32
	// during, when set, runs inside each interfaces reading.
	during func()
}

func (h *netCountingHost) Interfaces(ctx context.Context) ([]netstate.Interface, error) {
	h.ifaces.Add(1)
	if h.during != nil {
		h.during()
	}
	return h.fakeHost.Interfaces(ctx)
}

func (h *netCountingHost) Routes(ctx context.Context) ([]netstate.Route, error) {
	h.routes.Add(1)
	return h.fakeHost.Routes(ctx)
}

func (h *netCountingHost) Resolver(ctx context.Context, procs host.ProcessReader) (dnsconf.ResolverInfo, error) {
	h.resolvers.Add(1)
	return h.fakeHost.Resolver(ctx, procs)
}

func (h *netCountingHost) TimeSync(ctx context.Context, procs host.ProcessReader) (timesync.State, error) {
	h.timeSyncs.Add(1)
	return h.fakeHost.TimeSync(ctx, procs)
}

// netFactsWorld is the vpn, dns and clock checks on a machine with a
// NordLynx tunnel, every peer a closed port on loopback.
func netFactsWorld(t *testing.T) (*netCountingHost, Env, []Check) {
	t.Helper()
	fh := vpnTestHost()
	fh.resolver = dnsconf.ResolverInfo{Kind: dnsconf.ResolverUpstream}
	fh.timeSync = timesync.State{Service: "chronyd", Active: true}
	h := &netCountingHost{fakeHost: fh}
	cfg := config.Default()
	closed := "https://" + tcptest.Closed(t) + "/"
	cfg.Endpoints.Hosts = []string{closed}
	cfg.Network.Witness = closed
	cfg.Clock.NTPServers = nil
	env := Env{Config: &cfg, Host: KeepNetworkFacts(h), Lookup: &vpnFakeResolver{addrs: []string{"104.18.32.47"}}}
	return h, env, []Check{vpnCheck, {Name: "dns", Run: runDNS}, {Name: "clock", Run: runClock}}
}

// While a monitor watches the network, runs after the first take the
// interfaces and routes from it until Env.Forget (a network change, a
// clock step, a resume); the resolver, the processes and the time service
// are read by every run all the same. The verdict is the same from kept
// facts.
func TestNetworkFactsKeptUntilForget(t *testing.T) {
	t.Parallel()
	h, env, checks := netFactsWorld(t)
	env.Host.(*NetworkFacts).Watched(true)
	want := func(after string, ifaces, routes, runs int32) {
		t.Helper()
		if h.ifaces.Load() != ifaces || h.routes.Load() != routes {
			t.Errorf("%s: %d interface and %d route readings, want %d and %d", after, h.ifaces.Load(), h.routes.Load(), ifaces, routes)
		}
		if h.resolvers.Load() != runs || h.timeSyncs.Load() != runs || h.scans.Load() != runs {
			t.Errorf("%s: resolver read %d times, time service %d, processes %d; want each %d (every run)",
				after, h.resolvers.Load(), h.timeSyncs.Load(), h.scans.Load(), runs)
		}
	}
	run := func() {
		t.Helper()
		rep := Run(context.Background(), env, checks)
		if rep.Checks[0].Summary != "NordVPN (nordlynx) carries all traffic" {
			t.Errorf("vpn: %q", rep.Checks[0].Summary)
		}
	}
	run()
	want("the first run", 1, 1, 1)
	run()
	run()
	want("two more runs", 1, 1, 3)
	env.Forget()
	run()
	want("a run after Forget", 2, 2, 4)
	run()
	want("the run after that", 2, 2, 5)
}

// Without a monitor nothing would say when the facts change: every run
// reads them. Turning the watch off drops what was kept.
func TestNetworkFactsReadEveryRunWhenNotWatched(t *testing.T) {
	t.Parallel()
	h, env, checks := netFactsWorld(t)
	n := env.Host.(*NetworkFacts)
	for range 2 {
		Run(context.Background(), env, checks)
	}
	if h.ifaces.Load() != 2 || h.routes.Load() != 2 {
		t.Fatalf("never watched: %d interface and %d route readings in 2 runs, want 2 and 2", h.ifaces.Load(), h.routes.Load())
	}
	n.Watched(true)
	Run(context.Background(), env, checks)
	Run(context.Background(), env, checks)
	n.Watched(false)
	Run(context.Background(), env, checks)
	if h.ifaces.Load() != 4 || h.routes.Load() != 4 {
		t.Fatalf("watched for 2 runs, then not for 1: %d interface and %d route readings, want 4 and 4", h.ifaces.Load(), h.routes.Load())
	}
}

// A reading that a change interrupts is not kept: it may describe the
// network from before, and the run after the change must not see it.
func TestNetworkFactsReadingAcrossAForgetIsNotKept(t *testing.T) {
	t.Parallel()
	fh := vpnTestHost()
	h := &netCountingHost{fakeHost: fh}
	n := KeepNetworkFacts(h)
	n.Watched(true)
	h.during = func() {
		h.during = nil
		n.Forget() // the change lands while the first reading is under way
	}
	for range 2 {
		if _, err := n.Interfaces(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.ifaces.Load(); got != 2 {
		t.Fatalf("%d readings, want 2: the one taken across the change was kept", got)
	}
	if _, err := n.Interfaces(context.Background()); err != nil || h.ifaces.Load() != 2 {
		t.Fatalf("%d readings after the third call (err %v), want the second kept", h.ifaces.Load(), err)
	}
}
