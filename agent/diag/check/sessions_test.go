package check

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
)

// Each run names the network first (Env.Network) and the prober's TLS
// sessions follow it: resumed on the same network, forgotten on another.
// This is what keeps the tray, which no network watch tells of a change,
// from offering at a café the session it made at home.
func TestRunOffersTLSSessionsOnlyOnTheirNetwork(t *testing.T) {
	var hs cftest.Handshakes
	srv := cftest.NewServerTLS(t, cftest.Mux(), func(c *tls.Config) { hs.Count(c) })
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(portal.Close)
	cfg := config.Default()
	cfg.Network.Witness = srv.URL + "/cdn-cgi/trace"
	cfg.Network.CaptivePortal = portal.URL + "/"
	cfg.Network.UplinkAddresses = nil
	cfg.Endpoints.Hosts = []string{cftest.URL(srv, cftest.OK)}
	cfg.Endpoints.Trace = ""
	p := &probe.Prober{RootCAs: cftest.Pool(srv), Sessions: &probe.SessionCache{}}
	t.Cleanup(p.Close)
	network := "home"
	env := Env{Config: &cfg, Probe: p, Host: &fakeHost{routes: netTestDefaultRoute}, Network: func(context.Context) string { return network }}
	run := func() (full, resumed int64) {
		t.Helper()
		p.Close() // every run dials afresh, as on the schedule
		f, r := hs.Full(), hs.Resumed()
		if c := checkReport(t, Run(t.Context(), env, []Check{endpointsCheck}), "endpoints"); c.Status != Pass {
			t.Fatalf("endpoints %s (%s): the test needs the host reached", c.Status, c.Summary)
		}
		return hs.Full() - f, hs.Resumed() - r
	}
	run()
	// Two connections a run: the witness's and the judged host's.
	if full, resumed := run(); full != 0 || resumed == 0 {
		t.Fatalf("second run at home: %d full, %d resumed handshakes; want the session resumed", full, resumed)
	}
	network = "café"
	if full, resumed := run(); full == 0 || resumed != 0 {
		t.Errorf("first run at the café: %d full, %d resumed handshakes; want only full ones", full, resumed)
	}
}
