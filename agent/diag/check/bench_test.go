package check

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
)

// BenchmarkRunAll measures one full run of every check in-process against
// loopback peers, with fresh connections and a fresh NTP client each time:
// the cost of one check cycle of a long-running process.
func BenchmarkRunAll(b *testing.B) {
	mux := cftest.Mux()
	mux.HandleFunc("/api/v2/summary.json", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"status":{"indicator":"none","description":"All Systems Operational"},"components":[]}`)
	})
	srv := cftest.NewServer(b, mux)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	b.Cleanup(portal.Close)
	cfg := config.Default()
	cfg.Network.Witness = srv.URL + "/cdn-cgi/trace"
	cfg.Network.CaptivePortal = portal.URL + "/"
	cfg.Endpoints.Hosts = []string{cftest.URL(srv, cftest.OK), cftest.URL(srv, cftest.Unauthorized), cftest.URL(srv, cftest.OK)}
	cfg.Endpoints.Trace = srv.URL + "/cdn-cgi/trace"
	cfg.Status.URL = srv.URL + "/api/v2/summary.json"
	cfg.Clock.NTPServers = nil
	for range 3 {
		cfg.Clock.NTPServers = append(cfg.Clock.NTPServers, ntptest.Serve(b, ntptest.Options{}).Addr)
	}
	pool := cftest.Pool(srv)
	b.ReportAllocs()
	for b.Loop() {
		env := Env{Config: &cfg, Probe: &probe.Prober{RootCAs: pool}, NTP: &ntpq.Client{}}
		rep := Run(context.Background(), env, All())
		env.Close()
		if len(rep.Findings) != 0 {
			b.Fatalf("findings %v", rep.Findings)
		}
	}
}
