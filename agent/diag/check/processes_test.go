package check

import (
	"context"
	"testing"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/timesync"
)

// A run lists the processes once, however many of its checks need them:
// vpn to name a tunnel's client, dns and clock to name the resolver and
// the time service (as on Linux, which the fake host plays). The next run
// lists them afresh: a process may have started or stopped since.
func TestARunListsTheProcessesOnce(t *testing.T) {
	t.Parallel()
	h := vpnTestHost() // a NordLynx tunnel: the vpn check wants the processes
	h.resolver = dnsconf.ResolverInfo{Kind: dnsconf.ResolverUpstream}
	h.timeSync = timesync.State{Service: "chronyd", Active: true}
	cfg := config.Default()
	closed := "https://" + tcptest.Closed(t) + "/"
	cfg.Endpoints.Hosts = []string{closed} // an address: no name to look up
	cfg.Network.Witness = closed
	cfg.Clock.NTPServers = nil
	env := Env{Config: &cfg, Host: h, Lookup: &vpnFakeResolver{addrs: []string{"104.18.32.47"}}}
	checks := []Check{vpnCheck, {Name: "dns", Run: runDNS}, {Name: "clock", Run: runClock}}
	for run := int32(1); run <= 2; run++ {
		rep := Run(context.Background(), env, checks)
		if n := h.scans.Load(); n != run {
			t.Fatalf("after %d runs the processes were listed %d times, want %d (once per run)", run, n, run)
		}
		if rep.Checks[0].Summary != "NordVPN (nordlynx) carries all traffic" {
			t.Errorf("vpn: %q, want NordVPN named by its process", rep.Checks[0].Summary)
		}
	}
}
