package agent

import (
	"context"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/probe"
)

// A run after a network change, a clock step or a resume dials afresh: a
// connection opened before the change would still carry the request over
// the old path (an established flow survives a VPN's new routes) and the
// run would describe a path that is no longer the machine's. Runs that
// follow each other without a change do reuse their connections.
func TestRunAfterAChangeDialsAfresh(t *testing.T) {
	var dials atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	ran := make(chan struct{}, 16)
	probeCheck := check.Check{Name: "endpoints", Run: func(ctx context.Context, env *check.Env) check.Result {
		defer func() { ran <- struct{}{} }()
		if r := env.Probe.Do(ctx, probe.Request{URL: srv.URL + "/"}); !r.Reached() {
			return check.Result{Status: check.Error, Summary: r.Err.Error()}
		}
		return check.Result{Status: check.Pass}
	}}
	netw, jumps := newEvents(), newEvents()
	opts := testOptions(t)
	opts.Checks = []check.Check{probeCheck}
	opts.WatchNetwork, opts.WatchClock = netw.watch, jumps.watch
	prober := &probe.Prober{RootCAs: pool}
	opts.Env = func(cfg *config.Config, log *slog.Logger) check.Env {
		return check.Env{Config: cfg, Log: log, Probe: prober}
	}
	a := start(t, opts)

	runs := func(n int, after string) {
		t.Helper()
		for range n {
			select {
			case <-ran:
			case <-time.After(30 * time.Second):
				t.Fatalf("no run %s", after)
			}
		}
	}
	runs(1, "at start")
	a.CheckNow()
	runs(1, "on request")
	if got := dials.Load(); got != 1 {
		t.Fatalf("%d connections for two runs in a row, want 1 (reused)", got)
	}
	netw.fire()
	runs(1, "after the network change")
	if got := dials.Load(); got != 2 {
		t.Fatalf("%d connections after a network change, want 2: the run reused one from before", got)
	}
	jumps.fire()
	runs(1, "after the clock jump")
	if got := dials.Load(); got != 3 {
		t.Fatalf("%d connections after a clock jump, want 3", got)
	}
}
